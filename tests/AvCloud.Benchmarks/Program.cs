using System.Globalization;
using AvCloud.Benchmarks;

// ./avcloud bench [operations]: scenario benchmarks; results go into docs/performance.md by hand, with the machine.
Environment.SetEnvironmentVariable("COSMOS_DISABLE_IMDS_ACCESS", "true");
var operations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;

var results = await CosmosLauncherScenario.RunAsync(operations);
Console.WriteLine($"Cosmos stand-in, {operations} operations each, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
Console.WriteLine("| server | point read p50 (ms) | point read p95 (ms) | reads/s | creates/s (sequential) | creates/s (8 parallel) |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Server} | {r.ReadP50Ms:F2} | {r.ReadP95Ms:F2} | {r.ReadsPerSecond:F0} | {r.CreatesPerSecond:F0} | {r.ParallelCreatesPerSecond:F0} |"));
}

var (shipped, launcher) = (results[0], results[1]);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Launcher vs shipped: point-read p50 {shipped.ReadP50Ms / launcher.ReadP50Ms:F2}x faster, reads/s {launcher.ReadsPerSecond / shipped.ReadsPerSecond:F2}x, sequential creates/s {launcher.CreatesPerSecond / shipped.CreatesPerSecond:F2}x, parallel creates/s {launcher.ParallelCreatesPerSecond / shipped.ParallelCreatesPerSecond:F2}x"));
