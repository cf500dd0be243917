using System.ComponentModel.DataAnnotations;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AvCloud.Packages;
using Azure.Core;

namespace AvCloud.Functions.Packages;

public enum SignerKind
{
    /// <summary>A P-256 key in a file (the local host's data folder), created on first use, readable by its owner only.</summary>
    File,

    /// <summary>A Key Vault key, used only through Key Vault's <c>sign</c> operation with the app's managed identity.</summary>
    KeyVault,
}

/// <summary>How evidence packages are signed (<c>AvCloud:Signing</c>), checked at start.</summary>
public sealed class SigningOptions : IValidatableObject
{
    public const string Section = "AvCloud:Signing";

    [Required]
    public SignerKind? Signer { get; init; }

    /// <summary>With <see cref="SignerKind.File"/>: the PEM file of the private key.</summary>
    public string? KeyFile { get; init; }

    /// <summary>With <see cref="SignerKind.KeyVault"/>: the vault, <c>https://VAULT.vault.azure.net/</c>.</summary>
    public Uri? Vault { get; init; }

    /// <summary>With <see cref="SignerKind.KeyVault"/>: the name of the key in the vault (its newest version signs).</summary>
    [RegularExpression("^[0-9A-Za-z-]{1,127}$")]
    public string Name { get; init; } = "evidence-packages";

    /// <summary>The Key Vault key's identifier, <c>https://VAULT.vault.azure.net/keys/NAME</c>.</summary>
    public Uri? KeyVaultKey => Vault is null ? null : new Uri(Vault, $"keys/{Name}");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Signer == SignerKind.File && string.IsNullOrWhiteSpace(KeyFile))
        {
            yield return new ValidationResult("The file signer needs KeyFile, the path of its key.", [nameof(KeyFile)]);
        }

        if (Signer == SignerKind.KeyVault && Vault is not { IsAbsoluteUri: true, Scheme: "https", AbsolutePath: "/" })
        {
            yield return new ValidationResult("The Key Vault signer needs Vault, https://VAULT.vault.azure.net/.", [nameof(Vault)]);
        }
    }
}

/// <summary>The key packages are signed with, as anyone may see it: its id, public key (PEM) and fingerprint.</summary>
public sealed record SigningKey(string KeyId, string Algorithm, string PublicKey, string Fingerprint);

/// <summary>
/// Signs evidence package manifests with a key only the function app can use (ES256). Which one is configuration
/// (<see cref="SigningOptions"/>): a key file locally, a Key Vault key in Azure.
/// </summary>
public abstract class ManifestSigner
{
    public abstract Task<SigningKey> KeyAsync(CancellationToken cancellationToken);

    public abstract Task<ManifestSignature> SignAsync(byte[] manifest, CancellationToken cancellationToken);
}

/// <summary>
/// The local signer: a P-256 key in a PEM file, created on first use with mode 0600 by the call that creates the file
/// (so it is never readable by others, not even for a moment), and never overwritten.
/// </summary>
public sealed class FileManifestSigner(string path) : ManifestSigner
{
    private readonly Lazy<(ECDsa Key, SigningKey Public)> _key = new(() => LoadOrCreate(path));

    public override Task<SigningKey> KeyAsync(CancellationToken cancellationToken) => Task.FromResult(_key.Value.Public);

    public override Task<ManifestSignature> SignAsync(byte[] manifest, CancellationToken cancellationToken)
    {
        var (key, info) = _key.Value;
        var signature = key.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Task.FromResult(new ManifestSignature(PackageFormat.Algorithm, info.KeyId, info.PublicKey, info.Fingerprint, Convert.ToBase64String(signature)));
    }

    private static (ECDsa, SigningKey) LoadOrCreate(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var file = new FileStream(path, options);
                using var writer = new StreamWriter(file);
                writer.Write(key.ExportPkcs8PrivateKeyPem());
                return (key, Describe(key));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it first: use that one.
            }
        }

        key.ImportFromPem(File.ReadAllText(path));
        return (key, Describe(key));
    }

    private static SigningKey Describe(ECDsa key)
    {
        var fingerprint = PackageFormat.Fingerprint(key);
        return new SigningKey($"local/{fingerprint[..16]}", PackageFormat.Algorithm, key.ExportSubjectPublicKeyInfoPem(), fingerprint);
    }
}

/// <summary>
/// The Azure signer: a P-256 key in Key Vault, which never leaves it. The app reads the public key and asks Key Vault to
/// sign the manifest's SHA-256 (REST <c>GET /keys/NAME</c> and <c>POST /keys/NAME/VERSION/sign</c>, API 7.4) with a
/// token of its managed identity, which holds the role Key Vault Crypto User on the vault and nothing more.
/// </summary>
public sealed class KeyVaultManifestSigner(HttpClient http, TokenCredential credential, Uri keyId) : ManifestSigner
{
    private const string ApiVersion = "7.4";

    private SigningKey? _key;

    public override async Task<SigningKey> KeyAsync(CancellationToken cancellationToken)
    {
        if (_key is { } known)
        {
            return known;
        }

        using var request = await RequestAsync(HttpMethod.Get, new Uri($"{keyId.GetLeftPart(UriPartial.Path).TrimEnd('/')}?api-version={ApiVersion}"), cancellationToken);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await AnswerAsync(response, "read the signing key", cancellationToken);
        var jwk = body["key"] ?? throw new InvalidOperationException("Key Vault answered without a key.");
        if ((string?)jwk["kty"] is not ("EC" or "EC-HSM") || (string?)jwk["crv"] != "P-256")
        {
            throw new InvalidOperationException($"The signing key {keyId} is not a P-256 EC key.");
        }

        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url((string)jwk["x"]!), Y = Base64Url((string)jwk["y"]!) },
        });
        var fingerprint = PackageFormat.Fingerprint(key);
        // The versioned id: the package names exactly the key version that signed it.
        return _key = new SigningKey((string)jwk["kid"]!, PackageFormat.Algorithm, key.ExportSubjectPublicKeyInfoPem(), fingerprint);
    }

    public override async Task<ManifestSignature> SignAsync(byte[] manifest, CancellationToken cancellationToken)
    {
        var key = await KeyAsync(cancellationToken);
        using var request = await RequestAsync(HttpMethod.Post, new Uri($"{key.KeyId}/sign?api-version={ApiVersion}"), cancellationToken);
        request.Content = JsonContent.Create(new JsonObject { ["alg"] = PackageFormat.Algorithm, ["value"] = Base64Url(SHA256.HashData(manifest)) });
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await AnswerAsync(response, "sign", cancellationToken);
        var signature = Base64Url((string?)body["value"] ?? throw new InvalidOperationException("Key Vault answered without a signature."));
        return new ManifestSignature(PackageFormat.Algorithm, key.KeyId, key.PublicKey, key.Fingerprint, Convert.ToBase64String(signature));
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, Uri uri, CancellationToken cancellationToken)
    {
        // The vault's audience: https://vault.azure.net for VAULT.vault.azure.net (and its sovereign-cloud twins).
        var audience = keyId.Host[(keyId.Host.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var token = await credential.GetTokenAsync(new TokenRequestContext([$"https://{audience}/.default"]), cancellationToken);
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return request;
    }

    private static async Task<JsonNode> AnswerAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            // Key Vault's own error code, not its message: enough for the operator, nothing echoed to callers.
            string? error;
            try
            {
                error = (string?)(await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))?["error"]?["code"];
            }
            catch (System.Text.Json.JsonException)
            {
                error = "(no error code)";
            }

            throw new InvalidOperationException($"Key Vault refused to {what}: {(int)response.StatusCode} {error}.");
        }

        return await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken) ?? throw new InvalidOperationException("Key Vault answered with no body.");
    }

    private static string Base64Url(byte[] value) => Convert.ToBase64String(value).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }
}
