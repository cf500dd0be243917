using System.Diagnostics;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Ingest;
using AvCloud.Local;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Benchmarks;

/// <summary>
/// The retention sweep's query (status and retention date) over 1,000 expired records among 10,000 and among 100,000:
/// its time, and how many documents it hands back to the sweep, against the Cosmos stand-in.
/// </summary>
internal static class SweepScenario
{
    public sealed record Result(int Total, int Expired, int Returned, double QueryMs);

    public static async Task<IReadOnlyList<Result>> RunAsync()
    {
        var results = new List<Result>();
        foreach (var total in new[] { 10_000, 100_000 })
        {
            await using var cloud = await LocalCloud.StartAsync(new LocalCloudOptions
            {
                Port = 0, AzuritePort = 0, CosmosPort = 0, RunTimerSchedules = false, MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
            });
            var footage = cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Footage);
            var now = DateTimeOffset.UtcNow;
            await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var expired = i < 1000;
                var start = now.AddMonths(expired ? -30 : -1).AddMinutes(-i);
                await footage.CreateItemAsync(Record($"r{i:D6}", $"unit-{i % 20}", start, start.AddMonths(24)), new PartitionKey($"unit-{i % 20}"), cancellationToken: ct);
            });

            var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status = @status AND c.retentionUntil <= @now")
                .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@status", "available").WithParameter("@now", now);
            var clock = Stopwatch.StartNew();
            var returned = 0;
            using (var feed = footage.GetItemQueryIterator<FootageRecord>(query))
            {
                while (feed.HasMoreResults)
                {
                    var page = await feed.ReadNextAsync();
                    returned += page.Count;
                }
            }

            results.Add(new Result(total, 1000, returned, clock.Elapsed.TotalMilliseconds));
        }

        return results;
    }

    private static FootageRecord Record(string id, string unit, DateTimeOffset start, DateTimeOffset until) => new()
    {
        Id = id, UnitId = unit, Sha256 = id, Size = 1, Kind = MediaKind.Video, BlobName = $"{unit}/{id}.mp4", DeviceId = "d", OfficerId = "o", DockId = "k",
        RecordedStart = start, RecordedEnd = start, ClockDriftSeconds = 0, CorrectedStart = start, CorrectedEnd = start, DockedAt = start,
        CataloguedAt = start, HandoverDeadline = start, HandedOverInTime = true, DockedToCataloguedSeconds = 0, RetentionUntil = until, Uploads = [],
    };
}
