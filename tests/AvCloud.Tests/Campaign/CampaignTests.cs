namespace AvCloud.Tests.Campaign;

/// <summary>
/// The campaign's short run, so that every build keeps the invariants honest: about half a minute of docking (real
/// avdock processes) and reviewing with a few percent of every fault kind, resets after the service acted included,
/// the function host killed and restarted and dock clients killed and rerun, on its own local cloud (its own emulators
/// behind its own fault proxies, apart from the shared fixture). The run must have met faults of every kind, or it proves nothing.
/// </summary>
public sealed class CampaignTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_throttling_failures_resets_latency_redelivery_host_kills_and_killed_docks_nothing_is_lost_or_unexplained()
    {
        var report = await Campaign.RunAsync(CampaignOptions.ShortRun.WithFaults() with { Log = output.WriteLine }, TestContext.Current.CancellationToken);
        output.WriteLine(report.ToMarkdown());

        Assert.All(report.Invariants, i => Assert.True(i.Held, $"{i.Name}: {string.Join("; ", i.Violations.Take(10))}"));
        foreach (var kind in new[] { "cosmos 429", "cosmos 503", "cosmos reset", "cosmos reset after acting", "cosmos latency", "storage 429", "storage 503", "storage reset", "storage reset after acting", "storage latency",
            "BlobCreated duplicated", "BlobCreated delayed and reordered", "host killed", "dock client killed mid-docking" })
        {
            Assert.True(report.Injected.GetValueOrDefault(kind) > 0, $"The run injected no '{kind}' fault: {string.Join(", ", report.Injected)}");
        }

        Assert.True(report.FilesPushed > 0 && report.Invariants[0].Checked == report.FilesPushed, "The docks pushed nothing, or not every pushed file was checked.");
        Assert.Contains(report.Operations, o => o.Operation == "approve access" && o.Count > 0);
        Assert.Contains(report.Operations, o => o.Operation == "place hold" && o.Count > 0);
        Assert.Contains(report.Operations, o => o.Operation == "approve disposal" && o.Count > 0);
        Assert.Contains(report.Operations, o => o.Operation == "place case hold" && o.Count > 0);
    }
}
