using System.Globalization;
using System.Text.Json;
using AvCloud.DockSync;

// avdock push DIR | watch DIR | status   [--settings FILE] [--wipe-after-verify] [--max-mbps N] [--json] [--interval SECONDS]
// The settings file (avdock.json, or AVDOCK_SETTINGS) holds the API address, the dock id, the journal and how to sign in.
return await Cli.RunAsync(args, Console.Out, Console.Error);

internal static class Cli
{
    private const string Usage = "usage: avdock push DIR | watch DIR | status  [--settings FILE] [--wipe-after-verify] [--max-mbps N] [--json] [--interval SECONDS]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            var command = args.FirstOrDefault();
            if (command is not ("push" or "watch" or "status"))
            {
                errors.WriteLine(Usage);
                return 2;
            }

            var options = Options(args.Skip(1).ToArray());
            var settings = DockSettings.Load(options.GetValueOrDefault("settings") ?? Environment.GetEnvironmentVariable("AVDOCK_SETTINGS") ?? "avdock.json");
            var json = options.ContainsKey("json");
            switch (command)
            {
                case "push" when options.TryGetValue("", out var root):
                    {
                        using var pusher = new Pusher(settings, json ? TextWriter.Null : output);
                        var report = await pusher.PushAsync(root, options.ContainsKey("wipe-after-verify"), MaxMbps(options), stop.Token);
                        Print(report, json, output);
                        return report.Problems.Count == 0 ? 0 : 3;
                    }

                case "watch" when options.TryGetValue("", out var root):
                    {
                        var interval = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("interval") ?? "30", CultureInfo.InvariantCulture));
                        using var pusher = new Pusher(settings, output);
                        while (!stop.IsCancellationRequested)
                        {
                            var report = await pusher.PushAsync(root, options.ContainsKey("wipe-after-verify"), MaxMbps(options), stop.Token);
                            Print(report, json, output);
                            await Task.Delay(interval, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                        }

                        return 0;
                    }

                case "status":
                    Status(Journal.Open(settings.Journal), settings, json, output);
                    return 0;

                default:
                    errors.WriteLine(Usage);
                    return 2;
            }
        }
        catch (DockException exception)
        {
            errors.WriteLine($"avdock: {exception.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            errors.WriteLine("avdock: stopped; the next run continues where this one stopped.");
            return 130;
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var name = args[i][2..];
                options[name] = name is "settings" or "max-mbps" or "interval" && i + 1 < args.Length ? args[++i] : "true";
            }
            else
            {
                options[""] = args[i];
            }
        }

        return options;
    }

    private static double? MaxMbps(Dictionary<string, string> options) =>
        options.TryGetValue("max-mbps", out var text)
            ? double.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : throw new DockException("--max-mbps takes a positive number.")
            : null;

    private static void Print(PushReport report, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, DockSettings.Json));
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.FilesSeen} files ready, {report.FilesUploaded} uploaded ({report.BlocksSent} blocks, {report.BytesSent / 1048576.0:F1} MiB), {report.FilesVerified} verified by AvCloud, {report.FilesWiped} wiped, {report.Problems.Count} problems"));
    }

    /// <summary>Each file's state, and which are past or near their 24-hour deadline (Art. 13).</summary>
    private static void Status(Journal journal, DockSettings settings, bool json, TextWriter output)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = journal.Entries.Select(e => new
        {
            file = e.Key,
            stage = e.Stage,
            e.Sha256,
            e.RecordedEnd,
            dueBy = e.Deadline,
            deadline = e.Stage is FileStage.Verified or FileStage.Wiped ? "handed over"
                : e.Deadline < now ? "PAST DEADLINE"
                : e.Deadline < now.AddHours(settings.NearDeadlineHours) ? $"due in {(e.Deadline - now).TotalHours:F1} h"
                : "",
            e.Message,
        }).ToList();
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(rows, DockSettings.Json));
            return;
        }

        foreach (var row in rows)
        {
            output.WriteLine($"{row.stage,-12} {row.file,-40} {row.deadline,-16} {row.Message}");
        }
    }
}
