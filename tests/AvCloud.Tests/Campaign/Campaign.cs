using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using AvCloud.Local;
using AvCloud.Local.Emulators;
using AvCloud.Tests.Ingest;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// The load-and-fault campaign: a local cloud whose Cosmos stand-in and storage sit behind fault-injecting proxies, a
/// seeded catalogue, docks pushing recordings while reviewers, keepers and heads browse, request, approve, view,
/// package and hold, the timers on a compressed schedule; then, with the faults off and the backlog drained, the
/// invariants (<see cref="Invariants"/>) and the figures (<see cref="CampaignReport"/>).
/// </summary>
public sealed partial class Campaign
{
    private readonly CampaignOptions _options;
    private readonly CampaignClock _clock = new();
    private readonly ConcurrentBag<Docking> _dockings = [];
    private readonly ConcurrentBag<RequestMade> _requests = [];
    private readonly ConcurrentBag<HoldMade> _holds = [];
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _liveFootage = new();
    private readonly ConcurrentDictionary<string, int> _deliveries = new();
    private readonly List<Task> _lateDeliveries = [];
    private int _nextContent;

    private Campaign(CampaignOptions options) => _options = options;

    /// <summary>One docking as its dock's journal keeps it: the session, the files, and when each finished uploading.</summary>
    internal sealed record Docking(string Unit, string DockId, string Token, string SessionId, IReadOnlyList<PushedFile> Files);

    internal sealed class PushedFile(string name, string sha256, byte[] content, Uri uploadUrl)
    {
        public string Name { get; } = name;

        public string Sha256 { get; } = sha256;

        public byte[] Content { get; } = content;

        public Uri UploadUrl { get; } = uploadUrl;

        public DateTimeOffset? UploadedAt { get; set; }
    }

    internal sealed record RequestMade(string Unit, string Id, bool ApprovalAnswered2xx);

    /// <summary>A hold as its keeper and head saw it: placed (201), and whether a release was asked and whether it was answered 2xx.</summary>
    internal sealed record HoldMade(string Unit, string FootageId, string HoldId, bool ReleaseAsked, bool Released);

    public static string UnitName(int index) => $"unit-campaign-{index:D2}";

    public static async Task<CampaignReport> RunAsync(CampaignOptions options, CancellationToken cancellationToken = default) =>
        await new Campaign(options).RunAsync(cancellationToken);

    private void Log(string line) => _options.Log?.Invoke($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}");

    private async Task<CampaignReport> RunAsync(CancellationToken cancellationToken)
    {
        // The emulators' ports are chosen here so the proxies can stand in front of them before the host starts.
        var (azuritePort, cosmosPort) = (FreePort(), FreePort());
        await using var cosmosProxy = await FaultProxy.StartAsync("cosmos", new Uri($"http://127.0.0.1:{cosmosPort}/"));
        await using var storageProxy = await FaultProxy.StartAsync("storage", new Uri($"http://127.0.0.1:{azuritePort}/"));
        cosmosProxy.Rates = _options.CosmosFaults;
        storageProxy.Rates = _options.StorageFaults;
        var storage = new Uri(storageProxy.Address, $"/{Emulator.AzuriteAccount}");
        await using var cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            Port = 0, AzuritePort = azuritePort, CosmosPort = cosmosPort, RunTimerSchedules = false, Clock = _clock, BlobWatchInterval = TimeSpan.FromMilliseconds(250),
            MinimumLogLevel = _options.HostLogLevel,
            Settings = new Dictionary<string, string?>
            {
                [$"{StorageOptions.Section}:ConnectionString"] =
                    $"DefaultEndpointsProtocol=http;AccountName={Emulator.AzuriteAccount};AccountKey={Emulator.AzuriteKey};BlobEndpoint={storage};",
                [$"{StorageOptions.Section}:PreservationConnectionString"] =
                    $"DefaultEndpointsProtocol=http;AccountName={Emulator.PreservationAccount};AccountKey={Emulator.PreservationKey};BlobEndpoint={new Uri(storageProxy.Address, $"/{Emulator.PreservationAccount}")};",
                [$"{CosmosOptions.Section}:Endpoint"] = cosmosProxy.Address.ToString(),
                // WatchUploads re-drives what has sat in ingest for two seconds: a lost or failed delivery is retried within a timer tick or two.
                ["AvCloud:Ingest:RedriveAfter"] = "00:00:02",
            },
        }, cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 })
        {
            BaseAddress = cloud.BaseAddress, Timeout = TimeSpan.FromMinutes(2),
        };
        var api = new ApiClient(http);
        var database = cloud.Services.GetRequiredService<Database>();

        var seeded = Stopwatch.StartNew();
        await SeedAsync(database.GetContainer(CosmosContainers.Footage), cancellationToken);
        Log($"seeded {_options.Records} records in {seeded.Elapsed.TotalSeconds:F0} s");

        cosmosProxy.Enabled = storageProxy.Enabled = true;
        var started = DateTimeOffset.UtcNow;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(_options.Duration);
        var interrupted = new ConcurrentBag<Docking>();
        var load = new List<Task>();
        load.AddRange(Enumerable.Range(0, _options.Docks).Select(d => DockAsync(cloud, api, http, d, interrupted, stop.Token)));
        load.AddRange(Enumerable.Range(0, _options.Reviewers).Select(r => ReviewAsync(cloud, api, r, started, stop.Token)));
        var timers = TimersAsync(http, cloud, api, stop.Token);
        await Task.WhenAll(load);
        await timers;
        var ended = DateTimeOffset.UtcNow;
        Log($"load ended: {_dockings.Count} dockings, {_requests.Count} requests, {_holds.Count} holds");

        // The faults stop; what was interrupted is rerun from its journal and the backlog drains, as after an outage.
        cosmosProxy.Enabled = storageProxy.Enabled = false;
        Task[] late;
        lock (_lateDeliveries)
        {
            late = [.. _lateDeliveries];
        }

        await Task.WhenAll(late);
        foreach (var docking in interrupted)
        {
            await UploadAsync(http, cloud, docking, docking.Files.Where(f => f.UploadedAt is null), api, CancellationToken.None);
        }

        await DrainAsync(http, cloud, api, cancellationToken);
        // CompleteAuditOutbox takes only what writers left pending over a minute ago: the schedule is compressed by
        // moving the host's clock past that minute once nothing is being written, then the timer runs as it would.
        _clock.Advance(TimeSpan.FromSeconds(65));
        await RunTimerAsync(http, cloud, api, "CompleteAuditOutbox");
        Log("drained");

        var invariants = await new Invariants(cloud, http, api, [cosmosProxy, storageProxy]).CheckAsync(
            [.. _dockings], [.. _requests], [.. _holds], Enumerable.Range(0, _options.Units).Select(UnitName).ToList(), cancellationToken);
        var cost = await CostAsync(cloud, api, http, cancellationToken);
        return await CampaignReport.BuildAsync(_options, database.GetContainer(CosmosContainers.Footage), [.. _dockings], started, ended, api,
            [cosmosProxy, storageProxy], _deliveries, invariants, cost, cancellationToken);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The catalogue as years of docking leave it (<see cref="SeededFootage"/>), 20 units.</summary>
    private async Task SeedAsync(Container footage, CancellationToken cancellationToken) =>
        await SeededFootage.SeedAsync(footage, _options.Records, i => UnitName(i % _options.Units), cancellationToken);

    private static string Token(LocalCloud cloud, string user, string unit, string role) =>
        cloud.Issuer.Mint(user, unit, [role], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);

    /// <summary>A dock station: registers its recorder, then docks it again and again until the run ends.</summary>
    private async Task DockAsync(LocalCloud cloud, ApiClient api, HttpClient http, int index, ConcurrentBag<Docking> interrupted, CancellationToken stop)
    {
        var unit = UnitName(index % _options.Units);
        var (dockId, deviceId, officerId) = ($"dock-{index:D2}", $"bwc-{index:D2}", $"officer-{index:D2}");
        var token = Token(cloud, dockId, unit, Roles.Dock);
        using (var registered = await api.SendAsync("register device", HttpMethod.Post, "/api/devices", Token(cloud, $"keeper-{unit}", unit, Roles.Keeper),
            new { id = deviceId, kind = "bodyWornCamera", serial = $"SN-{deviceId}", model = "campaign" }, cancellationToken: CancellationToken.None))
        {
        }

        for (var first = true; !stop.IsCancellationRequested; first = false)
        {
            if (!first)
            {
                try
                {
                    await Task.Delay(_options.DockingPause, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            var dockedAt = DateTimeOffset.UtcNow;
            var contents = Enumerable.Range(0, _options.FilesPerDocking).Select(_ => SyntheticWav.Create(Interlocked.Increment(ref _nextContent), 4000)).ToList();
            var manifest = new
            {
                dockId, deviceId, officerId, dockedAt, deviceClockAtDocking = dockedAt,
                files = contents.Select((c, i) => new
                {
                    name = $"clip{i}.wav", kind = "audio", size = c.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(c)),
                    recordedStart = dockedAt.AddMinutes(-10 + i), recordedEnd = dockedAt.AddMinutes(-10 + i).AddSeconds(1),
                }).ToArray(),
            };
            using var opened = await api.SendAsync("open upload session", HttpMethod.Post, "/api/uploads", token, manifest, cancellationToken: CancellationToken.None);
            if (opened?.StatusCode != HttpStatusCode.Created)
            {
                // The dock keeps the files and docks them again later; nothing was promised for this attempt.
                api.Count("docking not opened");
                continue;
            }

            var session = (await opened.Content.ReadFromJsonAsync<UploadSessionOpened>(AvCloudJson.Options, CancellationToken.None))!;
            var docking = new Docking(unit, dockId, token, session.SessionId,
                [.. contents.Select((c, i) => new PushedFile($"clip{i}.wav", Convert.ToHexStringLower(SHA256.HashData(c)), c, session.Files[i].UploadUrl))]);
            _dockings.Add(docking);
            if (Random.Shared.NextDouble() < _options.DockInterruptions)
            {
                // Stopped halfway: its journal knows what finished; the rest is uploaded when it is rerun.
                await UploadAsync(http, cloud, docking, docking.Files.Take(docking.Files.Count / 2), api, CancellationToken.None);
                interrupted.Add(docking);
                _deliveries.AddOrUpdate("dockings interrupted", 1, (_, n) => n + 1);
                continue;
            }

            await UploadAsync(http, cloud, docking, docking.Files, api, CancellationToken.None);
        }
    }

    private static readonly BlobClientOptions UploadOptions = new()
    {
        Retry = { Mode = RetryMode.Exponential, MaxRetries = 6, Delay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) },
    };

    private async Task UploadAsync(HttpClient http, LocalCloud cloud, Docking docking, IEnumerable<PushedFile> files, ApiClient api, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            var clock = Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await new BlobClient(file.UploadUrl, UploadOptions).UploadAsync(new BinaryData(file.Content), cancellationToken);
                    break;
                }
                catch (Exception e) when (e is RequestFailedException or IOException or HttpRequestException && attempt < 5)
                {
                    api.Count("dock upload retried from its journal");
                }
            }

            api.Time("dock upload (SAS)", clock.Elapsed.TotalMilliseconds);
            file.UploadedAt = DateTimeOffset.UtcNow;
            ExtraDeliveries(http, cloud, file);
        }
    }

    /// <summary>Event Grid delivers at least once: some BlobCreated events again at once, some again later, after others.</summary>
    private void ExtraDeliveries(HttpClient http, LocalCloud cloud, PushedFile file)
    {
        if (Random.Shared.NextDouble() < _options.DuplicateDeliveries)
        {
            _deliveries.AddOrUpdate("BlobCreated duplicated", 1, (_, n) => n + 1);
            _ = DeliverAsync(http, cloud, file.UploadUrl);
        }

        if (Random.Shared.NextDouble() < _options.DelayedDeliveries)
        {
            _deliveries.AddOrUpdate("BlobCreated delayed and reordered", 1, (_, n) => n + 1);
            var late = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(500, 4000)));
                await DeliverAsync(http, cloud, file.UploadUrl);
            });
            lock (_lateDeliveries)
            {
                _lateDeliveries.Add(late);
            }
        }
    }

    private static async Task DeliverAsync(HttpClient http, LocalCloud cloud, Uri blob)
    {
        var created = new Azure.Messaging.EventGrid.EventGridEvent("/blobServices/default/containers/ingest/blobs/x", "Microsoft.Storage.BlobCreated", "1",
            new { api = "PutBlob", url = blob.GetLeftPart(UriPartial.Path), blobType = "BlockBlob" });
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
    private async Task ReviewAsync(LocalCloud cloud, ApiClient api, int index, DateTimeOffset started, CancellationToken stop)
    {
        var unit = UnitName(index % _options.Units);
        var reviewer = Token(cloud, $"reviewer-{index:D2}", unit, Roles.Reviewer);
        var keeper = Token(cloud, $"keeper-{index:D2}", unit, Roles.Keeper);
        var head = Token(cloud, $"head-{index:D2}", unit, Roles.Head);
        var live = _liveFootage.GetOrAdd(unit, _ => []);
        for (var round = 0; !stop.IsCancellationRequested; round++)
        {
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
    private async Task TimersAsync(HttpClient http, LocalCloud cloud, ApiClient api, CancellationToken stop)
    {
        for (var tick = 0; !stop.IsCancellationRequested; tick++)
        {
            await RunTimerAsync(http, cloud, api, "WatchUploads");
            await RunTimerAsync(http, cloud, api, "CompleteAuditOutbox");
            if (tick % 5 == 4)
            {
                await RunTimerAsync(http, cloud, api, "ReconcilePreservation");
            }

            try
            {
                await Task.Delay(_options.TimerInterval, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task<bool> RunTimerAsync(HttpClient http, LocalCloud cloud, ApiClient api, string name)
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

    /// <summary>Runs the timers until every pushed file has an outcome and ingest is empty (or a few minutes pass: the invariants then say what is left).</summary>
    /// <summary>The host's clock: real time, moved forward on purpose when the campaign compresses a wait.</summary>
    private sealed class CampaignClock : TimeProvider
    {
        private long _offsetTicks;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    private static async Task DrainAsync(HttpClient http, LocalCloud cloud, ApiClient api, CancellationToken cancellationToken)
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
    private async Task<CostFigures> CostAsync(LocalCloud cloud, ApiClient api, HttpClient http, CancellationToken cancellationToken)
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
