using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AvCloud.Local.Identity;

/// <summary>
/// The token issuer of the cloud on one machine, standing in for Entra ID: it publishes OpenID Connect metadata and
/// a JWKS, and signs tokens (RS256) with a key generated on first use and kept in a PEM file under the data
/// directory (never in the repository). The function app validates its tokens exactly as it validates Entra's.
/// </summary>
public sealed class LocalIssuer : IDisposable
{
    public const string Issuer = "urn:avcloud:local-issuer";
    public const string Audience = "api://avcloud";
    public const string MetadataPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/.well-known/jwks.json";

    private readonly RSA _rsa;
    private readonly RsaSecurityKey _key;

    private LocalIssuer(RSA rsa)
    {
        _rsa = rsa;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        _key = new RsaSecurityKey(rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(parameters.Modulus!))[..16] };
    }

    /// <summary>The issuer with the key in <paramref name="keyFile"/>, created there if missing; null: a key that lives in memory only.</summary>
    public static LocalIssuer LoadOrCreate(string? keyFile)
    {
        var rsa = RSA.Create();
        if (keyFile is not null && File.Exists(keyFile))
        {
            rsa.ImportFromPem(File.ReadAllText(keyFile));
            return new LocalIssuer(rsa);
        }

        rsa.KeySize = 2048;
        if (keyFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
            WriteOwnerOnly(keyFile, rsa.ExportPkcs8PrivateKeyPem());
        }

        return new LocalIssuer(rsa);
    }

    // The private key is never readable by anyone but its owner, not even between creating the file and a chmod: the
    // mode is given to open(2) itself. CreateNew: a file that appeared meanwhile (or a planted link) is not written through.
    private static void WriteOwnerOnly(string path, string pem)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        file.Write(pem);
    }

    /// <summary>A token as Entra would issue it for the app: <c>oid</c>/<c>sub</c>, <c>name</c>, <c>roles</c> (an array) and the <c>unit</c> claim.</summary>
    /// <remarks>
    /// <paramref name="issuer"/> and <paramref name="audience"/> are for tests that need a wrongly addressed token, and
    /// <paramref name="claims"/> for tests of odd claims that the issuer nonetheless signs: each replaces the claim of
    /// its name (a list, a number, an empty string), and a null value leaves that claim out.
    /// </remarks>
    public string Mint(string user, string unit, IEnumerable<string> roles, TimeSpan lifetime, DateTimeOffset now, string? name = null,
        string issuer = Issuer, string audience = Audience, IReadOnlyDictionary<string, object?>? claims = null)
    {
        var standard = new Dictionary<string, object>
        {
            ["sub"] = user,
            ["oid"] = user,
            ["name"] = name ?? user,
            ["roles"] = roles.ToArray(),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        if (unit.Length > 0)
        {
            standard["unit"] = unit;
        }

        foreach (var (type, value) in claims ?? new Dictionary<string, object?>())
        {
            if (value is null)
            {
                standard.Remove(type);
            }
            else
            {
                standard[type] = value;
            }
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Claims = standard,
            Subject = new ClaimsIdentity(),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }

    public Dictionary<string, object> Metadata(Uri host) => new()
    {
        ["issuer"] = Issuer,
        ["jwks_uri"] = new Uri(host, JwksPath).ToString(),
        ["response_types_supported"] = new[] { "id_token" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
    };

    public object Jwks()
    {
        var parameters = _rsa.ExportParameters(includePrivateParameters: false);
        return new
        {
            keys = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = SecurityAlgorithms.RsaSha256,
                    ["kid"] = _key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                },
            },
        };
    }

    /// <summary>The claims of a token this issuer signed for the API, still valid at <paramref name="now"/>; null for anything else.</summary>
    public async Task<IReadOnlyDictionary<string, object>?> ClaimsOfAsync(string token, DateTimeOffset now)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            LifetimeValidator = (notBefore, expires, _, _) => notBefore <= now.UtcDateTime.AddMinutes(2) && expires > now.UtcDateTime,
        });
        return result.IsValid ? result.Claims.ToDictionary(c => c.Key, c => c.Value) : null;
    }

    /// <summary>The public key, for tests that forge tokens with it (an HS256 token keyed with the public key must fail).</summary>
    public byte[] PublicKeyBytes() => _rsa.ExportSubjectPublicKeyInfo();

    public void Dispose() => _rsa.Dispose();
}
