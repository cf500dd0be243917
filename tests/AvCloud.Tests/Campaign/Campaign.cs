using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using AvCloud.DockSync;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using AvCloud.Local.Emulators;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// The load-and-fault campaign: the emulators behind fault-injecting proxies, the function host as a process of its
/// own that is killed and restarted mid-run, a seeded catalogue, real dock clients (<c>avdock</c>, killed and rerun)
/// pushing recordings while reviewers, keepers and heads browse, request, approve, view, package and hold, the timers
/// on a compressed schedule; then, with the faults off and the backlog drained, the invariants
/// (<see cref="Invariants"/>) and the figures (<see cref="CampaignReport"/>).
/// </summary>
public sealed partial class Campaign
{
    private readonly CampaignOptions _options;
    private readonly ConcurrentBag<RequestMade> _requests = [];
    private readonly ConcurrentBag<HoldMade> _holds = [];
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _liveFootage = new();
    private readonly ConcurrentDictionary<string, int> _injected = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _committed = new();
    private readonly List<Task> _lateDeliveries = [];
    private int _nextContent;

    private Campaign(CampaignOptions options) => _options = options;

    internal sealed record RequestMade(string Unit, string Id, bool ApprovalAnswered2xx);

    /// <summary>A hold as its keeper and head saw it: placed (201), and whether a release was asked and whether it was answered 2xx.</summary>
    internal sealed record HoldMade(string Unit, string FootageId, string HoldId, bool ReleaseAsked, bool Released);

    public static string UnitName(int index) => $"unit-campaign-{index:D2}";

    public static async Task<CampaignReport> RunAsync(CampaignOptions options, CancellationToken cancellationToken = default) =>
        await new Campaign(options).RunAsync(cancellationToken);

    private void Log(string line) => _options.Log?.Invoke($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}");

    /// <summary>When each upload completed: storage answered the dock's commit of its block list into ingest (unit/session/file).</summary>
    private void NoteCommit(string method, string pathAndQuery, int status)
    {
        const string ingest = $"/{Emulator.AzuriteAccount}/{BlobContainers.Ingest}/";
        if (method == "PUT" && status == 201 && pathAndQuery.StartsWith(ingest, StringComparison.Ordinal) && pathAndQuery.Contains("comp=blocklist", StringComparison.Ordinal))
        {
            _committed.TryAdd(Uri.UnescapeDataString(pathAndQuery[ingest.Length..pathAndQuery.IndexOf('?', StringComparison.Ordinal)]), DateTimeOffset.UtcNow);
        }
    }

    private void Injected(string kind) => _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private async Task<CampaignReport> RunAsync(CancellationToken cancellationToken)
    {
        // The emulators' ports are chosen here so the proxies can stand in front of them before anything starts.
        var (azuritePort, cosmosPort) = (FreePort(), FreePort());
        await using var cosmosProxy = await FaultProxy.StartAsync("cosmos", new Uri($"http://127.0.0.1:{cosmosPort}/"));
        await using var storageProxy = await FaultProxy.StartAsync("storage", new Uri($"http://127.0.0.1:{azuritePort}/"));
        cosmosProxy.Rates = _options.CosmosFaults;
        storageProxy.Rates = _options.StorageFaults;
        storageProxy.Answered = NoteCommit;
        await using var cloud = await CampaignCloud.StartAsync(azuritePort, cosmosPort, storageProxy.Address, cosmosProxy.Address, new Dictionary<string, string>
        {
            // WatchUploads re-drives what has sat in ingest for two seconds: a lost or failed delivery is retried within a timer tick or two.
            ["AvCloud__Ingest__RedriveAfter"] = "00:00:02",
            ["Logging__LogLevel__Default"] = _options.HostLogLevel.ToString(),
            // An approved disposal is purged at the next ExecuteDisposals run: the recovery window compressed to nothing.
            ["AvCloud__Retention__RecoveryWindow"] = "00:00:00",
        }, cancellationToken);
        Log($"host and emulators up; the host's log, keys and the docks' journals are under {cloud.Folder}");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 })
        {
            BaseAddress = cloud.BaseAddress, Timeout = TimeSpan.FromMinutes(2),
        };
        var api = new ApiClient(http, () => cloud.HostDown);
        var database = cloud.Services.GetRequiredService<Database>();

        var seeded = Stopwatch.StartNew();
        await CasesAsync(cloud, api);
        await SeedAsync(database.GetContainer(CosmosContainers.Footage), cancellationToken);
        await SeedDisposalsAsync(database.GetContainer(CosmosContainers.Footage), cloud.Services.GetRequiredService<BlobServiceClient>(), cancellationToken);
        Log($"seeded {_options.Records} records in {seeded.Elapsed.TotalSeconds:F0} s");
        var stations = new List<DockStation>();
        try
        {
            return await LoadAndCheckAsync(cloud, api, http, database, stations, cosmosProxy, storageProxy, cancellationToken);
        }
        finally
        {
            // Whatever happened, no dock client is left running.
            foreach (var station in stations)
            {
                await station.DisposeAsync();
            }
        }
    }

    private async Task<CampaignReport> LoadAndCheckAsync(CampaignCloud cloud, ApiClient api, HttpClient http, Database database, List<DockStation> stations,
        FaultProxy cosmosProxy, FaultProxy storageProxy, CancellationToken cancellationToken)
    {
        await StationsAsync(cloud, api, stations);

        cosmosProxy.Enabled = storageProxy.Enabled = true;
        var started = DateTimeOffset.UtcNow;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(_options.Duration);
        var load = new List<Task>();
        load.AddRange(stations.Select(s => DockAsync(s, stop.Token)));
        load.AddRange(Enumerable.Range(0, _options.Reviewers).Select(r => ReviewAsync(cloud, api, r, started, stop.Token)));
        load.Add(TimersAsync(http, cloud, api, stop.Token));
        load.Add(DeliveriesAsync(http, cloud, storageProxy, stop.Token));
        load.Add(HostKillsAsync(cloud, stop.Token));
        await Task.WhenAll(load);
        var ended = DateTimeOffset.UtcNow;
        Log($"load ended: {stations.Sum(s => s.Files.Count)} recordings docked, {_requests.Count} requests, {_holds.Count} holds, {cloud.Kills} host kills");

        // The faults stop; the dock clients run to the end from their journals and the backlog drains, as after an outage.
        cosmosProxy.Enabled = storageProxy.Enabled = false;
        await Task.WhenAll(stations.Select(s => s.KillAsync()));
        Task[] late;
        lock (_lateDeliveries)
        {
            late = [.. _lateDeliveries];
        }

        await Task.WhenAll(late);
        await PushAllAsync(stations, cancellationToken);
        await DrainAsync(http, cloud, api, cancellationToken);
        await PushAllAsync(stations, cancellationToken);
        // The last sweep and purge: approved disposals go, those held meanwhile are blocked (Art. 16 wins).
        await RunTimerAsync(http, cloud, api, "SweepRetention");
        await RunTimerAsync(http, cloud, api, "ExecuteDisposals");
        // CompleteAuditOutbox takes only what writers left pending over a minute ago: the schedule is compressed by
        // starting the host again with its clock past that minute once nothing is being written; the timer then runs as it would.
        await cloud.KillAndRestartAsync("65s", cancellationToken);
        await RunTimerAsync(http, cloud, api, "CompleteAuditOutbox");
        Log("drained");

        var invariants = await new Invariants(cloud, http, api, [cosmosProxy, storageProxy]).CheckAsync(
            stations, [.. _requests], [.. _holds], DisposalSet, Cases, Enumerable.Range(0, _options.Units).Select(UnitName).ToList(), cancellationToken);
        var cost = await CostAsync(cloud, api, http, cancellationToken);
        var injected = new Dictionary<string, int>(_injected);
        if (cloud.FailedStarts > 0)
        {
            api.Count("host died while starting (provisioning through the faults), started again", cloud.FailedStarts);
        }

        foreach (var proxy in new[] { cosmosProxy, storageProxy })
        {
            foreach (var (kind, count) in proxy.Injected)
            {
                injected[$"{proxy.Name} {kind}"] = count;
            }
        }

        var report = await CampaignReport.BuildAsync(_options, database.GetContainer(CosmosContainers.Footage), stations.Sum(s => s.Files.Count), started, ended, api,
            _committed, injected, invariants, cost, cancellationToken);
        return report;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The catalogue as years of docking leave it (<see cref="SeededFootage"/>), 20 units.</summary>
    private async Task SeedAsync(Container footage, CancellationToken cancellationToken) =>
        await SeededFootage.SeedAsync(footage, _options.Records, i => UnitName(i % _options.Units), cancellationToken);

    private static string Token(CampaignCloud cloud, string user, string unit, string role) =>
        cloud.Issuer.Mint(user, unit, [role], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);

    /// <summary>A dock station per dock: its recorder registered by the unit's keeper, its folder, settings and token file; the client started.</summary>
    private async Task StationsAsync(CampaignCloud cloud, ApiClient api, List<DockStation> stations)
    {
        var root = Directory.CreateDirectory(Path.Combine(cloud.Folder, "docks")).FullName;
        for (var index = 0; index < _options.Docks; index++)
        {
            var unit = UnitName(index % _options.Units);
            var (dockId, deviceId) = ($"dock-{index:D2}", $"bwc-{index:D2}");
            using (var registered = await api.SendAsync("register device", HttpMethod.Post, "/api/devices", Token(cloud, $"keeper-{unit}", unit, Roles.Keeper),
                new { id = deviceId, kind = "bodyWornCamera", serial = $"SN-{deviceId}", model = "campaign" }, cancellationToken: CancellationToken.None))
            {
            }

            var station = DockStation.Create(root, cloud.BaseAddress, unit, dockId, deviceId, $"officer-{index:D2}", Token(cloud, dockId, unit, Roles.Dock));
            stations.Add(station);
            station.Start();
        }
    }

    /// <summary>
    /// A dock station under load: its recorder docked with new recordings every few seconds, and now and then its client
    /// killed (SIGKILL) a random moment after a docking, mid-hash, mid-session or mid-upload, and started again at once.
    /// </summary>
    private async Task DockAsync(DockStation station, CancellationToken stop)
    {
        for (var first = true; !stop.IsCancellationRequested; first = false)
        {
            if (!first && !await PauseAsync(_options.DockingPause, stop))
            {
                break;
            }

            station.Dock(_options.FilesPerDocking, () => Interlocked.Increment(ref _nextContent));
            if (Random.Shared.NextDouble() < _options.DockInterruptions)
            {
                if (!await PauseAsync(TimeSpan.FromMilliseconds(Random.Shared.Next(300, 2500)), stop))
                {
                    break;
                }

                await station.KillAsync();
                var unfinished = station.Journal().Any(e => e.Stage is FileStage.Hashed or FileStage.Uploading or FileStage.Committed);
                Injected(unfinished ? "dock client killed mid-docking" : "dock client killed between dockings");
                station.Start();
            }
        }
    }

    private static async Task<bool> PauseAsync(TimeSpan pause, CancellationToken stop)
    {
        try
        {
            await Task.Delay(pause, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The function host killed with SIGKILL at random moments under load, <see cref="CampaignOptions.HostKills"/> times, each time started again.</summary>
    private async Task HostKillsAsync(CampaignCloud cloud, CancellationToken stop)
    {
        var slot = _options.Duration / (_options.HostKills + 1);
        for (var kill = 0; kill < _options.HostKills; kill++)
        {
            if (!await PauseAsync(slot * (0.6 + (0.8 * Random.Shared.NextDouble())), stop))
            {
                return;
            }

            await cloud.KillAndRestartAsync(cancellationToken: CancellationToken.None);
            Injected("host killed");
        }
    }

    /// <summary>The dock clients run to the end from their journals (a pass each, four at a time).</summary>
    private static async Task PushAllAsync(IReadOnlyList<DockStation> stations, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(stations, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (station, ct) => await station.PushAsync(ct));

    /// <summary>
    /// Event Grid delivers at least once: some BlobCreated events again at once, some again later, after others, on top
    /// of the host's own delivery, for the blobs the docks commit to ingest (seen as the host's watcher sees them).
    /// </summary>
    private async Task DeliveriesAsync(HttpClient http, CampaignCloud cloud, FaultProxy storage, CancellationToken stop)
    {
        var ingest = cloud.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobContainers.Ingest);
        var seen = new HashSet<string>();
        while (await PauseAsync(TimeSpan.FromMilliseconds(300), stop))
        {
            await foreach (var blob in ingest.GetBlobsAsync(cancellationToken: CancellationToken.None))
            {
                if (!seen.Add(blob.Name))
                {
                    continue;
                }

                // The address the host knows the blob by (through the storage proxy), as Event Grid would name it.
                var url = new Uri(storage.Address, $"/{Emulator.AzuriteAccount}/{BlobContainers.Ingest}/{blob.Name}");
                if (Random.Shared.NextDouble() < _options.DuplicateDeliveries)
                {
                    Injected("BlobCreated duplicated");
                    _ = DeliverAsync(http, cloud, url);
                }

                if (Random.Shared.NextDouble() < _options.DelayedDeliveries)
                {
                    Injected("BlobCreated delayed and reordered");
                    var late = Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(500, 4000)), CancellationToken.None);
                        await DeliverAsync(http, cloud, url);
                    }, CancellationToken.None);
                    lock (_lateDeliveries)
                    {
                        _lateDeliveries.Add(late);
                    }
                }
            }
        }
    }

    private static async Task DeliverAsync(HttpClient http, CampaignCloud cloud, Uri blob)
    {
        var created = new Azure.Messaging.EventGrid.EventGridEvent("/blobServices/default/containers/ingest/blobs/x", "Microsoft.Storage.BlobCreated", "1",
            new { api = "PutBlockList", url = blob.ToString(), blobType = "BlockBlob" });
        using var content = new StringContent(BinaryData.FromObjectAsJson(new[] { created }).ToString(), System.Text.Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.PostAsync($"/runtime/webhooks/blobs?functionName=Host.Functions.CatalogueUpload&code={Uri.EscapeDataString(cloud.Keys.BlobsExtensionKey)}", content);
        }
        catch (HttpRequestException)
        {
            // A delivery that fails is Event Grid's to retry; the watcher and WatchUploads are the backstop.
        }
    }

    /// <summary>A reviewer with the unit's keeper and head: browse, request, approve, view; now and then a package, a hold, a release.</summary>
    private async Task ReviewAsync(CampaignCloud cloud, ApiClient api, int index, DateTimeOffset started, CancellationToken stop)
    {
        var unit = UnitName(index % _options.Units);
        var reviewer = Token(cloud, $"reviewer-{index:D2}", unit, Roles.Reviewer);
        var keeper = Token(cloud, $"keeper-{index:D2}", unit, Roles.Keeper);
        var head = Token(cloud, $"head-{index:D2}", unit, Roles.Head);
        var live = _liveFootage.GetOrAdd(unit, _ => []);
        var standingHold = new Dictionary<string, string>();
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
            if (index < _options.Units)
            {
                // One reviewer per unit works with its keeper and head on the unit's disposals and case.
                await DisposalRoundAsync(api, keeper, head, unit, round, standingHold);
            }

            var ids = await BrowseAsync(api, reviewer, round % 2 == 0 ? "list footage" : "list recent footage",
                round % 2 == 0 ? "/api/footage?pageSize=50" : $"/api/footage?pageSize=50&recordedFrom={Uri.EscapeDataString(started.AddHours(-1).ToString("O", CultureInfo.InvariantCulture))}");
            if (round % 2 == 1)
            {
                foreach (var id in ids)
                {
                    live.Add(id);
                }
            }

            var pool = live.IsEmpty ? ids : [.. live];
            if (pool.Count == 0)
            {
                await Task.Delay(500, CancellationToken.None);
                continue;
            }

            var chosen = pool[Random.Shared.Next(pool.Count)];
            var copy = round % 4 == 3 && !live.IsEmpty;
            if (await RequestAsync(api, reviewer, head, unit, [chosen], copy) is { } request)
            {
                using var view = await api.SendAsync("open view", HttpMethod.Get, $"/api/access-requests/{request}/footage/{chosen}/view", reviewer,
                    cancellationToken: CancellationToken.None);
                if (copy)
                {
                    await PackageAsync(api, reviewer, request);
                }
            }

            if (round % 3 == 2 && !live.IsEmpty)
            {
                await HoldAsync(api, keeper, head, unit, chosen, release: round % 6 == 5);
            }
        }
    }

    private static async Task<List<string>> BrowseAsync(ApiClient api, string token, string operation, string path)
    {
        using var listed = await api.SendAsync(operation, HttpMethod.Get, path, token, cancellationToken: CancellationToken.None);
        if (listed?.StatusCode != HttpStatusCode.OK)
        {
            return [];
        }

        var page = await listed.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options);
        return [.. page!.Items.Select(i => i.Id)];
    }

    private async Task<string?> RequestAsync(ApiClient api, string reviewer, string head, string unit, string[] footageIds, bool copy)
    {
        using var asked = await api.SendAsync("request access", HttpMethod.Post, "/api/access-requests", reviewer, new
        {
            footageIds, purpose = "campaign review", caseName = "Campaign", caseNumber = "C-1", mode = copy ? "copy" : "view", duration = "PT1H",
        }, cancellationToken: CancellationToken.None);
        if (asked?.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }

        var request = (await asked.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options))!;
        using var approved = await api.SendAsync("approve access", HttpMethod.Post, $"/api/access-requests/{request.Id}/approve", head, new { },
            cancellationToken: CancellationToken.None);
        _requests.Add(new RequestMade(unit, request.Id, approved?.IsSuccessStatusCode == true));
        return approved?.IsSuccessStatusCode == true ? request.Id : null;
    }

    private static async Task PackageAsync(ApiClient api, string reviewer, string request)
    {
        var clock = Stopwatch.StartNew();
        using var package = await api.SendAsync("download package (headers)", HttpMethod.Get, $"/api/access-requests/{request}/package", reviewer,
            completion: HttpCompletionOption.ResponseHeadersRead, cancellationToken: CancellationToken.None);
        if (package?.IsSuccessStatusCode == true)
        {
            try
            {
                await (await package.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
                api.Time("download package (whole)", clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // A package cut off mid-stream is not a package: the reviewer asks again; the audit says what was sent.
                api.Count("package cut off mid-stream");
            }
        }
    }

    private async Task HoldAsync(ApiClient api, string keeper, string head, string unit, string footageId, bool release)
    {
        using var placed = await api.SendAsync("place hold", HttpMethod.Post, $"/api/footage/{footageId}/holds", keeper, new
        {
            reason = "Dispute", caseName = "Campaign dispute", caseNumber = "CD-1", requestedBy = "campaign",
        }, cancellationToken: CancellationToken.None);
        if (placed?.StatusCode != HttpStatusCode.Created)
        {
            return;
        }

        var holdId = placed.Headers.Location!.OriginalString.Split('/')[^1];
        var released = false;
        if (release)
        {
            using var releasing = await api.SendAsync("release hold", HttpMethod.Delete, $"/api/footage/{footageId}/holds/{holdId}", head,
                new { reason = "Dispute settled (campaign)." }, cancellationToken: CancellationToken.None);
            released = releasing?.IsSuccessStatusCode == true;
        }

        _holds.Add(new HoldMade(unit, footageId, holdId, release, released));
    }

    /// <summary>The timers on a compressed schedule: what runs every five minutes in Azure runs every few seconds here.</summary>
    private async Task TimersAsync(HttpClient http, CampaignCloud cloud, ApiClient api, CancellationToken stop)
    {
        for (var tick = 0; !stop.IsCancellationRequested; tick++)
        {
            await RunTimerAsync(http, cloud, api, "WatchUploads");
            await RunTimerAsync(http, cloud, api, "CompleteAuditOutbox");
            if (tick % 5 == 4)
            {
                await RunTimerAsync(http, cloud, api, "ReconcilePreservation");
            }

            await RunTimerAsync(http, cloud, api, "SweepRetention");
            await RunTimerAsync(http, cloud, api, "ExecuteDisposals");

            try
            {
                await Task.Delay(_options.TimerInterval, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task<bool> RunTimerAsync(HttpClient http, CampaignCloud cloud, ApiClient api, string name)
    {
        using var run = new HttpRequestMessage(HttpMethod.Post, $"/admin/functions/{name}");
        run.Headers.Add(Local.Functions.HostKeys.Header, cloud.Keys.Master);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(run);
            api.Time($"timer {name}", clock.Elapsed.TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                // A timer run that fails is run again at its next tick, as the Functions runtime does.
                api.Count($"timer {name} failed, rerun next tick");
            }

            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            api.Count($"timer {name} failed, rerun next tick");
            return false;
        }
    }

    /// <summary>Runs the timers until ingest is empty (or a few minutes pass: the invariants then say what is left).</summary>
    private static async Task DrainAsync(HttpClient http, CampaignCloud cloud, ApiClient api, CancellationToken cancellationToken)
    {
        var ingest = cloud.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobContainers.Ingest);
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await RunTimerAsync(http, cloud, api, "WatchUploads");
            await RunTimerAsync(http, cloud, api, "CompleteAuditOutbox");
            var left = 0;
            await foreach (var _ in ingest.GetBlobsAsync(cancellationToken: cancellationToken))
            {
                left++;
            }

            if (left == 0)
            {
                break;
            }

            await Task.Delay(1000, cancellationToken);
        }

        await RunTimerAsync(http, cloud, api, "ReconcilePreservation");
        await RunTimerAsync(http, cloud, api, "CompleteAuditOutbox");
    }

    /// <summary>What grows with the catalogue: a listing, the retention sweep, the compliance report (faults off; medians of three).</summary>
    private async Task<CostFigures> CostAsync(CampaignCloud cloud, ApiClient api, HttpClient http, CancellationToken cancellationToken)
    {
        var unit = UnitName(0);
        var head = Token(cloud, "head-cost", unit, Roles.Head);
        var now = DateTimeOffset.UtcNow;
        var report = $"/api/reports/compliance?from={Uri.EscapeDataString(now.AddDays(-399).ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(now.ToString("O", CultureInfo.InvariantCulture))}";
        async Task<double> MedianAsync(Func<Task> run)
        {
            var times = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                await run();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            return times[1];
        }

        var listing = await MedianAsync(async () =>
        {
            using var r = await api.SendAsync("cost: list footage", HttpMethod.Get, "/api/footage?pageSize=50", head, cancellationToken: cancellationToken);
        });
        var sweep = await MedianAsync(() => RunTimerAsync(http, cloud, api, "SweepRetention"));
        var compliance = await MedianAsync(async () =>
        {
            using var r = await api.SendAsync("cost: compliance report", HttpMethod.Get, report, head, cancellationToken: cancellationToken);
        });
        return new CostFigures(_options.Records, listing, sweep, compliance);
    }
}

/// <summary>What grows with the catalogue, in milliseconds (medians of three), at <paramref name="Records"/> seeded records.</summary>
public sealed record CostFigures(int Records, double ListingMs, double SweepMs, double ComplianceReportMs);
