using System.Globalization;
using System.Text;
using AvCloud.Functions.Footage;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Tests.Campaign;

/// <summary>p50/p99 of one operation under load, in milliseconds.</summary>
public sealed record OperationFigures(string Operation, int Count, double P50Ms, double P99Ms);

/// <summary>What one campaign run measured and what its invariants found.</summary>
public sealed record CampaignReport(
    CampaignOptions Options,
    TimeSpan Load,
    int FilesPushed,
    int FilesCataloguedDuringLoad,
    double CataloguedPerMinute,
    double UploadToCataloguedP50Ms,
    double UploadToCataloguedP99Ms,
    IReadOnlyList<OperationFigures> Operations,
    IReadOnlyDictionary<string, int> Injected,
    IReadOnlyDictionary<string, int> Retries,
    IReadOnlyList<Invariant> Invariants,
    CostFigures Cost)
{
    public bool Held => Invariants.All(i => i.Held);

    /// <summary>The figures of a run: cataloguing from the footage container (each upload's commit to its cataloguing), calls from the clients' timings.</summary>
    internal static async Task<CampaignReport> BuildAsync(CampaignOptions options, Container footage, int filesPushed, DateTimeOffset started, DateTimeOffset ended,
        ApiClient api, IReadOnlyDictionary<string, DateTimeOffset> committed, IReadOnlyDictionary<string, int> injected, IReadOnlyList<Invariant> invariants, CostFigures cost, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var duringLoad = 0;
        using (var feed = footage.GetItemQueryIterator<FootageRecord>(new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.dockId != @seed")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@seed", "dock-seed")))
        {
            while (feed.HasMoreResults)
            {
                foreach (var record in await feed.ReadNextAsync(cancellationToken))
                {
                    if (record.CataloguedAt <= ended)
                    {
                        duringLoad++;
                    }

                    // Upload complete (storage answered the dock's commit) to catalogued, for the upload that made the record.
                    var first = record.Uploads.MinBy(u => u.CataloguedAt);
                    if (first is not null && committed.TryGetValue($"{record.UnitId}/{first.SessionId}/{first.FileName}", out var at))
                    {
                        latencies.Add(Math.Max(0, (first.CataloguedAt - at).TotalMilliseconds));
                    }
                }
            }
        }

        var operations = api.Timings.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => { var sorted = t.Value.Order().ToList(); return new OperationFigures(t.Key, sorted.Count, Percentile(sorted, 0.50), Percentile(sorted, 0.99)); })
            .ToList();
        latencies.Sort();
        var load = ended - started;
        return new CampaignReport(options, load, filesPushed, duringLoad, duringLoad / load.TotalMinutes,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), operations, injected, new Dictionary<string, int>(api.Retries), invariants, cost);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(sorted.Count * p) - 1, 0, sorted.Count - 1)];

    /// <summary>The run as the tables of docs/reliability.md show it.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"Run: {Options.Records:N0} seeded records over {Options.Units} units, {Options.Docks} docks x {Options.FilesPerDocking} files, {Options.Reviewers} reviewers, {Load.TotalSeconds:F0} s of load, faults {(Options.Faulty ? "on" : "off")}.");
        Line($"");
        Line($"| files pushed | catalogued during the load | catalogued per minute | upload complete -> catalogued p50 (ms) | p99 (ms) |");
        Line($"|---|---|---|---|---|");
        Line($"| {FilesPushed} | {FilesCataloguedDuringLoad} | {CataloguedPerMinute:F0} | {UploadToCataloguedP50Ms:F0} | {UploadToCataloguedP99Ms:F0} |");
        Line($"");
        Line($"| operation | calls | p50 (ms) | p99 (ms) |");
        Line($"|---|---|---|---|");
        foreach (var o in Operations)
        {
            Line($"| {o.Operation} | {o.Count} | {o.P50Ms:F0} | {o.P99Ms:F0} |");
        }

        Line($"");
        Line($"| fault injected | count |");
        Line($"|---|---|");
        foreach (var (kind, count) in Injected.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            Line($"| {kind} | {count} |");
        }

        Line($"");
        Line($"| client retries and failures, by cause | count |");
        Line($"|---|---|");
        foreach (var (cause, count) in Retries.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            Line($"| {cause} | {count} |");
        }

        Line($"");
        Line($"| invariant | checked | violations |");
        Line($"|---|---|---|");
        foreach (var i in Invariants)
        {
            Line($"| {i.Name} | {i.Checked} | {i.Violations.Count} |");
        }

        foreach (var violation in Invariants.SelectMany(i => i.Violations.Take(20).Select(v => $"{i.Name}: {v}")))
        {
            Line($"- VIOLATION {violation}");
        }

        Line($"");
        Line($"Cost at {Cost.Records:N0} records: listing {Cost.ListingMs:F0} ms, retention sweep {Cost.SweepMs:F0} ms, compliance report {Cost.ComplianceReportMs:F0} ms.");
        return text.ToString();
    }
}
