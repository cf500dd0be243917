using System.Globalization;
using AvCloud.Tests.Campaign;

namespace AvCloud.Benchmarks;

/// <summary>
/// <c>./avcloud campaign [--minutes N] [--records N[,N...]] [--faults off|on|both] [--docks N] [--reviewers N]</c>: the
/// load-and-fault campaign (<see cref="Campaign"/>), without and with faults in one session by default, for each seeded
/// catalogue size; prints each run's tables (docs/reliability.md) and, for several sizes, how the cost grew. Exit 1 when
/// any invariant failed in any run.
/// </summary>
internal static class CampaignCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CampaignOptions { Log = Console.Error.WriteLine };
        var sizes = new List<int> { options.Records };
        var faults = "both";
        if (args.Contains("--verbose"))
        {
            options = options with { HostLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning };
            args = [.. args.Where(a => a != "--verbose")];
        }

        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--minutes":
                    options = options with { Duration = TimeSpan.FromMinutes(double.Parse(value, CultureInfo.InvariantCulture)) };
                    break;
                case "--records":
                    sizes = [.. value.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--faults" when value is "off" or "on" or "both":
                    faults = value;
                    break;
                case "--docks":
                    options = options with { Docks = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--reviewers":
                    options = options with { Reviewers = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                default:
                    Console.Error.WriteLine("usage: ./avcloud campaign [--minutes N] [--records N[,N...]] [--faults off|on|both] [--docks N] [--reviewers N]");
                    return 2;
            }
        }

        var failed = false;
        var costs = new List<CostFigures>();
        foreach (var records in sizes)
        {
            foreach (var faulty in faults switch { "off" => new[] { false }, "on" => [true], _ => [false, true] })
            {
                var run = options with { Records = records };
                var report = await Campaign.RunAsync(faulty ? run.WithFaults() : run);
                Console.WriteLine(report.ToMarkdown());
                failed |= !report.Held;
                if (!faulty || faults == "on")
                {
                    costs.Add(report.Cost);
                }
            }
        }

        if (costs.Count > 1)
        {
            Console.WriteLine("| seeded records | listing (ms) | retention sweep (ms) | compliance report (ms) |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var c in costs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Records:N0} | {c.ListingMs:F0} | {c.SweepMs:F0} | {c.ComplianceReportMs:F0} |"));
            }

            var (small, large) = (costs[0], costs[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{large.Records / (double)small.Records:F0}x the records: listing {large.ListingMs / small.ListingMs:F2}x, sweep {large.SweepMs / small.SweepMs:F2}x, report {large.ComplianceReportMs / small.ComplianceReportMs:F2}x"));
        }

        Console.WriteLine(failed ? "INVARIANTS VIOLATED" : "All invariants held.");
        return failed ? 1 : 0;
    }
}
