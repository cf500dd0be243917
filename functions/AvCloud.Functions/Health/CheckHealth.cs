using System.Diagnostics;
using AvCloud.Functions.Http;
using Azure.Storage.Blobs;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AvCloud.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>: whether AvCloud can reach its footage storage, its preservation storage and its Cosmos DB
/// database right now. It really calls each (container lookups and a database read), so a green answer means footage
/// can be stored, preserved and catalogued. Anonymous: load balancers and the agency's monitoring call it without a token.
/// </summary>
public sealed partial class CheckHealth(
    BlobServiceClient blobs,
    [FromKeyedServices(BlobContainers.PreservationAccount)] BlobServiceClient preservation,
    Database catalogue,
    TimeProvider time,
    ILogger<CheckHealth> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Function(nameof(CheckHealth))]
    [Anonymous]
    [Answers(StatusCodes.Status200OK, typeof(HealthReport))]
    [Answers(StatusCodes.Status503ServiceUnavailable, typeof(HealthReport))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var storage = await Probe("blobStorage", async ct =>
            await blobs.GetBlobContainerClient(BlobContainers.Footage).ExistsAsync(ct), cancellationToken);
        var secondCopies = await Probe("preservationStorage", async ct =>
            await preservation.GetBlobContainerClient(BlobContainers.Preservation).ExistsAsync(ct), cancellationToken);
        var cosmos = await Probe("cosmosDb", async ct =>
            await catalogue.ReadAsync(cancellationToken: ct), cancellationToken);

        var healthy = storage.Reachable && secondCopies.Reachable && cosmos.Reachable;
        var report = new HealthReport(
            healthy ? "healthy" : "unhealthy",
            time.GetUtcNow(),
            new Dictionary<string, DependencyHealth> { [storage.Name] = storage, [secondCopies.Name] = secondCopies, [cosmos.Name] = cosmos });
        return healthy
            ? TypedResults.Ok(report)
            : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private async Task<DependencyHealth> Probe(string name, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await call(timeout.Token);
            return new DependencyHealth(name, true, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The reason goes to the log; the anonymous caller learns only that the dependency is unreachable.
            LogUnreachable(logger, exception, name);
            return new DependencyHealth(name, false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, "unreachable");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check: {Dependency} is unreachable")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, string dependency);
}

public sealed record HealthReport(string Status, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, DependencyHealth> Dependencies);

public sealed record DependencyHealth(
    [property: System.Text.Json.Serialization.JsonIgnore] string Name,
    bool Reachable,
    double LatencyMs,
    string? Error);
