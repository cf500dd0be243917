using System.Diagnostics;

namespace AvCloud.Tests.Hosting;

/// <summary>Runs a command-line tool (node, dotnet) the way a developer would, and hands back what it said.</summary>
internal static class Tools
{
    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public override string ToString() => $"exit code {ExitCode}\n{Output}\n{Errors}";
    }

    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="directory"/>; killed (with its children) after
    /// <paramref name="timeout"/> or when the test run is cancelled. Telemetry and update checks stay off.
    /// </summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, string directory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
                ["REDOCLY_TELEMETRY"] = "off",
                ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
                ["KIOTA_OFFLINE_ENABLED"] = "true",
                ["KIOTA_CLI_TELEMETRY_OPTOUT"] = "true",
                ["KIOTA_TUTORIAL_ENABLED"] = "false",
                ["KIOTA_CONSOLE_COLORS_ENABLED"] = "false",
            },
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var errors = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            return new Result(process.ExitCode, await output, await errors);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
    }
}
