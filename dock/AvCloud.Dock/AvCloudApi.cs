using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;

namespace AvCloud.DockSync;

/// <summary>The manifest a dock sends (the AvCloud API's contract).</summary>
public sealed record Manifest(string DockId, string DeviceId, string OfficerId, DateTimeOffset DockedAt, DateTimeOffset DeviceClockAtDocking,
    IReadOnlyList<ManifestFile> Files);

public sealed record ManifestFile(string Name, string Kind, long Size, string Sha256, DateTimeOffset RecordedStart, DateTimeOffset RecordedEnd,
    string? ActivityId, string? Category);

public sealed record UploadTarget(string Name, Uri UploadUrl);

public sealed record SessionOpened(string SessionId, DateTimeOffset ExpiresAt, double ClockDriftSeconds, IReadOnlyList<UploadTarget> Files);

public sealed record SessionFile(string Name, string State, string? Reason, string? FootageId);

public sealed record SessionState(string Id, IReadOnlyList<SessionFile> Files);

public sealed record StagedBlock(string Name, long Size);

public sealed record ActivityRef(string Id);

public sealed record ActivityPage(IReadOnlyList<ActivityRef> Items, string? ContinuationToken);

public sealed record UploadBlocks(string Name, bool Committed, long CommittedBytes, IReadOnlyList<StagedBlock> Uncommitted);

/// <summary>The AvCloud HTTP API as the dock uses it: open sessions, ask what storage holds, read file states.</summary>
public sealed class AvCloudApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, ValueTask<string>> _token;

    public AvCloudApi(DockSettings settings, HttpMessageHandler? handler = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null)
        {
            BaseAddress = settings.Api.AbsoluteUri.EndsWith('/') ? settings.Api : new Uri(settings.Api.AbsoluteUri + "/"),
            Timeout = TimeSpan.FromSeconds(100),
        };
        _token = TokenSource(settings.Auth, handler);
    }

    public async Task<SessionOpened> OpenSessionAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "uploads", JsonContent.Create(manifest, options: DockSettings.Json), cancellationToken);
        return (await response.Content.ReadFromJsonAsync<SessionOpened>(DockSettings.Json, cancellationToken))!;
    }

    public async Task<SessionState> SessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"uploads/{Uri.EscapeDataString(sessionId)}", null, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<SessionState>(DockSettings.Json, cancellationToken))!;
    }

    public async Task<UploadBlocks> BlocksAsync(string sessionId, string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"uploads/{Uri.EscapeDataString(sessionId)}/files/{Uri.EscapeDataString(name)}/blocks", null, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<UploadBlocks>(DockSettings.Json, cancellationToken))!;
    }

    /// <summary>Transient failures (no connection, 5xx, 408, 429) are retried with exponential backoff and jitter; others are not.</summary>
    /// <summary>The unit's activities flagged urgent that started since <paramref name="since"/>: their recordings go first.</summary>
    public async Task<IReadOnlySet<string>> UrgentActivitiesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var urgent = new HashSet<string>(StringComparer.Ordinal);
        string? continuation = null;
        do
        {
            var path = $"activities?urgent=true&pageSize=200&from={Uri.EscapeDataString(since.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}"
                + (continuation is null ? "" : $"&continuationToken={Uri.EscapeDataString(continuation)}");
            using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
            var page = (await response.Content.ReadFromJsonAsync<ActivityPage>(DockSettings.Json, cancellationToken))!;
            urgent.UnionWith(page.Items.Select(a => a.Id));
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return urgent;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(method, path, body, cancellationToken);
            }
            catch (Exception exception) when (attempt < 6 && exception is HttpRequestException or ApiException { Permanent: false } or TaskCanceledException
                && !cancellationToken.IsCancellationRequested)
            {
                Retries++;
                await Task.Delay(Backoff.Delay(attempt), cancellationToken);
            }
        }
    }

    /// <summary>How many calls to AvCloud were retried.</summary>
    public int Retries { get; private set; }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _token(cancellationToken));
        var response = await _http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var problem = await response.Content.ReadAsStringAsync(cancellationToken);
        response.Dispose();
        throw new ApiException(response.StatusCode, $"AvCloud answered {(int)response.StatusCode} to {method} {path}: {problem}");
    }

    private static Func<CancellationToken, ValueTask<string>> TokenSource(DockAuth auth, HttpMessageHandler? handler)
    {
        if (auth.TokenFile is { } file)
        {
            return _ => ValueTask.FromResult(File.Exists(file)
                ? File.ReadAllText(file).Trim()
                : throw new DockException($"The token file {file} is missing: write a Dock token to it (./avcloud token --role Dock ...)."));
        }

        // In Azure: the dock's own app registration, by certificate or a secret from the environment. The credential
        // keeps the token and renews it before it expires.
        var credential = auth.CertificatePath is { } certificate
            ? new ClientCertificateCredential(auth.TenantId, auth.ClientId, LoadCertificate(certificate),
                SignInOptions(new ClientCertificateCredentialOptions { DisableInstanceDiscovery = auth.DisableInstanceDiscovery }, auth, handler))
            : (TokenCredential)new ClientSecretCredential(auth.TenantId, auth.ClientId,
                Environment.GetEnvironmentVariable(auth.ClientSecretVariable!) ?? throw new DockException($"The environment variable {auth.ClientSecretVariable} is not set."),
                SignInOptions(new ClientSecretCredentialOptions { DisableInstanceDiscovery = auth.DisableInstanceDiscovery }, auth, handler));
        var context = new TokenRequestContext([auth.Scope!]);
        return async cancellationToken =>
        {
            try
            {
                return (await credential.GetTokenAsync(context, cancellationToken)).Token;
            }
            catch (AuthenticationFailedException exception)
            {
                // Entra ID's own answer (an AADSTS code and what it means) is what the IT staff can act on.
                var answer = (exception.InnerException ?? exception).Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
                throw new DockException($"Signing in to Entra ID as app {auth.ClientId} of tenant {auth.TenantId} failed: {answer}");
            }
        };
    }

    private static T SignInOptions<T>(T options, DockAuth auth, HttpMessageHandler? handler)
        where T : TokenCredentialOptions
    {
        options.AuthorityHost = auth.AuthorityHost ?? AzureAuthorityHosts.AzurePublicCloud;
        if (handler is not null)
        {
            options.Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(handler, disposeHandler: false));
        }

        return options;
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        try
        {
            return path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new DockException($"The client certificate {path} cannot be read ({exception.Message}); it needs the certificate and its private key.");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Exponential backoff with full jitter: 0.5 s, 1 s, 2 s ... up to 30 s, each scaled by a random factor.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, attempt - 1)) * (0.5 + (Random.Shared.NextDouble() / 2)));
}

/// <summary>An answer from AvCloud other than success; 4xx ones are permanent (retrying would not help).</summary>
public sealed class ApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public bool Permanent => (int)Status is >= 400 and < 500 and not 408 and not 429;
}
