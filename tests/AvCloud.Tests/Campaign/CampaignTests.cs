namespace AvCloud.Tests.Campaign;

/// <summary>
/// The campaign's short run, so that every build keeps the invariants honest: about half a minute of docking and
/// reviewing with a few percent of every fault kind, on its own local cloud (behind its own fault proxies, apart from
/// the shared fixture). The run must have met faults of every kind, or it proves nothing.
/// </summary>
public sealed class CampaignTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_throttling_failures_resets_latency_redelivery_and_interrupted_docks_nothing_is_lost_or_unexplained()
    {
        var report = await Campaign.RunAsync(CampaignOptions.ShortRun.WithFaults() with { Log = output.WriteLine }, TestContext.Current.CancellationToken);
        output.WriteLine(report.ToMarkdown());

        Assert.All(report.Invariants, i => Assert.True(i.Held, $"{i.Name}: {string.Join("; ", i.Violations.Take(10))}"));
        foreach (var kind in new[] { "cosmos 429", "cosmos 503", "cosmos reset", "cosmos latency", "storage 429", "storage 503", "storage reset", "storage latency",
            "BlobCreated duplicated", "BlobCreated delayed and reordered", "dockings interrupted" })
        {
            Assert.True(report.Injected.GetValueOrDefault(kind) > 0, $"The run injected no '{kind}' fault: {string.Join(", ", report.Injected)}");
        }

        Assert.True(report.FilesPushed > 0 && report.Invariants[0].Checked == report.FilesPushed, "The docks pushed nothing, or not every pushed file was checked.");
        Assert.Contains(report.Operations, o => o.Operation == "approve access" && o.Count > 0);
        Assert.Contains(report.Operations, o => o.Operation == "place hold" && o.Count > 0);
    }
}
