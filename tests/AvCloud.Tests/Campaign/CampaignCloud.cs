using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AvCloud.Functions;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Storage;
using AvCloud.Local.Emulators;
using AvCloud.Local.Functions;
using AvCloud.Local.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// The campaign's local cloud, in pieces that fail separately as Azure's do: the emulators started once by the campaign
/// (they outlive the host), fault proxies in front of them, and the function host (<c>AvCloud.Local</c>) as a process of
/// its own pointed at the proxies, which the campaign kills with SIGKILL and starts again mid-run. The campaign's own
/// look into the stores (seeding, invariants) goes straight to the emulators, past the proxies.
/// </summary>
internal sealed class CampaignCloud : IAsyncDisposable
{
    private readonly LocalEmulators _emulators;
    private readonly ServiceProvider _services;
    private readonly DirectoryInfo _folder;
    private readonly int _port;
    private readonly string[] _hostArguments;
    private readonly ConcurrentQueue<(DateTimeOffset Killed, DateTimeOffset Back)> _kills = new();
    private readonly StreamWriter _hostLog;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private Process? _host;
    private string? _clockOffset;
    private volatile bool _down;

    private CampaignCloud(LocalEmulators emulators, ServiceProvider services, DirectoryInfo folder, int port, string[] hostArguments,
        IReadOnlyDictionary<string, string> settings)
    {
        _settings = new Dictionary<string, string>(settings) { ["COSMOS_DISABLE_IMDS_ACCESS"] = "true" };
        _emulators = emulators;
        _services = services;
        _folder = folder;
        _port = port;
        _hostArguments = hostArguments;
        _hostLog = new StreamWriter(Path.Combine(folder.FullName, "host.log")) { AutoFlush = true };
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Issuer = LocalIssuer.LoadOrCreate(Path.Combine(folder.FullName, "issuer-key.pem"));
        Keys = HostKeys.LoadOrCreate(Path.Combine(folder.FullName, "host-keys.json"));
    }

    /// <summary>The function host: <c>/api/...</c>, <c>/runtime/webhooks/blobs</c>, <c>/admin/functions</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The host's token issuer (its key file is the host's, so tokens survive restarts).</summary>
    public LocalIssuer Issuer { get; }

    public HostKeys Keys { get; }

    /// <summary>The app's registrations, straight to the emulators (no proxy): the campaign's own look into the stores.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Where the host's log, keys and the docks' stations are kept for the run.</summary>
    public string Folder => _folder.FullName;

    /// <summary>Whether the host is down (killed and not answering again yet).</summary>
    public bool HostDown => _down;

    /// <summary>The host kills so far.</summary>
    public int Kills => _kills.Count;

    /// <summary>Whether the host was killed (or not back yet) at any moment between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public bool KilledBetween(DateTimeOffset from, DateTimeOffset to) => _kills.Any(k => k.Killed <= to && k.Back >= from);

    /// <summary>
    /// Starts the emulators on <paramref name="azuritePort"/> and <paramref name="cosmosPort"/> (where the proxies
    /// forward), then the host on a free port, talking to storage at <paramref name="storage"/> and to Cosmos at
    /// <paramref name="cosmos"/> (the proxies), with <paramref name="settings"/> as environment configuration.
    /// </summary>
    public static async Task<CampaignCloud> StartAsync(int azuritePort, int cosmosPort, Uri storage, Uri cosmos, IReadOnlyDictionary<string, string> settings,
        CancellationToken cancellationToken)
    {
        var port = FreePort();
        var folder = Directory.CreateTempSubdirectory("avcloud-campaign-");
        // The WORM gateway asks the host for the time; while the host is down, policies count as unexpired (fail closed).
        var emulators = await LocalEmulators.StartAsync(azuritePort, cosmosPort, dataDirectory: null,
            new Uri($"http://127.0.0.1:{port}{AdminFunctions.ClockPath}"), NullLogger.Instance, cancellationToken);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{StorageOptions.Section}:ConnectionString"] = emulators.Endpoints.StorageConnectionString,
            [$"{StorageOptions.Section}:PreservationConnectionString"] = emulators.Endpoints.PreservationConnectionString,
            [$"{CosmosOptions.Section}:Endpoint"] = emulators.Endpoints.CosmosEndpoint.ToString(),
            [$"{CosmosOptions.Section}:Key"] = Local.LocalCloud.CosmosKey,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddAvCloud(configuration).BuildServiceProvider();
        string[] arguments =
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--data", folder.FullName, "--no-timers",
            "--blob-endpoint", new Uri(storage, $"/{Emulator.AzuriteAccount}").ToString(), "--cosmos-endpoint", cosmos.ToString(),
        ];
        var cloud = new CampaignCloud(emulators, services, folder, port, arguments, settings);
        await cloud.StartHostAsync(cancellationToken);
        return cloud;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts the host and waits until it answers. A host that dies while starting (its start provisions storage and
    /// Cosmos through the faulty proxies, as a cold start meets a flaky region) is started again, as the platform does.
    /// </summary>
    private async Task StartHostAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = StartHostProcess();
            _host = host;
            if (await WaitUntilAnsweringAsync(host, cancellationToken))
            {
                return;
            }

            Interlocked.Increment(ref _failedStarts);
            host.Dispose();
            if (attempt == 10)
            {
                throw new InvalidOperationException($"The local host stopped while starting, 10 times (exit {host.ExitCode}):{Environment.NewLine}{LogTail()}");
            }
        }
    }

    private int _failedStarts;

    /// <summary>Host starts that died before the host answered, and were started again.</summary>
    public int FailedStarts => _failedStarts;

    private Process StartHostProcess() => DotnetProcess.Start("AvCloud.Local.dll",
        _clockOffset is null ? _hostArguments : [.. _hostArguments, "--clock-offset", _clockOffset], _settings, _hostLog);

    private string LogTail()
    {
        lock (_hostLog)
        {
            return string.Join(Environment.NewLine, File.ReadLines(Path.Combine(Folder, "host.log")).TakeLast(30));
        }
    }

    /// <summary>True once the host answers; false when it exited first.</summary>
    private async Task<bool> WaitUntilAnsweringAsync(Process host, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (host.HasExited)
            {
                return false;
            }

            try
            {
                using var answer = await http.GetAsync(AdminFunctions.ClockPath, cancellationToken);
                if (answer.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"The local host did not answer within 90 s:{Environment.NewLine}{LogTail()}");
    }

    /// <summary>
    /// SIGKILL to the host's process (whatever it is doing: functions mid-execution, the blob watcher mid-delivery),
    /// then the host started again on the same port, as the Functions platform restarts a host; back when it answers.
    /// <paramref name="clockOffset"/> (e.g. <c>65s</c>) starts it, and every later start, with its clock moved forward: the campaign compresses a wait.
    /// </summary>
    public async Task KillAndRestartAsync(string? clockOffset = null, CancellationToken cancellationToken = default)
    {
        var killed = DateTimeOffset.UtcNow;
        _down = true;
        var host = _host!;
        host.Kill();
        await host.WaitForExitAsync(cancellationToken);
        host.Dispose();
        _clockOffset = clockOffset ?? _clockOffset;
        await StartHostAsync(cancellationToken);
        _down = false;
        _kills.Enqueue((killed, DateTimeOffset.UtcNow));
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is { HasExited: false } host)
        {
            host.Kill();
            await host.WaitForExitAsync();
        }

        _host?.Dispose();
        await _services.DisposeAsync();
        await _emulators.DisposeAsync();
        Issuer.Dispose();
        _hostLog.Dispose();
        _folder.Delete(recursive: true);
    }
}
