using System.Reflection;

namespace AvCloud.Local;

/// <summary>How to run the cloud on one machine.</summary>
public sealed class LocalCloudOptions
{
    /// <summary>Port of the function host (HTTP API, webhooks, admin); 0 picks a free one. Taken ports are replaced by free ones.</summary>
    public int Port { get; init; } = 7071;

    public int AzuritePort { get; init; } = 10000;

    public int CosmosPort { get; init; } = 8081;

    /// <summary>
    /// Emulators already running, which this host uses and neither starts nor stops (<c>avcloud up --blob-endpoint URL
    /// --cosmos-endpoint URL</c>); null: the host starts its own. The campaign runs the host so, to kill it mid-run.
    /// </summary>
    public Emulators.RunningEmulators? Emulators { get; init; }

    /// <summary>Keep blobs and documents here across restarts; null keeps everything in memory.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Shift the clock the functions see (demos of retention: "run as if it were 25 months later").</summary>
    public TimeSpan ClockOffset { get; init; }

    /// <summary>The clock the functions see; overrides <see cref="ClockOffset"/> (tests pass a fake one).</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Run timer functions on their schedules. Off, they still run on demand through the admin API.</summary>
    public bool RunTimerSchedules { get; init; } = true;

    /// <summary>How often the blob watcher looks for newly committed blobs.</summary>
    public TimeSpan BlobWatchInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Assemblies whose <c>[Function]</c> methods are served besides the function app's.</summary>
    public IReadOnlyList<Assembly> AdditionalFunctionAssemblies { get; init; } = [];

    /// <summary>Extra settings (the app's configuration keys) on top of the local defaults.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The local issuer's signing key (PEM), created on first use; null: a key in memory for this run only.</summary>
    public string? IssuerKeyFile { get; init; }

    /// <summary>The host keys (master, blobs_extension), created on first use; null: keys in memory for this run only.</summary>
    public string? HostKeysFile { get; init; }

    /// <summary>The key evidence packages are signed with (PEM, mode 0600), created on first use; null: a key in a temporary folder for this run only.</summary>
    public string? SigningKeyFile { get; init; }

    /// <summary>Registrations added after the app's own (tests add what their probe functions need).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;
}
