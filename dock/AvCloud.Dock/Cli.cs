using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace AvCloud.DockSync;

/// <summary>
/// The <c>avdock</c> command line. Exit codes: 0 done; 1 the run could not go on (settings, sign-in, AvCloud out of
/// reach); 2 the command line is wrong; 3 a pass finished with problems; 130 push stopped by Ctrl-C or SIGTERM (watch
/// then ends with 0: that is how a service stops).
/// </summary>
internal static class Cli
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int FinishedWithProblems = 3;
    public const int Interrupted = 130;

    private const string StoppedMessage = "avdock: stopped; the next run continues where this one stopped.";

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

        // A recorders' folder may well be named @something: no response files.
        var parsed = Commands(output, errors).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
            {
                errors.WriteLine($"avdock: {Describe(error)}");
            }

            errors.WriteLine($"See: {CommandPath(parsed.CommandResult)} --help");
            return UsageError;
        }

        try
        {
            // The signals are handled above, so that watch can end its pass and say so; exceptions are reported below.
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = output, Error = errors, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false },
                stop.Token);
        }
        catch (Exception exception) when (exception is DockException or ApiException or HttpRequestException)
        {
            // Bad settings, a failed sign-in, AvCloud out of reach: a message the person at the dock can act on.
            errors.WriteLine($"avdock: {exception.Message}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            errors.WriteLine(StoppedMessage);
            return Interrupted;
        }
    }

    private static Command Commands(TextWriter output, TextWriter errors)
    {
        var settingsFile = new Option<string>("--settings")
        {
            HelpName = "FILE",
            Description = "The settings file: API address, dock id, journal, how to sign in (or set AVDOCK_SETTINGS)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AVDOCK_SETTINGS") ?? "avdock.json",
            Recursive = true,
        };
        var recorders = new Argument<string>("DIR") { Description = "The folder the docked recorders appear in, one folder per recorder" };
        var wipe = new Option<bool>("--wipe-after-verify")
        {
            Description = "Delete from the recorder each file AvCloud reported catalogued with the same SHA-256",
        };
        var maxMbps = new Option<double?>("--max-mbps")
        {
            HelpName = "N",
            Description = "Cap the upload at N megabits per second, all files together",
            CustomParser = result => Positive(result, "--max-mbps", "megabits per second", double.MaxValue),
        };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON" };
        var interval = new Option<double>("--interval")
        {
            HelpName = "SECONDS",
            Description = "Seconds between two passes, at most a day",
            DefaultValueFactory = _ => 30,
            // Passes further apart than a day could not keep the 24-hour deadline (Art. 13).
            CustomParser = result => Positive(result, "--interval", "seconds, at most a day", TimeSpan.FromDays(1).TotalSeconds) ?? 0,
        };

        var push = new Command("push", "One pass: hash and upload what is new, wait for AvCloud to verify it, then wipe if asked")
        {
            recorders, wipe, maxMbps, json,
        };
        push.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = DockSettings.Load(parsed.GetRequiredValue(settingsFile));
            var asJson = parsed.GetValue(json);
            using var pusher = new Pusher(settings, asJson ? TextWriter.Null : output);
            var report = await pusher.PushAsync(parsed.GetRequiredValue(recorders), parsed.GetValue(wipe), parsed.GetValue(maxMbps), cancellationToken);
            Print(report, asJson, output);
            return report.Problems.Count == 0 ? Done : FinishedWithProblems;
        });

        var watch = new Command("watch", "Run as a service: a pass every --interval seconds until SIGTERM or Ctrl-C")
        {
            recorders, wipe, maxMbps, json, interval,
        };
        watch.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = DockSettings.Load(parsed.GetRequiredValue(settingsFile));
            await WatchAsync(settings, parsed.GetRequiredValue(recorders), parsed.GetValue(wipe), parsed.GetValue(maxMbps), parsed.GetValue(json),
                TimeSpan.FromSeconds(parsed.GetValue(interval)), output, errors, cancellationToken);
            return Done;
        });

        var status = new Command("status", "Each file's stage, and which are past or near their 24-hour deadline") { json };
        status.SetAction(parsed =>
        {
            var settings = DockSettings.Load(parsed.GetRequiredValue(settingsFile));
            Status(Journal.Open(settings.Journal), settings, parsed.GetValue(json), output);
            return Done;
        });

        // A court's clerk checks an evidence package with the same binary, offline: no settings, no sign-in.
        var package = new Argument<string>("FILE") { Description = "The evidence package (zip) to check" };
        var key = new Option<string?>("--key")
        {
            HelpName = "PUBLIC.pem|FINGERPRINT",
            Description = "Require this signing key: the agency's published public key (PEM) or its SHA-256 fingerprint",
        };
        var verifyPackage = new Command("verify-package", "Check an evidence package offline: its signature, and every file against its manifest (exit 0 valid, 1 invalid)")
        {
            package, key,
        };
        verifyPackage.SetAction(parsed => AvCloud.Packages.PackageVerifier.Run(
            parsed.GetValue(key) is { } required ? [parsed.GetRequiredValue(package), "--key", required] : [parsed.GetRequiredValue(package)], output, errors));

        // Named here rather than after the running executable, so that help reads the same from ./avcloud dock and in tests.
        return new Command("avdock", "avdock, the AvCloud dock sync client: gets the footage off docked recorders and into AvCloud")
        {
            settingsFile, new HelpOption(), new VersionOption(), push, watch, status, verifyPackage,
        };
    }

    private static double? Positive(ArgumentResult result, string option, string unit, double most)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[0].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= most)
        {
            return value;
        }

        result.AddError($"{option} takes a positive number of {unit}, not '{text}'.");
        return null;
    }

    // The parser names the command a missing argument belongs to; the person at the dock needs the argument's name.
    private static string Describe(ParseError error) => error.SymbolResult is ArgumentResult { Tokens.Count: 0, Parent: CommandResult command } missing
        ? $"{command.Command.Name} needs {missing.Argument.Name}, {char.ToLowerInvariant(missing.Argument.Description![0])}{missing.Argument.Description[1..]}."
        : error.Message;

    private static string CommandPath(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandPath(parent)} {command.Command.Name}" : "avdock";

    private static async Task WatchAsync(DockSettings settings, string root, bool wipeAfterVerify, double? maxMbps, bool json, TimeSpan interval,
        TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        using var pusher = new Pusher(settings, output);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var report = await pusher.PushAsync(root, wipeAfterVerify, maxMbps, cancellationToken);
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
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(interval, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        errors.WriteLine(StoppedMessage);
    }

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

    /// <summary>Each file's state, and which are past or near their 24-hour deadline (Art. 13), computed as AvCloud computes it.</summary>
    private static void Status(Journal journal, DockSettings settings, bool json, TextWriter output)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = journal.Entries.Select(e => new
        {
            file = e.Key,
            stage = e.Stage,
            e.Sha256,
            e.RecordedEnd,
            e.ClockDriftSeconds,
            e.ActivityId,
            e.ActivityEnd,
            // Art. 13 as AvCloud judges it: drift-corrected end, or the activity's end; plus 24 hours.
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
