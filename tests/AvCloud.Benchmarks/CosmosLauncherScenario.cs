using System.Diagnostics;
using System.Globalization;
using AvCloud.Functions;
using AvCloud.Local;
using AvCloud.Local.Emulators;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;

namespace AvCloud.Benchmarks;

/// <summary>
/// Point-read latency and create throughput of the Cosmos stand-in through AvCloud's own client settings
/// (Gateway mode, System.Text.Json), for the pinned package as shipped and behind AvCloud's launcher, in one run
/// on one machine, so the two can be compared as ratios.
/// </summary>
internal static class CosmosLauncherScenario
{
    private sealed record Doc(string Id, string UnitId, string Payload);

    public sealed record Result(string Server, double ReadP50Ms, double ReadP95Ms, double ReadsPerSecond, double CreatesPerSecond, double ParallelCreatesPerSecond);

    public static async Task<IReadOnlyList<Result>> RunAsync(int operations)
    {
        var local = Emulator.FindLocalDirectory();
        var results = new List<Result>();
        foreach (var (name, script, extra) in new[]
        {
            ("@vercel/cosmosdb-server 1.0.1 as shipped", Path.Combine("node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js"), new[] { "--no-ssl" }),
            ("AvCloud launcher", Path.Combine("cosmos", "launcher.js"), Array.Empty<string>()),
        })
        {
            var port = Emulator.PickPort(0);
            var endpoint = new Uri($"http://127.0.0.1:{port}/");
            string[] arguments = ["--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), .. extra];
            await using var process = NodeProcess.Start(name, local, script, arguments, NullLogger.Instance);
            await Emulator.WaitUntilAnsweringAsync(process, name, endpoint, needsSuccess: true, CancellationToken.None);
            results.Add(await MeasureAsync(name, endpoint, operations));
        }

        return results;
    }

    private static async Task<Result> MeasureAsync(string name, Uri endpoint, int operations)
    {
        using var client = new CosmosClient(endpoint.ToString(), LocalCloud.CosmosKey, new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            UseSystemTextJsonSerializerWithOptions = AvCloudJson.Options,
        });
        var database = (await client.CreateDatabaseIfNotExistsAsync("bench")).Database;
        var container = (await database.CreateContainerIfNotExistsAsync("items", "/unitId")).Container;
        var payload = new string('x', 512);
        var key = new PartitionKey("unit-a");

        // Creates, one after another.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < operations; i++)
        {
            await container.CreateItemAsync(new Doc($"s{i}", "unit-a", payload), key);
        }

        var creates = operations / clock.Elapsed.TotalSeconds;

        // Creates, eight at a time (several dock uploads catalogued at once).
        clock.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, operations), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await container.CreateItemAsync(new Doc($"p{i}", "unit-a", payload), key, cancellationToken: ct));
        var parallelCreates = operations / clock.Elapsed.TotalSeconds;

        // Point reads: warm up, then time each one.
        for (var i = 0; i < 50; i++)
        {
            await container.ReadItemAsync<Doc>($"s{i}", key);
        }

        var latencies = new double[operations];
        clock.Restart();
        for (var i = 0; i < operations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await container.ReadItemAsync<Doc>($"s{i % operations}", key);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        var reads = operations / clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Result(name, latencies[operations / 2], latencies[(int)(operations * 0.95)], reads, creates, parallelCreates);
    }
}
