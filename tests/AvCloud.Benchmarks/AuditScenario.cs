using System.Diagnostics;
using AvCloud.Functions.Audit;
using AvCloud.Local;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Benchmarks;

/// <summary>
/// Audited-write throughput of <see cref="AuditTrail"/> against the local cloud's Cosmos stand-in: one writer, eight
/// writers on eight units (no contention), eight writers on one unit (every writer races for the next number), and one
/// writer appending batches of 50 with <see cref="AuditTrail.AppendAllAsync"/> (what a read-link issuance does).
/// </summary>
internal static class AuditScenario
{
    public sealed record Result(string Case, int Events, double EventsPerSecond);

    public static async Task<IReadOnlyList<Result>> RunAsync(int events)
    {
        await using var cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            Port = 0, AzuritePort = 0, CosmosPort = 0, RunTimerSchedules = false, MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
        });
        var trail = cloud.Services.GetRequiredService<AuditTrail>();
        await trail.AppendAsync(Entry("warm-up"), CancellationToken.None);

        return
        [
            await MeasureAsync("1 writer, 1 unit", events, 1, writer => "solo", trail),
            await MeasureAsync("8 writers, 8 units (no contention)", events, 8, writer => $"unit-{writer}", trail),
            await MeasureAsync("8 writers, 1 unit (contention)", events, 8, writer => "shared", trail),
            await MeasureAsync("1 writer, 1 unit, batches of 50", events, 1, writer => "batched", trail, batch: 50),
        ];
    }

    private static AuditEntry Entry(string unit) =>
        new(unit, "keeper-1", "Keeper", AuditAction.FootageRead, $"footage/{Guid.NewGuid():N}", AuditOutcomes.Success,
            new Dictionary<string, string> { ["case"] = "2026-17" });

    private static async Task<Result> MeasureAsync(string name, int events, int writers, Func<int, string> unitOf, AuditTrail trail, int batch = 1)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var perWriter = events / writers / batch * batch;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i += batch)
            {
                var unit = $"{unitOf(writer)}-{run}";
                if (batch == 1)
                {
                    await trail.AppendAsync(Entry(unit), CancellationToken.None);
                }
                else
                {
                    await trail.AppendAllAsync([.. Enumerable.Range(0, batch).Select(_ => Entry(unit))], CancellationToken.None);
                }
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var total = perWriter * writers;
        return new Result(name, total, total / elapsed);
    }
}
