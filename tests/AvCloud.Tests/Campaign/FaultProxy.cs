using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// How often the proxy answers for the service instead of it, per request; each draw is independent.
/// <paramref name="ResetAfterActing"/>: the request goes through, the service acts and answers, and the connection is
/// reset before the answer reaches the client (the client cannot tell whether anything happened).
/// </summary>
public sealed record FaultRates(double TooManyRequests, double Unavailable, double Reset, double Latency, TimeSpan AddedLatency, double ResetAfterActing = 0)
{
    public static FaultRates None { get; } = new(0, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Total chance that a request meets a fault of any kind.</summary>
    public double Total => TooManyRequests + Unavailable + Reset + ResetAfterActing + Latency;
}

/// <summary>
/// A fault-injecting HTTP proxy on loopback in front of the Cosmos stand-in or of storage: what Azure's services do to
/// the function app when they throttle (429 with <c>x-ms-retry-after-ms</c>, as Cosmos DB and Storage answer), fail
/// transiently (503), drop the connection, or answer slowly. Most faults are injected before the request reaches the
/// service, so the service never saw the request the client lost; a "reset after acting" lets the service act and
/// drops its answer, the hardest case for idempotency. What the client does next (retry, give up, answer its own
/// caller) is what the campaign tests. Faults are off until <see cref="Enabled"/> is set.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentDictionary<string, int> _injected = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, string Kind)> _timeline = new();

    private FaultProxy(string name, WebApplication app, HttpClient upstream)
    {
        Name = name;
        _app = app;
        _upstream = upstream;
    }

    public string Name { get; }

    /// <summary>Where clients send their requests instead of the service.</summary>
    public Uri Address { get; private set; } = null!;

    public FaultRates Rates { get; set; } = FaultRates.None;

    public bool Enabled { get; set; }

    /// <summary>Called with each request the service answered (method, path and query, status), when its answer is in.</summary>
    public Action<string, string, int>? Answered { get; set; }

    /// <summary>Faults injected so far, by kind (429, 503, reset, reset after acting, latency).</summary>
    public IReadOnlyDictionary<string, int> Injected => _injected;

    /// <summary>Whether a fault (other than added latency) was injected between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public bool FaultedBetween(DateTimeOffset from, DateTimeOffset to) =>
        _timeline.Any(f => f.Kind != "latency" && f.At >= from && f.At <= to);

    /// <summary>Starts a proxy on a free loopback port that forwards to <paramref name="target"/> (scheme, host and port).</summary>
    public static async Task<FaultProxy> StartAsync(string name, Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false,
            MaxConnectionsPerServer = 64,
        })
        { BaseAddress = target, Timeout = Timeout.InfiniteTimeSpan };
        var proxy = new FaultProxy(name, app, upstream);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        proxy.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var fault = Enabled ? Draw() : null;
        if (fault is not null and not "reset after acting")
        {
            Note(fault);
            switch (fault)
            {
                case "429":
                    // Cosmos DB and Storage both say how long to wait, in milliseconds.
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    context.Response.Headers["x-ms-retry-after-ms"] = "50";
                    context.Response.Headers["x-ms-substatus"] = "3200";
                    await context.Response.WriteAsync("{\"code\":\"TooManyRequests\",\"message\":\"Request rate is large (injected).\"}");
                    return;
                case "503":
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    await context.Response.WriteAsync("{\"code\":\"ServiceUnavailable\",\"message\":\"The service is unavailable (injected).\"}");
                    return;
                case "reset":
                    context.Features.Get<IHttpRequestLifetimeFeature>()!.Abort();
                    return;
                default:
                    await Task.Delay(Rates.AddedLatency);
                    break;
            }
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsDelete(context.Request.Method))
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, header) in context.Request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            var values = (IEnumerable<string?>)header;
            if (!request.Headers.TryAddWithoutValidation(name, values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values);
            }
        }

        // The Host the client addressed goes through unchanged: a server-side copy names its source by the address the
        // client knows (the proxy's), and storage reads it as its own only when the request came to that same host.
        request.Headers.Host = context.Request.Host.Value;
        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        Answered?.Invoke(context.Request.Method, context.Request.Path + context.Request.QueryString, (int)response.StatusCode);
        if (fault == "reset after acting")
        {
            // The service has acted and answered; the answer is read to its end and lost with the connection.
            await response.Content.CopyToAsync(Stream.Null, context.RequestAborted);
            Note(fault);
            context.Features.Get<IHttpRequestLifetimeFeature>()!.Abort();
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private string? Draw()
    {
        var rates = Rates;
        var roll = Random.Shared.NextDouble();
        return roll < rates.TooManyRequests ? "429"
            : roll < rates.TooManyRequests + rates.Unavailable ? "503"
            : roll < rates.TooManyRequests + rates.Unavailable + rates.Reset ? "reset"
            : roll < rates.TooManyRequests + rates.Unavailable + rates.Reset + rates.ResetAfterActing ? "reset after acting"
            : roll < rates.Total ? "latency"
            : null;
    }

    private void Note(string kind)
    {
        _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
        _timeline.Enqueue((DateTimeOffset.UtcNow, kind));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
