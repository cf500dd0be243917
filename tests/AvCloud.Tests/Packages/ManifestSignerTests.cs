using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AvCloud.Functions.Packages;
using AvCloud.Packages;
using Azure.Core;

namespace AvCloud.Tests.Packages;

/// <summary>
/// The two signers of package manifests, without the local cloud: the local key file (owner-only, made once, kept),
/// and Key Vault's REST sign operation against a stand-in on loopback that answers as Key Vault does; and the signing
/// settings checked at start.
/// </summary>
public sealed class ManifestSignerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("""{"formatVersion":1,"files":[]}""");

    private static bool Verifies(ManifestSignature signature, byte[] manifest)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(signature.PublicKey);
        return PackageFormat.Fingerprint(key) == signature.Fingerprint
            && key.VerifyData(manifest, Convert.FromBase64String(signature.Signature), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_local_key_is_created_once_readable_by_its_owner_only_and_kept_across_restarts()
    {
        var folder = Directory.CreateTempSubdirectory("avcloud-signer-");
        try
        {
            var path = Path.Combine(folder.FullName, "data", "signing-key.pem");
            var first = await new FileManifestSigner(path).SignAsync(Manifest, Cancel);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.True(Verifies(first, Manifest));
            Assert.False(Verifies(first, [.. Manifest, 0x20]));
            var again = await new FileManifestSigner(path).KeyAsync(Cancel);
            Assert.Equal((first.KeyId, first.Fingerprint, first.PublicKey), (again.KeyId, again.Fingerprint, again.PublicKey));
            Assert.Equal($"local/{first.Fingerprint[..16]}", first.KeyId);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_key_vault_signer_asks_key_vault_to_sign_the_manifests_digest_with_the_apps_token()
    {
        using var vaultKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var vault = KeyVaultStandIn.Start(vaultKey);
        var credential = new FixedToken();
        using var http = new HttpClient();
        var signer = new KeyVaultManifestSigner(http, credential, new Uri(vault.Address, "keys/evidence-packages"));

        var key = await signer.KeyAsync(Cancel);
        var signature = await signer.SignAsync(Manifest, Cancel);

        Assert.Equal(PackageFormat.Fingerprint(vaultKey), key.Fingerprint);
        Assert.Equal($"{vault.Address}keys/evidence-packages/version-1", signature.KeyId);
        Assert.True(Verifies(signature, Manifest));
        // Key Vault signs the SHA-256 the app sends, never the manifest itself; with the app's token, for the vault's audience.
        Assert.Equal([Convert.ToHexStringLower(SHA256.HashData(Manifest))], vault.Digests);
        Assert.All(vault.Tokens, t => Assert.Equal("Bearer app-identity-token", t));
        Assert.All(credential.Scopes, s => Assert.Equal("https://0.0.1/.default", s));

        vault.Refuse = true;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => signer.SignAsync(Manifest, Cancel));
        Assert.Contains("403 Forbidden", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_signing_settings_are_checked_at_start()
    {
        static IEnumerable<string> Problems(SigningOptions options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            return results.SelectMany(r => r.MemberNames);
        }

        Assert.Empty(Problems(new SigningOptions { Signer = SignerKind.File, KeyFile = "/var/lib/avcloud/signing-key.pem" }));
        Assert.Empty(Problems(new SigningOptions { Signer = SignerKind.KeyVault, Vault = new Uri("https://avc-kv-x.vault.azure.cn/") }));
        Assert.Equal(["Signer"], Problems(new SigningOptions()));
        Assert.Equal(["KeyFile"], Problems(new SigningOptions { Signer = SignerKind.File }));
        Assert.Equal(["Vault"], Problems(new SigningOptions { Signer = SignerKind.KeyVault }));
        Assert.Equal(["Vault"], Problems(new SigningOptions { Signer = SignerKind.KeyVault, Vault = new Uri("http://avc-kv.vault.azure.net/") }));
        Assert.Equal(["Name"], Problems(new SigningOptions { Signer = SignerKind.KeyVault, Vault = new Uri("https://avc-kv.vault.azure.net/"), Name = "../keys" }));
        Assert.Equal(new Uri("https://avc-kv.vault.azure.net/keys/evidence-packages"),
            new SigningOptions { Signer = SignerKind.KeyVault, Vault = new Uri("https://avc-kv.vault.azure.net/") }.KeyVaultKey);
    }

    private sealed class FixedToken : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("app-identity-token", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>Key Vault's key read and sign operations (API 7.4) on loopback, answering as the service documents them.</summary>
    private sealed class KeyVaultStandIn : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ECDsa _key;
        private readonly Task _serving;

        private KeyVaultStandIn(ECDsa key, int port)
        {
            _key = key;
            Address = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Address.ToString());
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public Uri Address { get; }

        public List<string> Digests { get; } = [];

        public List<string> Tokens { get; } = [];

        public bool Refuse { get; set; }

        public static KeyVaultStandIn Start(ECDsa key)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new KeyVaultStandIn(key, port);
        }

        private static string Base64Url(byte[] value) => Convert.ToBase64String(value).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var request = context.Request;
                Tokens.Add(request.Headers["Authorization"] ?? "");
                var kid = $"{Address}keys/evidence-packages/version-1";
                JsonObject answer;
                if (Refuse)
                {
                    context.Response.StatusCode = 403;
                    answer = new JsonObject { ["error"] = new JsonObject { ["code"] = "Forbidden", ["message"] = "Caller is not authorized." } };
                }
                else if (request.HttpMethod == "GET" && request.Url!.AbsolutePath == "/keys/evidence-packages" && request.QueryString["api-version"] == "7.4")
                {
                    var q = _key.ExportParameters(false).Q;
                    answer = new JsonObject { ["key"] = new JsonObject { ["kid"] = kid, ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url(q.X!), ["y"] = Base64Url(q.Y!) } };
                }
                else if (request.HttpMethod == "POST" && request.Url!.AbsolutePath == "/keys/evidence-packages/version-1/sign" && request.QueryString["api-version"] == "7.4")
                {
                    var body = JsonNode.Parse(request.InputStream)!;
                    var value = (string)body["value"]!;
                    var digest = Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/').PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '='));
                    Digests.Add(Convert.ToHexStringLower(digest));
                    answer = (string?)body["alg"] == "ES256"
                        ? new JsonObject { ["kid"] = kid, ["value"] = Base64Url(_key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)) }
                        : new JsonObject { ["error"] = new JsonObject { ["code"] = "BadParameter" } };
                }
                else
                {
                    context.Response.StatusCode = 404;
                    answer = new JsonObject { ["error"] = new JsonObject { ["code"] = "KeyNotFound" } };
                }

                var bytes = Encoding.UTF8.GetBytes(answer.ToJsonString());
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _serving;
        }
    }
}
