using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// The campaign's users' HTTP client: times every call by operation, retries what a well-behaved client retries
/// (429 and 503 after the hint they carry, other 5xx and dropped connections after a short back-off), counts retries by
/// cause, and keeps every 5xx with whether it carried a retry hint, for the invariants.
/// </summary>
internal sealed class ApiClient(HttpClient http, Func<bool> hostDown)
{
    private const int Attempts = 5;

    /// <summary>How long a client keeps trying to reach a host that does not answer (killed, restarting) before it gives up.</summary>
    private static readonly TimeSpan Unreachable = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _timings = new();
    private readonly ConcurrentDictionary<string, int> _retries = new();

    public sealed record ServerError(string Operation, string Path, int Status, bool Hinted, DateTimeOffset Sent, DateTimeOffset Answered);

    public ConcurrentBag<ServerError> ServerErrors { get; } = [];

    public IReadOnlyDictionary<string, ConcurrentBag<double>> Timings => _timings;

    public IReadOnlyDictionary<string, int> Retries => _retries;

    /// <summary>Sends until answered with something other than a transient failure, or the attempts run out (then the last answer, or null).</summary>
    public async Task<HttpResponseMessage?> SendAsync(string operation, HttpMethod method, string path, string token, object? body = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default)
    {
        var first = DateTimeOffset.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: AvCloudJson.Options) };
            request.Headers.Authorization = new("Bearer", token);
            var sent = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, completion, cancellationToken);
            }
            catch (HttpRequestException) when (hostDown() && DateTimeOffset.UtcNow - first < Unreachable && !cancellationToken.IsCancellationRequested)
            {
                // The host was killed: the request may or may not have been acted on; asked again once the host is back.
                Count("connection failed: host killed, retried");
                attempt--;
                await Task.Delay(250, cancellationToken);
                continue;
            }
            catch (HttpRequestException) when (attempt < Attempts && !cancellationToken.IsCancellationRequested)
            {
                Count("connection failed, retried");
                await Task.Delay(100 * attempt, cancellationToken);
                continue;
            }
            catch (HttpRequestException)
            {
                Count("connection failed, gave up");
                return null;
            }

            _timings.GetOrAdd(operation, _ => []).Add(clock.Elapsed.TotalMilliseconds);
            var status = (int)response.StatusCode;
            if (status < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            var hint = RetryHint(response);
            if (status >= 500)
            {
                ServerErrors.Add(new ServerError(operation, path, status, hint is not null, sent, DateTimeOffset.UtcNow));
            }

            if (attempt == Attempts)
            {
                Count($"{status}, gave up");
                return response;
            }

            Count(hint is null ? $"{status} without a retry hint" : $"{status} with a retry hint");
            response.Dispose();
            await Task.Delay(hint ?? TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
        }
    }

    /// <summary>Retry-After (seconds) or x-ms-retry-after-ms, as the service sends it.</summary>
    internal static TimeSpan? RetryHint(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta
        ?? (response.Headers.TryGetValues("x-ms-retry-after-ms", out var values) && double.TryParse(values.First(), System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms) : null);

    public void Count(string cause, int times = 1) => _retries.AddOrUpdate(cause, times, (_, n) => n + times);

    public void Time(string operation, double milliseconds) => _timings.GetOrAdd(operation, _ => []).Add(milliseconds);
}
