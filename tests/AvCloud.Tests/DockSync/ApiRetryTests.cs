using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AvCloud.DockSync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AvCloud.Tests.DockSync;

/// <summary>
/// How the dock's calls to AvCloud meet failures, against an AvCloud stand-in on loopback that answers from a script:
/// transient ones are retried a bounded number of times, Retry-After is honoured, 4xx answers and a stopped run are not
/// retried. The backoff is recorded by the clock the retries wait on instead of being waited for.
/// </summary>
public sealed class ApiRetryTests : IDisposable
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private readonly string _home = Directory.CreateTempSubdirectory("avdock-retry-").FullName;

    private readonly RecordedWaits _waits = new();

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private AvCloudApi Api(Uri api)
    {
        var token = Path.Combine(_home, "token");
        File.WriteAllText(token, "a dock token");
        var settings = new DockSettings { Api = api, DockId = "dock-3", Journal = Path.Combine(_home, "journal.json"), Auth = new DockAuth { TokenFile = token } };
        return new AvCloudApi(settings, time: _waits);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_call_answered_with_a_transient_failure_then_200_succeeds_after_retrying(HttpStatusCode transient)
    {
        await using var avcloud = await ScriptedAvCloud.StartAsync(new Answer(transient), new Answer(transient));
        using var api = Api(avcloud.Api);

        var session = await api.SessionAsync("s-1", Cancel);

        Assert.Equal("s-1", session.Id);
        Assert.Equal(3, avcloud.Calls);
        Assert.Equal(2, api.Retries);
        // Exponential backoff with jitter, never beyond its cap.
        Assert.Equal(2, _waits.Delays.Count);
        Assert.All(_waits.Delays, d => Assert.InRange(d, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30)));
        // Each attempt signs in again: a renewed token file is picked up between two attempts.
        Assert.All(avcloud.Authorizations, a => Assert.Equal("Bearer a dock token", a));
    }

    [Fact]
    public async Task A_429_with_Retry_After_waits_as_long_as_AvCloud_asks()
    {
        await using var avcloud = await ScriptedAvCloud.StartAsync(new Answer(HttpStatusCode.TooManyRequests, RetryAfter: "7"));
        using var api = Api(avcloud.Api);

        await api.SessionAsync("s-1", Cancel);

        Assert.Equal(2, avcloud.Calls);
        Assert.Equal([TimeSpan.FromSeconds(7)], _waits.Delays);
    }

    [Fact]
    public async Task A_Retry_After_of_hours_is_cut_to_five_minutes()
    {
        await using var avcloud = await ScriptedAvCloud.StartAsync(new Answer(HttpStatusCode.ServiceUnavailable, RetryAfter: "7200"));
        using var api = Api(avcloud.Api);

        await api.SessionAsync("s-1", Cancel);

        Assert.Equal([TimeSpan.FromMinutes(5)], _waits.Delays);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    public async Task A_4xx_answer_is_permanent_and_not_retried(HttpStatusCode permanent)
    {
        await using var avcloud = await ScriptedAvCloud.StartAsync(new Answer(permanent));
        using var api = Api(avcloud.Api);

        var refused = await Assert.ThrowsAsync<ApiException>(() => api.SessionAsync("s-1", Cancel));

        Assert.Equal(permanent, refused.Status);
        Assert.True(refused.Permanent);
        Assert.Contains($"AvCloud answered {(int)permanent} to GET uploads/s-1", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, avcloud.Calls);
        Assert.Equal(0, api.Retries);
        Assert.Empty(_waits.Delays);
    }

    [Fact]
    public async Task A_failure_that_lasts_is_retried_five_times_and_then_reported()
    {
        await using var avcloud = await ScriptedAvCloud.StartAsync([.. Enumerable.Repeat(new Answer(HttpStatusCode.ServiceUnavailable), 10)]);
        using var api = Api(avcloud.Api);

        var failed = await Assert.ThrowsAsync<ApiException>(() => api.SessionAsync("s-1", Cancel));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.False(failed.Permanent);
        Assert.Equal(1 + ApiRetry.MaxRetries, avcloud.Calls);
        Assert.Equal(ApiRetry.MaxRetries, api.Retries);
        Assert.Equal(ApiRetry.MaxRetries, _waits.Delays.Count);
    }

    [Fact]
    public async Task No_connection_is_retried_and_then_reported()
    {
        // A port nothing listens on: every attempt is refused at the connection.
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var api = Api(new Uri($"http://127.0.0.1:{port}/api/"));

        await Assert.ThrowsAsync<HttpRequestException>(() => api.SessionAsync("s-1", Cancel));

        Assert.Equal(ApiRetry.MaxRetries, api.Retries);
        Assert.Equal(ApiRetry.MaxRetries, _waits.Delays.Count);
    }

    [Fact]
    public async Task A_call_stopped_by_the_run_is_not_retried()
    {
        await using var avcloud = await ScriptedAvCloud.StartAsync(new Answer(HttpStatusCode.OK, Hang: true));
        using var api = Api(avcloud.Api);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var call = api.SessionAsync("s-1", stop.Token);
        await avcloud.FirstCall.WaitAsync(Cancel);
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, avcloud.Calls);
        Assert.Equal(0, api.Retries);
        Assert.Empty(_waits.Delays);
    }

    /// <summary>A clock whose timers fire at once: each wait the retries ask for is recorded, not waited for.</summary>
    private sealed class RecordedWaits : TimeProvider
    {
        private readonly ConcurrentQueue<TimeSpan> _delays = new();

        public IReadOnlyList<TimeSpan> Delays => [.. _delays];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _delays.Enqueue(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private sealed record Answer(HttpStatusCode Status, string? RetryAfter = null, bool Hang = false);

    /// <summary>AvCloud's upload-session API on loopback: each call gets the next answer of its script, then 200.</summary>
    private sealed class ScriptedAvCloud : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<Answer> _script;
        private readonly TaskCompletionSource _firstCall = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        private ScriptedAvCloud(WebApplication app, IEnumerable<Answer> script)
        {
            _app = app;
            _script = new ConcurrentQueue<Answer>(script);
        }

        public Uri Api => new(_app.Urls.First() + "/api/");

        public int Calls => Volatile.Read(ref _calls);

        public ConcurrentQueue<string> Authorizations { get; } = new();

        public Task FirstCall => _firstCall.Task;

        public static async Task<ScriptedAvCloud> StartAsync(params Answer[] script)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var avcloud = new ScriptedAvCloud(app, script);
            app.MapGet("/api/uploads/{id}", avcloud.AnswerAsync);
            await app.StartAsync();
            return avcloud;
        }

        private async Task<IResult> AnswerAsync(HttpContext context, string id)
        {
            Interlocked.Increment(ref _calls);
            Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            _firstCall.TrySetResult();
            var answer = _script.TryDequeue(out var next) ? next : new Answer(HttpStatusCode.OK);
            if (answer.Hang)
            {
                // A server that never answers: the call ends only when the client gives up.
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            if (answer.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = answer.RetryAfter;
            }

            return answer.Status == HttpStatusCode.OK
                ? Results.Json(new SessionState(id, []), DockSettings.Json)
                : Results.Problem(title: "scripted failure", statusCode: (int)answer.Status);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
