using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AvCloud.Tests.DockSync;

/// <summary>
/// Entra ID's token endpoint as a dock's app registration meets it: the client-credentials grant, by client secret or
/// by an assertion signed with the app's certificate. It listens on loopback HTTPS with a certificate of its own and
/// hands out tokens a function it is given makes (the local host's issuer signs them, as Entra ID's keys would).
/// Every request it sees is kept, so a test can tell what the dock asked for and that it asked for nothing else.
/// </summary>
internal sealed class FakeEntra : IAsyncDisposable
{
    public const string TenantId = "3f1c0a52-7d0e-4c6b-9a51-0c2f5e8d7a10";
    public const string ClientId = "6a0e4d1b-2c3f-4e5a-8b7c-9d0e1f2a3b4c";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _serverCertificate;

    private FakeEntra(WebApplication app, X509Certificate2 serverCertificate)
    {
        _app = app;
        _serverCertificate = serverCertificate;
    }

    /// <summary>Every request, as "METHOD /path".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The form of each token request that was granted.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Granted { get; } = new();

    public Uri AuthorityHost => new(_app.Urls.First() + "/");

    /// <summary>What the dock station needs to trust this endpoint's own certificate (and nothing else's).</summary>
    public HttpMessageHandler TrustingHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString() == _serverCertificate.GetCertHashString(),
        },
    };

    /// <summary>Accepts the app by <paramref name="secret"/>, or by assertions signed with <paramref name="clientCertificate"/>.</summary>
    public static async Task<FakeEntra> StartAsync(Func<string> mint, string? secret = null, X509Certificate2? clientCertificate = null)
    {
        var serverCertificate = SelfSigned("CN=127.0.0.1", server: true);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(serverCertificate)));
        var app = builder.Build();
        var entra = new FakeEntra(app, serverCertificate);
        app.Use(async (context, next) =>
        {
            entra.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await next(context);
        });
        app.MapPost("/{tenant}/oauth2/v2.0/token", async (HttpContext context, string tenant) =>
        {
            var form = (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
            var refusal = tenant != TenantId ? "AADSTS90002: Tenant not found."
                : form.GetValueOrDefault("client_id") != ClientId || form.GetValueOrDefault("grant_type") != "client_credentials"
                    ? "AADSTS700016: Application not found in the directory."
                : secret is not null && form.GetValueOrDefault("client_secret") != secret ? "AADSTS7000215: Invalid client secret provided."
                : clientCertificate is not null && !SignedBy(form.GetValueOrDefault("client_assertion"), clientCertificate)
                    ? "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
                : null;
            if (refusal is not null)
            {
                return Results.Json(new { error = "invalid_client", error_description = refusal }, statusCode: StatusCodes.Status401Unauthorized);
            }

            entra.Granted.Enqueue(form);
            return Results.Json(new { token_type = "Bearer", expires_in = 3600, ext_expires_in = 3600, access_token = mint() });
        });
        await app.StartAsync();
        return entra;
    }

    /// <summary>A self-signed RSA certificate with its private key, usable for TLS or as an app's credential.</summary>
    public static X509Certificate2 SelfSigned(string subject, bool server = false)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        }

        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), password: null);
    }

    // The client assertion: a JWT issued by and about the app, for this endpoint, signed with the certificate's key.
    private static bool SignedBy(string? assertion, X509Certificate2 certificate)
    {
        var parts = assertion?.Split('.');
        if (parts is not { Length: 3 })
        {
            return false;
        }

        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var padding = header.RootElement.GetProperty("alg").GetString() switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        using var key = certificate.GetRSAPublicKey()!;
        return padding is not null
            && claims.RootElement.GetProperty("iss").GetString() == ClientId
            && claims.RootElement.GetProperty("sub").GetString() == ClientId
            && key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, padding);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _serverCertificate.Dispose();
    }
}
