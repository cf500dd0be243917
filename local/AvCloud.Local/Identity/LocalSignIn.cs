using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using AvCloud.Functions.Identity;
using Microsoft.IdentityModel.Tokens;

namespace AvCloud.Local.Identity;

/// <summary>
/// Sign-in to the local issuer for the web console: OpenID Connect authorization code with PKCE (S256), as Entra ID
/// offers it in Azure, so the console's same code signs in on one machine. A developer picks the user, roles and
/// unit on a page that only loopback clients reach. Codes are single-use, live a minute, and are bound to the
/// client id, the exact loopback redirect URI and the PKCE challenge; the access token is the one
/// <c>./avcloud token</c> mints (audience, roles, unit), which the API validates exactly as it validates Entra's.
/// </summary>
public sealed class LocalSignIn(LocalIssuer issuer, TimeProvider clock)
{
    public const string AuthorizePath = "/oauth2/authorize";
    public const string TokenPath = "/oauth2/token";
    public const string LogoutPath = "/oauth2/logout";
    public const string UserInfoPath = "/oauth2/userinfo";

    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);

    /// <summary>What the client asked for at the authorization endpoint.</summary>
    public sealed record Request(string? ClientId, string? RedirectUri, string? ResponseType, string? Scope, string? State,
        string? Nonce, string? CodeChallenge, string? CodeChallengeMethod, string? Prompt);

    /// <summary>Who the developer signs in as.</summary>
    public sealed record Person(string User, string Unit, IReadOnlyList<string> Roles);

    /// <summary>The token endpoint's answer: tokens, or an OAuth error (RFC 6749 §5.2).</summary>
    public sealed record TokenAnswer(IReadOnlyDictionary<string, object>? Tokens, string? Error, string? Description);

    private sealed record Grant(Request Request, Person Person, DateTimeOffset Expires);

    /// <summary>Only this machine signs in here: the page hands out tokens for any role.</summary>
    public static bool IsLoopback(IPAddress? client) => client is not null && IPAddress.IsLoopback(client);

    /// <summary>A redirect URI on this machine, over http(s), with no fragment or credentials: the only place a code may go.</summary>
    public static bool IsLoopbackRedirect(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
        && parsed.Scheme is "http" or "https"
        && parsed.Fragment.Length == 0 && parsed.UserInfo.Length == 0
        && parsed.IsLoopback;

    /// <summary>
    /// Why the request cannot be answered at all (null: it can). Without a client id or a loopback redirect URI nothing
    /// is redirected anywhere; a code flow without an S256 challenge is refused (plain PKCE gives a stolen code away).
    /// </summary>
    public static string? Refusal(Request request) =>
        string.IsNullOrWhiteSpace(request.ClientId) ? "client_id is missing."
        : !IsLoopbackRedirect(request.RedirectUri) ? "redirect_uri must be an address on this machine (127.0.0.1, [::1] or localhost)."
        : request.ResponseType != "code" ? "response_type must be code."
        : request.CodeChallengeMethod != "S256" ? "code_challenge_method must be S256."
        : request.CodeChallenge is not { Length: >= 43 and <= 128 } ? "code_challenge must be a base64url SHA-256 of the verifier."
        : null;

    /// <summary>Why <paramref name="person"/> cannot be signed in (null: they can): a unit id in the API's format, roles among the app's six.</summary>
    public static string? Refusal(Person person) =>
        string.IsNullOrWhiteSpace(person.User) || person.User.Length > 64 ? "The user must be 1 to 64 characters."
        : !UnitIds.IsValid(person.Unit) ? "The unit must be a unit id (letters, digits, '.', '_', '-')."
        : person.Roles.Count == 0 ? "Pick at least one role."
        : person.Roles.FirstOrDefault(r => !global::AvCloud.Functions.Identity.Roles.All.Contains(r)) is { } unknown ? $"{unknown} is not a role of AvCloud."
        : null;

    /// <summary>A code for <paramref name="person"/>, to send to the request's redirect URI; valid once, for a minute.</summary>
    public string Issue(Request request, Person person)
    {
        if ((Refusal(request) ?? Refusal(person)) is { } refusal)
        {
            throw new ArgumentException(refusal);
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new Grant(request, person, clock.GetUtcNow() + CodeLifetime);
        return code;
    }

    /// <summary>
    /// The token endpoint: the code is taken (so a second use fails whatever happens), then checked: unexpired, for the
    /// same client and the exact same redirect URI, with the verifier whose SHA-256 is the challenge.
    /// </summary>
    public TokenAnswer Exchange(string? grantType, string? code, string? clientId, string? redirectUri, string? verifier)
    {
        if (grantType != "authorization_code")
        {
            return Failure("unsupported_grant_type", "Only authorization_code is offered.");
        }

        if (code is null || !_codes.TryRemove(code, out var grant))
        {
            return Failure("invalid_grant", "The code is unknown or was used already.");
        }

        var now = clock.GetUtcNow();
        if (now > grant.Expires)
        {
            return Failure("invalid_grant", "The code has expired.");
        }

        if (clientId != grant.Request.ClientId)
        {
            return Failure("invalid_grant", "The code was issued to another client.");
        }

        if (redirectUri != grant.Request.RedirectUri)
        {
            return Failure("invalid_grant", "redirect_uri differs from the one the code was issued for.");
        }

        if (verifier is not { Length: >= 43 and <= 128 }
            || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))),
                Encoding.ASCII.GetBytes(grant.Request.CodeChallenge!)))
        {
            return Failure("invalid_grant", "The code verifier does not match the challenge.");
        }

        var person = grant.Person;
        var access = issuer.Mint(person.User, person.Unit, person.Roles, TokenLifetime, now);
        var identity = issuer.Mint(person.User, person.Unit, person.Roles, TokenLifetime, now, audience: grant.Request.ClientId!,
            claims: grant.Request.Nonce is { } nonce ? new Dictionary<string, object?> { ["nonce"] = nonce } : null);
        return new TokenAnswer(new Dictionary<string, object>
        {
            ["access_token"] = access,
            ["id_token"] = identity,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            ["scope"] = grant.Request.Scope ?? "openid",
        }, null, null);
    }

    /// <summary>The user info endpoint: who the bearer of a valid access token is (its identity claims); null: no such bearer.</summary>
    public async Task<IReadOnlyDictionary<string, object>?> UserInfoAsync(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var claims = await issuer.ClaimsOfAsync(authorization["Bearer ".Length..].Trim(), clock.GetUtcNow());
        return claims?.Where(c => c.Key is "sub" or "oid" or "name" or "roles" or "unit").ToDictionary(c => c.Key, c => c.Value);
    }

    private static TokenAnswer Failure(string error, string description) => new(null, error, description);

    /// <summary>The OpenID Connect metadata's sign-in part, added to the issuer's.</summary>
    public static IReadOnlyDictionary<string, object> Metadata(Uri host) => new Dictionary<string, object>
    {
        ["authorization_endpoint"] = new Uri(host, AuthorizePath).ToString(),
        ["token_endpoint"] = new Uri(host, TokenPath).ToString(),
        ["end_session_endpoint"] = new Uri(host, LogoutPath).ToString(),
        ["userinfo_endpoint"] = new Uri(host, UserInfoPath).ToString(),
        ["response_types_supported"] = new[] { "code" },
        ["grant_types_supported"] = new[] { "authorization_code" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["token_endpoint_auth_methods_supported"] = new[] { "none" },
        ["scopes_supported"] = new[] { "openid", "profile", "offline_access" },
    };
}
