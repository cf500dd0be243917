using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace AvCloud.Functions.Identity;

/// <summary>
/// Validates bearer tokens against the configured OpenID Connect metadata: signature (RS256 only, with the issuer's
/// published keys), issuer, audience and lifetime (by the injected clock), then the claims AvCloud relies on: one user
/// id, one unit id (<see cref="UnitIds"/>), and only the app's <see cref="Roles"/>. Entra ID in Azure, the local issuer
/// on one machine: the same code.
/// </summary>
public sealed partial class TokenValidator : IDisposable
{
    private readonly IdentityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenValidator> _logger;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _metadata;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public TokenValidator(IOptions<IdentityOptions> options, TimeProvider time, ILogger<TokenValidator> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            _options.MetadataAddress.ToString(),
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(_http) { RequireHttps = _options.RequireHttpsMetadata });
    }

    public async Task<TokenValidation> ValidateAsync(string? authorization, CancellationToken cancellationToken)
    {
        const string scheme = "Bearer ";
        if (string.IsNullOrWhiteSpace(authorization) || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return TokenValidation.Fail("The request has no bearer token.");
        }

        var token = authorization[scheme.Length..].Trim();
        var result = await ValidateWithKeysAsync(token, cancellationToken);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The issuer may have rolled its keys since the metadata was cached: fetch it again, once.
            _metadata.RequestRefresh();
            result = await ValidateWithKeysAsync(token, cancellationToken);
        }

        if (!result.IsValid)
        {
            LogRejected(_logger, result.Exception);
            return TokenValidation.Fail("The bearer token is not valid or has expired.");
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        // oid is Entra's stable object id; sub stands in only when there is no oid at all. Whichever names the user has
        // to be one non-blank string: an oid that is a number or a list does not fall back to sub.
        var oid = StringClaim(payload.RootElement, "oid");
        var user = oid.Present ? oid : StringClaim(payload.RootElement, "sub");
        if (string.IsNullOrWhiteSpace(user.Value))
        {
            return TokenValidation.Fail("The bearer token names no user.");
        }

        // Roles the app does not define grant nothing and are not carried into the audit trail.
        var roles = jwt.Claims.Where(c => c.Type == "roles" && Roles.All.Contains(c.Value, StringComparer.Ordinal))
            .Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var name = Claim(jwt, "name") ?? Claim(jwt, "preferred_username");
        var unit = StringClaim(payload.RootElement, _options.UnitClaim);
        if (!unit.Present)
        {
            return TokenValidation.NoUnit(new Caller(user.Value, name, string.Empty, roles));
        }

        // The unit scopes everything the caller reads and writes: a list, a number, an empty or reserved name is not a
        // unit, and picking one of several would let the token's author choose the tenant.
        if (!UnitIds.IsValid(unit.Value))
        {
            return TokenValidation.Fail("The bearer token's unit claim is not one unit id.");
        }

        return TokenValidation.Success(new Caller(user.Value, name, unit.Value!, roles));
    }

    /// <summary>A claim that must be one JSON string: whether it is there at all, and its value when it is a single string.</summary>
    private static (bool Present, string? Value) StringClaim(JsonElement payload, string type)
    {
        var (count, value) = (0, (string?)null);
        foreach (var property in payload.EnumerateObject())
        {
            if (property.NameEquals(type))
            {
                count++;
                value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
        }

        // A name given twice is ambiguous whichever value a parser keeps.
        return (count > 0, count == 1 ? value : null);
    }

    private async Task<TokenValidationResult> ValidateWithKeysAsync(string token, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _metadata.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            // No metadata means no token can be trusted; the caller sees 401, the log says why.
            LogMetadataUnavailable(_logger, exception, _options.MetadataAddress);
            return new TokenValidationResult { IsValid = false, Exception = exception };
        }

        return await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKeys = configuration.SigningKeys,
            // Only the issuer's asymmetric algorithm: no "none", and no HS256 keyed with the public key.
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            LifetimeValidator = ValidateLifetime,
        });
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return expires is { } until
            && until.ToUniversalTime() > now - _options.ClockSkew
            && (notBefore is null || notBefore.Value.ToUniversalTime() <= now + _options.ClockSkew);
    }

    private static string? Claim(JsonWebToken jwt, string type) =>
        jwt.TryGetPayloadValue<string>(type, out var value) ? value : null;

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bearer token rejected")]
    private static partial void LogRejected(ILogger logger, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "OpenID Connect metadata at {Address} could not be read")]
    private static partial void LogMetadataUnavailable(ILogger logger, Exception exception, Uri address);
}

/// <summary>The outcome of validating a token: a caller, or why not.</summary>
public sealed record TokenValidation(Caller? Caller, string? Failure, bool MissingUnit)
{
    public static TokenValidation Success(Caller caller) => new(caller, null, false);

    public static TokenValidation Fail(string reason) => new(null, reason, false);

    /// <summary>
    /// An authentic token for a user with no unit claim at all: 403, not 401. The user is known and a new token would
    /// carry the same claims; what is missing is an assignment an administrator makes (README: give each the unit claim).
    /// </summary>
    public static TokenValidation NoUnit(Caller caller) => new(caller, "Your account is not assigned to an enforcement unit.", true);
}
