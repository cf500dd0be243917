using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using Polly;
using Polly.Retry;

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

/// <summary>An activity as AvCloud lists it; <see cref="HandoverFrom"/> is its end, or for one away from the unit the officers' return (Art. 13).</summary>
public sealed record ActivityRef(string Id, DateTimeOffset End, bool Urgent, DateTimeOffset? HandoverFrom = null);

public sealed record ActivityPage(IReadOnlyList<ActivityRef> Items, string? ContinuationToken);

public sealed record UploadBlocks(string Name, bool Committed, long CommittedBytes, IReadOnlyList<StagedBlock> Uncommitted);

/// <summary>The AvCloud HTTP API as the dock uses it: open sessions, ask what storage holds, read file states.</summary>
public sealed class AvCloudApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, ValueTask<string>> _token;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private int _retries;

    /// <param name="settings">The dock's settings: the API address and how to sign in.</param>
    /// <param name="handler">Sends the requests (AvCloud's and Entra ID's); a fresh one when not given.</param>
    /// <param name="time">The clock the retries wait on; tests give one that does not make them wait.</param>
    public AvCloudApi(DockSettings settings, HttpMessageHandler? handler = null, TimeProvider? time = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null)
        {
            BaseAddress = settings.Api.AbsoluteUri.EndsWith('/') ? settings.Api : new Uri(settings.Api.AbsoluteUri + "/"),
            Timeout = TimeSpan.FromSeconds(100),
        };
        _token = TokenSource(settings.Auth, handler);
        _retry = ApiRetry.Pipeline(time ?? TimeProvider.System, () => Interlocked.Increment(ref _retries));
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

    /// <summary>
    /// The unit's activities that started since <paramref name="since"/>: the urgent ones' recordings go first, and each
    /// one's end sets the handover deadline of the recordings that name it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ActivityRef>> ActivitiesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var activities = new Dictionary<string, ActivityRef>(StringComparer.Ordinal);
        string? continuation = null;
        do
        {
            var path = $"activities?pageSize=200&from={Uri.EscapeDataString(since.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}"
                + (continuation is null ? "" : $"&continuationToken={Uri.EscapeDataString(continuation)}");
            using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
            var page = (await response.Content.ReadFromJsonAsync<ActivityPage>(DockSettings.Json, cancellationToken))!;
            foreach (var activity in page.Items)
            {
                activities[activity.Id] = activity;
            }

            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return activities;
    }

    /// <summary>Transient failures are retried (see <see cref="ApiRetry"/>); any other answer but success is an <see cref="ApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken);
        var response = await _retry.ExecuteAsync(async token => await SendOnceAsync(method, path, body, token), cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var problem = await response.Content.ReadAsStringAsync(cancellationToken);
        response.Dispose();
        throw new ApiException(response.StatusCode, $"AvCloud answered {(int)response.StatusCode} to {method} {path}: {problem}");
    }

    /// <summary>How many calls to AvCloud were retried.</summary>
    public int Retries => Volatile.Read(ref _retries);

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        // The token is asked for on every attempt: the token file may have been renewed, the credential renews its own.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _token(cancellationToken));
        return await _http.SendAsync(request, cancellationToken);
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

/// <summary>
/// How calls to AvCloud are retried: transient failures (no connection, a timed-out attempt, 5xx, 408, 429) up to
/// <see cref="MaxRetries"/> times, after the wait the answer's Retry-After asks for or else with exponential backoff and
/// jitter from 0.5 s up to 30 s. Other 4xx answers are permanent, and a run that is being stopped is not retried.
/// </summary>
public static class ApiRetry
{
    public const int MaxRetries = 5;

    // A proxy that asks for hours must not hold a pass, and the files behind it, past their 24-hour deadline (Art. 13).
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromMinutes(5);

    public static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    public static ResiliencePipeline<HttpResponseMessage> Pipeline(TimeProvider time, Action retrying) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldHandle = arguments => ValueTask.FromResult(Retry(arguments.Outcome, arguments.Context.CancellationToken)),
                DelayGenerator = arguments => ValueTask.FromResult(RetryAfter(arguments.Outcome.Result, time)),
                OnRetry = _ =>
                {
                    retrying();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    private static bool Retry(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken) => outcome switch
    {
        { Exception: HttpRequestException } => true,
        // HttpClient's timeout of one attempt, not a stop the caller asked for.
        { Exception: OperationCanceledException } => !cancellationToken.IsCancellationRequested,
        { Result: { } response } => IsTransient(response.StatusCode),
        _ => false,
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        var asked = response?.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => TimeSpan.Zero,
        };
        return asked > TimeSpan.Zero ? (asked < LongestRetryAfter ? asked : LongestRetryAfter) : null;
    }
}

/// <summary>An answer from AvCloud other than success; 4xx ones are permanent (retrying would not help).</summary>
public sealed class ApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public bool Permanent => (int)Status is >= 400 and < 500 && !ApiRetry.IsTransient(Status);
}
