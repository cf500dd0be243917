using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace AvCloud.Tests.Hosting;

/// <summary>What the probe functions saw, for tests to assert on.</summary>
public sealed class ProbeLog
{
    public ConcurrentQueue<string> Blobs { get; } = new();

    public ConcurrentQueue<TimerInfo> Ticks { get; } = new();

    public int CountBlob(string name) => Blobs.Count(b => b == name);
}

// Functions that exist only in the test assembly, served by the local host next to the app's own, so the
// hosting itself (blob webhook, timers, middleware) is tested without depending on any feature.

public sealed class RecordProbeBlob(ProbeLog log)
{
    public const string Container = "probe";

    [Function(nameof(RecordProbeBlob))]
    public async Task Run(
        [BlobTrigger(Container + "/{name}", Source = BlobTriggerSource.EventGrid)] BlobClient blob,
        string name,
        CancellationToken cancellationToken)
    {
        // Reads the blob, as a real handler would, to prove the client it was given works.
        await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        log.Blobs.Enqueue(name);
    }
}

public sealed class TickProbe(ProbeLog log)
{
    [Function(nameof(TickProbe))]
    public void Run([TimerTrigger("0 30 3 * * *")] TimerInfo timer) => log.Ticks.Enqueue(timer);
}

public sealed class FailProbe
{
    [Function(nameof(FailProbe))]
    [Anonymous]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/probe/fail")] HttpRequest request) =>
        throw (string?)request.Query["as"] switch
        {
            "cosmos-throttled" => new Microsoft.Azure.Cosmos.CosmosException("secret throttle", System.Net.HttpStatusCode.TooManyRequests, 3200, "activity", 1),
            "storage-unavailable" => new Azure.RequestFailedException(503, "secret storage detail"),
            "storage-refused" => new Azure.RequestFailedException(409, "secret storage detail"),
            _ => new InvalidOperationException("secret internal detail /var/lib/avcloud"),
        };
}

public sealed class EchoProbe
{
    public sealed record Echo(string Text);

    [Function(nameof(EchoProbe))]
    [Anonymous]
    public IResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/probe/echo/{id:int}")] HttpRequest request,
        [FromBody] Echo body,
        int id)
    {
        if (string.IsNullOrWhiteSpace(body.Text))
        {
            throw ProblemException.Invalid("text", "Text must not be empty.");
        }

        return TypedResults.Ok(new { id, body.Text });
    }
}

/// <summary>Never served: polling blob triggers are not how AvCloud runs, and the host must say so.</summary>
public sealed class PollingProbe
{
    [Function(nameof(PollingProbe))]
    public void Run([BlobTrigger("polled/{name}")] string content)
    {
    }
}
