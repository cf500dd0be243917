using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AvCloud.Local.Emulators;

/// <summary>
/// A Node.js child process of the local host (Azurite or the Cosmos stand-in). It is told the host's PID and
/// stops by itself if the host disappears; <see cref="DisposeAsync"/> asks it to stop (SIGTERM, so the Cosmos
/// stand-in can write its snapshot) and kills it if it does not within a few seconds.
/// </summary>
internal sealed partial class NodeProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly Queue<string> _recent = new();

    private NodeProcess(string name, Process process, ILogger logger)
    {
        _name = name;
        _process = process;
        _logger = logger;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process printed, for error messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_recent)
            {
                return string.Join(Environment.NewLine, _recent);
            }
        }
    }

    public static NodeProcess Start(string name, string workingDirectory, string script, IEnumerable<string> arguments, ILogger logger)
    {
        var node = Environment.GetEnvironmentVariable("AVCLOUD_NODE") is { Length: > 0 } configured ? configured : "node";
        var info = new ProcessStartInfo(node)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--parent-pid");
        info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new NodeProcess(name, process, logger);
        process.OutputDataReceived += (_, e) => child.Record(e.Data);
        process.ErrorDataReceived += (_, e) => child.Record(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {name} ({node} {script}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_recent)
        {
            _recent.Enqueue(line);
            while (_recent.Count > 40)
            {
                _recent.Dequeue();
            }
        }

        LogOutput(_logger, _name, line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LoggerMessage(Level = LogLevel.Debug, Message = "[{Name}] {Line}")]
    private static partial void LogOutput(ILogger logger, string name, string line);
}
