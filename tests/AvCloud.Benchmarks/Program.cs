using System.Globalization;
using System.Runtime.InteropServices;
using AvCloud.Benchmarks;

// ./avcloud bench [cosmos|storage|audit|ingest|verify|sweep|access|package|dock|signin|console|all] [count]: scenario benchmarks. Results go into docs/performance.md with the machine.
Environment.SetEnvironmentVariable("COSMOS_DISABLE_IMDS_ACCESS", "true");
var scenario = args.Length > 0 ? args[0] : "all";
if (scenario == "campaign")
{
    Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    return await CampaignCommand.RunAsync(args[1..]);
}

int? count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : null;
// console: the wwwroot of an earlier publish of the console, whose loads are measured in the same run for comparison.
var earlier = args.Length > 2 ? args[2] : null;
Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");

if (scenario is "cosmos" or "all")
{
    var operations = count ?? 2000;
    var results = await CosmosLauncherScenario.RunAsync(operations);
    Console.WriteLine($"Cosmos stand-in, {operations} operations each");
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
}

if (scenario is "storage" or "all")
{
    var rounds = count ?? 3;
    var results = await StorageGatewayScenario.RunAsync(rounds);
    Console.WriteLine($"Blob storage, 256 MiB blob, median of {rounds} interleaved rounds");
    Console.WriteLine("| path | upload MiB/s | download MiB/s |");
    Console.WriteLine("|---|---|---|");
    foreach (var r in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Path} | {r.UploadMiBps:F1} | {r.DownloadMiBps:F1} |"));
    }

    var (direct, gateway) = (results[0], results[1]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Gateway vs direct: upload {gateway.UploadMiBps / direct.UploadMiBps:P1}, download {gateway.DownloadMiBps / direct.DownloadMiBps:P1} of direct throughput"));
}

if (scenario is "audit" or "all")
{
    var events = count ?? 800;
    var results = await AuditScenario.RunAsync(events);
    Console.WriteLine($"Audited writes, {events} events per case");
    Console.WriteLine("| case | events | events/s |");
    Console.WriteLine("|---|---|---|");
    foreach (var r in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Case} | {r.Events} | {r.EventsPerSecond:F0} |"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Contended vs uncontended (8 writers): {results[2].EventsPerSecond / results[1].EventsPerSecond:P0}; 8 uncontended writers vs 1 writer: {results[1].EventsPerSecond / results[0].EventsPerSecond:F2}x"));
}

if (scenario is "ingest" or "all")
{
    await PrintLatencyAsync(count ?? 200);
}

if (scenario is "ingest" or "verify" or "all")
{
    await PrintVerificationAsync();
}

if (scenario is "sweep" or "all")
{
    var sweep = await SweepScenario.RunAsync();
    Console.WriteLine("Retention sweep query, 1,000 expired records");
    Console.WriteLine("| records | expired | returned to the sweep | query ms |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var r in sweep)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Total} | {r.Expired} | {r.Returned} | {r.QueryMs:F0} |"));
    }
}

if (scenario is "access" or "all")
{
    var access = await AccessScenario.RunAsync(50, count ?? 40);
    Console.WriteLine($"One view opened under an approved request of {access.Items} recordings, {access.Rounds} rounds after a warm-up");
    Console.WriteLine("| items | p50 (ms) | p99 (ms) | max (ms) |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {access.Items} | {access.P50Ms:F0} | {access.P99Ms:F0} | {access.MaxMs:F0} |"));
}

if (scenario is "package" or "all")
{
    var rounds = count ?? 3;
    var packages = await PackageScenario.RunAsync(rounds);
    Console.WriteLine($"Evidence packages vs plain downloads of the same blobs (64 MiB recordings), median of {rounds} interleaved rounds");
    Console.WriteLine("| footage | files | plain download MiB/s | package MiB/s | ratio | peak working set above start (MiB) | peak managed heap above start (MiB) | plain CPU s/GiB | SHA-256 pass CPU s/GiB | package CPU s/GiB | package / (plain + 2 SHA-256) |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var p in packages)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {p.Bytes / 1048576} MiB | {p.Files} | {p.PlainMiBps:F1} | {p.PackageMiBps:F1} | {p.PackageMiBps / p.PlainMiBps:F2}x | {p.PeakWorkingSetMiB:F0} | {p.PeakHeapMiB:F0} | {p.PlainCpuPerGiB:F2} | {p.HashCpuPerGiB:F2} | {p.PackageCpuPerGiB:F2} | {p.CpuRatio:F2}x |"));
    }
}

if (scenario is "dock" or "all")
{
    var dock = await DockScenario.RunAsync(4, 256L * 1024 * 1024, count ?? 3);
    Console.WriteLine($"Dock sync vs the SDK's parallel UploadAsync, {dock.Files} x {dock.FileBytes / 1048576} MiB, median of the rounds");
    Console.WriteLine("| block | parallel blocks x files | SDK MiB/s | dock MiB/s (hashing included) | ratio | dock peak memory |");
    Console.WriteLine("|---|---|---|---|---|---|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {dock.BlockBytes / 1048576} MiB | {dock.ParallelBlocks} x {dock.ParallelFiles} | {dock.SdkMiBps:F1} | {dock.DockMiBps:F1} | {dock.DockMiBps / dock.SdkMiBps:F2} | {dock.DockPeakBytes / 1048576.0:F0} MB |"));
}

if (scenario is "signin" or "all")
{
    var signIn = await SignInScenario.RunAsync(count ?? 400, 30);
    Console.WriteLine("Authorised GET /api/devices (20 devices), one request at a time, with and without a flood of forged tokens");
    Console.WriteLine("| phase | requests | p50 (ms) | p99 (ms) | forged tokens answered | forged/s |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach (var p in signIn.Phases)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {p.Name} | {p.Requests} | {p.P50Ms:F1} | {p.P99Ms:F1} | {p.Forged} | {p.ForgedPerSecond:F0} |"));
    }

    var (quiet, flood) = (signIn.Phases[0], signIn.Phases[1]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"During the flood: p50 {flood.P50Ms / quiet.P50Ms:F2}x, p99 {flood.P99Ms / quiet.P99Ms:F2}x of quiet; events added to the failed sign-ins' chain while it lasted: {signIn.EventsDuringFlood}"));
}

if (scenario is "console" or "all")
{
    // 20,000 by default: the local Cosmos stand-in's ordered query over one unit grows with the square of its records
    // (docs/performance.md), so 100,000 in one unit does not answer its first page in minutes here.
    await PrintConsoleAsync(count ?? 20_000, earlier);
}

return 0;

static async Task PrintConsoleAsync(int records, string? earlier)
{
    const int rounds = 5, changes = 30, pages = 10;
    var result = await ConsoleScenario.RunAsync(rounds, changes, records, pages, earlier);
    Console.WriteLine($"Console loads in headless Chromium ({rounds} fresh profiles after one warm-up); bytes are response bodies as sent (Playwright responseBodySize)");
    Console.WriteLine("| build | load | ms | responses | from the cache | bytes sent | of which _framework/ | decompressed | encodings |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
    foreach (var load in result.Loads)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {load.Build} | {load.Name} | {load.Ms:F0} | {load.Responses} | {load.FromCache} | {load.SentBytes:N0} | {load.FrameworkSentBytes:N0} | {(load.DecodedBytes is { } decoded ? decoded.ToString("N0", CultureInfo.InvariantCulture) : "")} | {string.Join(", ", load.Encodings.Select(e => $"{e.Key} {e.Value}"))} |"));
    }

    Console.WriteLine("| build | load | median ms | max ms | median bytes sent | max bytes sent |");
    Console.WriteLine("|---|---|---|---|---|---|");
    foreach (var kind in result.Loads.GroupBy(l => (l.Build, l.Name)))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {kind.Key.Build} | {kind.Key.Name} | {Median(kind.Select(l => l.Ms)):F0} | {kind.Max(l => l.Ms):F0} | {Median(kind.Select(l => (double)l.SentBytes)):N0} | {kind.Max(l => l.SentBytes):N0} |"));
    }

    Console.WriteLine($"Page changes by the menu, {changes} of each after 3 warm-ups");
    Console.WriteLine("| change | API answer end -> data shown p50 (ms) | p95 (ms) | max (ms) | click -> data shown p50 (ms) | p95 (ms) | API p50 (ms) |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    foreach (var (name, list) in new[] { ("to the footage list (1 call, 50 of 1,000 records)", result.FootageChanges), ("to the inbox (3 calls)", result.InboxChanges) })
    {
        var shown = list.Select(c => c.AnswerToShownMs).ToList();
        var clicked = list.Select(c => c.ActionToShownMs).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Percentile(shown, 0.5):F0} | {Percentile(shown, 0.95):F0} | {shown.Max():F0} | {Percentile(clicked, 0.5):F0} | {Percentile(clicked, 0.95):F0} | {Percentile([.. list.Select(c => c.ApiMs)], 0.5):F0} |"));
    }

    var paging = result.Paging;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"The footage list of one unit holding {paging.Records:N0} records, opened and paged forward"));
    Console.WriteLine("| page | items sent | continues | body bytes sent | rows in the page | elements in the page | API ms | answer -> shown ms | click -> shown ms | rows seen before |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
    foreach (var step in paging.Steps)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {step.Page} | {step.Items} | {(step.Continues ? "yes" : "no")} | {step.BodyBytes:N0} | {step.Rows} | {step.Elements} | {step.ApiMs:F0} | {step.AnswerToShownMs:F0} | {step.ClickToShownMs:F0} | {(step.Overlaps ? "yes" : "none")} |"));
    }

    static double Median(IEnumerable<double> values) => Percentile([.. values], 0.5);

    static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];
    }
}

static async Task PrintLatencyAsync(int files)
{
    var latency = await IngestScenario.LatencyAsync(files);
    Console.WriteLine($"Upload complete -> catalogued, {files} files");
    Console.WriteLine("| BlobCreated delivery | files | p50 (ms) | p99 (ms) |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var r in latency)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Delivery} | {r.Files} | {r.P50Ms:F0} | {r.P99Ms:F0} |"));
    }
}

static async Task PrintVerificationAsync()
{
    Console.WriteLine("Verification (SHA-256 while streaming) vs plain download, median of 5 rounds; CPU is this process's (the client's) seconds per GiB");
    Console.WriteLine("| placement | blob | plain download MiB/s | verify MiB/s | ratio | allocated while verifying | plain CPU s/GiB | SHA-256 in memory CPU s/GiB | verify CPU s/GiB | verify / (plain + SHA-256) |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
    foreach (var storageOnItsOwnCore in new[] { false, true })
    {
        foreach (var v in await IngestScenario.VerificationAsync(5, storageOnItsOwnCore))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {v.Placement} | {v.Bytes / 1048576} MiB | {v.PlainMiBps:F0} | {v.VerifyMiBps:F0} | {v.VerifyMiBps / v.PlainMiBps:P0} | {v.VerifyAllocatedBytes / 1048576.0:F1} MiB | {v.PlainCpuPerGiB:F2} | {v.HashCpuPerGiB:F2} | {v.VerifyCpuPerGiB:F2} | {v.CpuRatio:F2}x |"));
        }
    }
}
