namespace AvCloud.Tests.Campaign;

/// <summary>What one campaign run does: the seeded catalogue, the live traffic, the faults and how long it lasts.</summary>
public sealed record CampaignOptions
{
    /// <summary>Catalogue records seeded before the run, spread over <see cref="Units"/> units.</summary>
    public int Records { get; init; } = 100_000;

    public int Units { get; init; } = 20;

    /// <summary>Dock stations pushing recordings at once, each a dock client process (<c>avdock watch</c>) with its own journal.</summary>
    public int Docks { get; init; } = 20;

    public int FilesPerDocking { get; init; } = 4;

    /// <summary>Recordings per unit past their retention date, in the unit's case: the disposals and case holds act on them.</summary>
    public int DisposalsPerUnit { get; init; } = 6;

    /// <summary>How long a dock waits between dockings (a dock serves a row of recorders, one after another).</summary>
    public TimeSpan DockingPause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The local host's log level (Critical: quiet; Warning shows why a function failed).</summary>
    public Microsoft.Extensions.Logging.LogLevel HostLogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Critical;

    /// <summary>Reviewers (with their unit's keeper and head) browsing, requesting, approving, viewing, packaging, holding.</summary>
    public int Reviewers { get; init; } = 20;

    /// <summary>How long the live traffic runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the timers (WatchUploads, CompleteAuditOutbox, SweepRetention, ExecuteDisposals; ReconcilePreservation every fifth tick) run: minutes compressed to seconds.</summary>
    public TimeSpan TimerInterval { get; init; } = TimeSpan.FromSeconds(3);

    public FaultRates CosmosFaults { get; init; } = FaultRates.None;

    public FaultRates StorageFaults { get; init; } = FaultRates.None;

    /// <summary>Chance per uploaded file that its BlobCreated event is delivered again at once (as Event Grid may).</summary>
    public double DuplicateDeliveries { get; init; }

    /// <summary>Chance per uploaded file that a further delivery arrives 0.5-4 s later, after others (late and out of order).</summary>
    public double DelayedDeliveries { get; init; }

    /// <summary>Chance per docking that the dock client is killed (SIGKILL) a moment later and started again from its journal.</summary>
    public double DockInterruptions { get; init; }

    /// <summary>How often the function host is killed (SIGKILL) at a random moment under load and started again.</summary>
    public int HostKills { get; init; }

    /// <summary>Whether any fault is injected at all.</summary>
    public bool Faulty => CosmosFaults.Total + StorageFaults.Total + DuplicateDeliveries + DelayedDeliveries + DockInterruptions + HostKills > 0;

    /// <summary>Where progress lines go (null: nowhere).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The faults of a faulty run: a few percent of every kind, as a throttled, flaky region would give.</summary>
    public CampaignOptions WithFaults() => this with
    {
        CosmosFaults = new FaultRates(TooManyRequests: 0.03, Unavailable: 0.01, Reset: 0.01, Latency: 0.05, AddedLatency: TimeSpan.FromMilliseconds(150),
            ResetAfterActing: 0.01),
        StorageFaults = new FaultRates(TooManyRequests: 0.02, Unavailable: 0.02, Reset: 0.01, Latency: 0.05, AddedLatency: TimeSpan.FromMilliseconds(150),
            ResetAfterActing: 0.01),
        DuplicateDeliveries = 0.2,
        DelayedDeliveries = 0.2,
        DockInterruptions = 0.15,
        HostKills = Math.Max(1, (int)Duration.TotalMinutes * 3),
    };

    /// <summary>The short run the test suite makes: about a minute on two cores, a few faults of every kind.</summary>
    public static CampaignOptions ShortRun { get; } = new()
    {
        Records = 2_000, Units = 4, Docks = 4, FilesPerDocking = 3, Reviewers = 4, Duration = TimeSpan.FromSeconds(30),
        TimerInterval = TimeSpan.FromSeconds(2),
    };
}
