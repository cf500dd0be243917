using System.Globalization;
using System.Runtime.InteropServices;
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
        // Ctrl-C, and a service manager's stop (SIGTERM), end the run between two steps the journal keeps.
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }

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
                        var interval = Interval(options);
                        var maxMbps = MaxMbps(options);
                        using var pusher = new Pusher(settings, output);
                        while (!stop.IsCancellationRequested)
                        {
                            try
                            {
                                var report = await pusher.PushAsync(root, options.ContainsKey("wipe-after-verify"), maxMbps, stop.Token);
                                // A service's log says what happened, not every quiet pass.
                                if (report.FilesUploaded + report.FilesVerified + report.FilesWiped + report.Problems.Count > 0)
                                {
                                    Print(report, json, output);
                                }
                            }
                            catch (Exception exception) when (exception is DockException or ApiException or HttpRequestException or IOException
                                or UnauthorizedAccessException)
                            {
                                // A service keeps going: the recorders' folder not mounted yet, AvCloud out of reach, a token being renewed.
                                errors.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                    $"avdock: this pass stopped ({exception.Message}); the next starts in {interval.TotalSeconds:0.#} s."));
                            }
                            catch (OperationCanceledException) when (stop.IsCancellationRequested)
                            {
                                break;
                            }

                            await Task.Delay(interval, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                        }

                        errors.WriteLine("avdock: stopped; the next run continues where this one stopped.");
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
        catch (Exception exception) when (exception is DockException or ApiException or HttpRequestException)
        {
            // Bad settings, a failed sign-in, AvCloud out of reach: a message the person at the dock can act on.
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

    private static TimeSpan Interval(Dictionary<string, string> options) =>
        double.TryParse(options.GetValueOrDefault("interval") ?? "30", CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new DockException("--interval takes a positive number of seconds.");

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
