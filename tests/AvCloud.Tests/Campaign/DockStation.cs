using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using AvCloud.DockSync;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// A dock station as one is deployed: the real dock client (<c>avdock watch</c>) in a process of its own, with its
/// settings, token file, journal, and the folder its docked recorder appears in. The campaign puts recordings on the
/// recorder, kills the client with SIGKILL at random moments and starts it again, as a power cut and a service manager
/// would; what the journal says afterwards is read from its file.
/// </summary>
internal sealed class DockStation : IAsyncDisposable
{
    private readonly string _settingsPath;
    private readonly StreamWriter _log;
    private readonly List<PutFile> _files = [];
    private Process? _client;
    private int _next;

    /// <summary>A recording put on the recorder: its name there, its bytes' SHA-256, and when it was put.</summary>
    public sealed record PutFile(string Name, string Sha256, DateTimeOffset PutAt);

    private DockStation(string unit, string dockId, string deviceId, string officerId, string home, string token)
    {
        (Unit, DockId, DeviceId, OfficerId, Token) = (unit, dockId, deviceId, officerId, token);
        Recorders = Directory.CreateDirectory(Path.Combine(home, "recorders")).FullName;
        JournalPath = Path.Combine(home, "journal.json");
        _settingsPath = Path.Combine(home, "avdock.json");
        _log = new StreamWriter(Path.Combine(home, "avdock.log")) { AutoFlush = true };
    }

    public string Unit { get; }

    public string DockId { get; }

    public string DeviceId { get; }

    public string OfficerId { get; }

    /// <summary>The dock's token (the Dock role of its unit), also in its token file.</summary>
    public string Token { get; }

    public string Recorders { get; }

    public string JournalPath { get; }

    public IReadOnlyList<PutFile> Files
    {
        get
        {
            lock (_files)
            {
                return [.. _files];
            }
        }
    }

    /// <summary>The station's folder under <paramref name="root"/>, its settings (API at <paramref name="api"/>) and token file; the client is not started.</summary>
    public static DockStation Create(string root, Uri api, string unit, string dockId, string deviceId, string officerId, string token)
    {
        var home = Directory.CreateDirectory(Path.Combine(root, dockId)).FullName;
        var station = new DockStation(unit, dockId, deviceId, officerId, home, token);
        var tokenFile = Path.Combine(home, "token");
        File.WriteAllText(tokenFile, token);
        var settings = new DockSettings
        {
            Api = new Uri(api, "api/"), DockId = dockId, Journal = station.JournalPath, Auth = new DockAuth { TokenFile = tokenFile },
            // Files settle quickly here; a pass waits a few seconds for AvCloud's word, the next pass asks again.
            StableSeconds = 0.3, VerifySeconds = 3, BlockSizeBytes = 64 * 1024, ParallelFiles = 2,
        };
        File.WriteAllText(station._settingsPath, JsonSerializer.Serialize(settings, DockSettings.Json));
        return station;
    }

    /// <summary>Docks the recorder with <paramref name="count"/> new recordings: its driver writes device.json (clock read now) and the files with their metadata.</summary>
    public void Dock(int count, Func<int> nextSeed)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Recorders, DeviceId)).FullName;
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var content = SyntheticWav.Create(nextSeed(), 4000);
            var name = $"clip{Interlocked.Increment(ref _next):D5}.wav";
            var end = now.AddMinutes(-10 + i).AddSeconds(1);
            File.WriteAllText(Path.Combine(folder, name + Recorder.MetaSuffix),
                JsonSerializer.Serialize(new RecordingInfo("audio", end.AddSeconds(-1), end, null, false, null), DockSettings.Json));
            File.WriteAllBytes(Path.Combine(folder, name), content);
            lock (_files)
            {
                _files.Add(new PutFile(name, Convert.ToHexStringLower(SHA256.HashData(content)), now));
            }
        }

        File.WriteAllText(Path.Combine(folder, Recorder.DeviceFile), JsonSerializer.Serialize(new DeviceInfo(DeviceId, OfficerId, now, now), DockSettings.Json));
    }

    /// <summary>Starts the client as the dock's service runs it: a pass every second until it is stopped or killed.</summary>
    public void Start() => _client = Run(["watch", Recorders, "--settings", _settingsPath, "--interval", "1"]);

    /// <summary>SIGKILL to the client, wherever it is (hashing, opening a session, mid-block, writing its journal).</summary>
    public async Task KillAsync()
    {
        if (_client is { } client)
        {
            client.Kill();
            await client.WaitForExitAsync();
            client.Dispose();
            _client = null;
        }
    }

    /// <summary>One pass to the end (<c>avdock push</c>), continuing from the journal; its exit code.</summary>
    public async Task<int> PushAsync(CancellationToken cancellationToken)
    {
        using var push = Run(["push", Recorders, "--settings", _settingsPath]);
        await push.WaitForExitAsync(cancellationToken);
        return push.ExitCode;
    }

    /// <summary>What the journal file says now (written atomically, so whole even right after a kill).</summary>
    public IReadOnlyList<JournalEntry> Journal() => AvCloud.DockSync.Journal.Open(JournalPath).Entries;

    private Process Run(string[] arguments) => DotnetProcess.Start("avdock.dll", arguments, new Dictionary<string, string>(), _log);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _log.Dispose();
    }
}
