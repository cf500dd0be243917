using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Health;
using AvCloud.Functions.Packages;
using AvCloud.Functions.Storage;
using AvCloud.Functions.WebConsole;
using AvCloud.Local.Emulators;
using AvCloud.Functions.Identity;
using AvCloud.Local.Functions;
using AvCloud.Local.Identity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AvCloud.Local;

/// <summary>
/// The whole of AvCloud on one machine: Azurite and the Cosmos stand-in as child processes (<see cref="LocalEmulators"/>;
/// or ones already running, <see cref="LocalCloudOptions.Emulators"/>), and a host that
/// serves the function app's own classes (HTTP routes, the Event Grid blob webhook, timers, the admin API) with
/// the same service registrations as in Azure. Everything listens on 127.0.0.1 only.
/// </summary>
public sealed class LocalCloud : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BlobWatcher _watcher;
    private LocalEmulators? _emulators;
    private ILoggerFactory? _emulatorLoggers;
    private DirectoryInfo? _runSigningFolder;

    private LocalCloud(WebApplication app, BlobWatcher watcher, RunningEmulators emulators, Uri baseAddress, IReadOnlyList<LocalFunction> functions)
    {
        _app = app;
        _watcher = watcher;
        BaseAddress = baseAddress;
        BlobEndpoint = emulators.BlobEndpoint;
        CosmosEndpoint = emulators.CosmosEndpoint;
        Functions = functions;
    }

    /// <summary>The function host: <c>/api/...</c>, <c>/runtime/webhooks/blobs</c>, <c>/admin/functions</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Where the web console answers (ServeConsole).</summary>
    public const string ConsolePath = "";

    /// <summary>The published console the local host serves unless told otherwise: what <c>./avcloud build</c> publishes.</summary>
    public static string PublishedConsole() =>
        Path.Combine(Path.GetDirectoryName(Emulator.FindLocalDirectory())!, "console", "AvCloud.Console", "bin", "publish", "wwwroot");

    /// <summary>Blob storage as the app sees it: Azurite, behind the WORM gateway that runs in its process.</summary>
    public Uri BlobEndpoint { get; }

    public Uri CosmosEndpoint { get; }

    public string StorageConnectionString => new RunningEmulators(BlobEndpoint, CosmosEndpoint).StorageConnectionString;

    /// <summary>The preservation account (second copies), a second account in the same Azurite.</summary>
    public string PreservationConnectionString => new RunningEmulators(BlobEndpoint, CosmosEndpoint).PreservationConnectionString;

    public static string CosmosKey => Emulator.CosmosKey;

    public IReadOnlyList<LocalFunction> Functions { get; }

    /// <summary>The local token issuer (Entra ID's stand-in): mint tokens with it.</summary>
    public LocalIssuer Issuer { get; private init; } = null!;

    /// <summary>The host keys the admin API (master) and the blob webhook (blobs_extension) ask for.</summary>
    public HostKeys Keys { get; private init; } = null!;

    /// <summary>The emulator processes this host started (and stops); none when it runs on <see cref="LocalCloudOptions.Emulators"/>.</summary>
    internal IReadOnlyList<int> ChildProcessIds => _emulators?.ProcessIds ?? [];

    /// <summary>The host's services: the app's registrations (clients, options, clock) as the functions see them.</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<LocalCloud> StartAsync(LocalCloudOptions options, CancellationToken cancellationToken = default)
    {
        // Loopback only: the Cosmos SDK must not probe the cloud metadata endpoint.
        Environment.SetEnvironmentVariable("COSMOS_DISABLE_IMDS_ACCESS", "true");

        var clock = options.Clock ?? (options.ClockOffset == TimeSpan.Zero ? TimeProvider.System : new ShiftedClock(options.ClockOffset));
        if (options.Emulators is { } running)
        {
            // Emulators someone else started and keeps running (the campaign kills and restarts this host under them).
            return await StartHostAsync(options, clock, Emulator.PickPort(options.Port), running, cancellationToken);
        }

        // Lives as long as the emulators do: their output is logged until they stop.
        var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(options.MinimumLogLevel));
        // The host's port is chosen up front too: the WORM gateway in Azurite asks the host for the time (GET /admin/clock).
        var (azuritePort, cosmosPort, hostPort) = Emulator.PickPorts(options.AzuritePort, options.CosmosPort, options.Port);
        LocalEmulators? emulators = null;
        try
        {
            emulators = await LocalEmulators.StartAsync(azuritePort, cosmosPort, options.DataDirectory,
                new Uri($"http://127.0.0.1:{hostPort}{AdminFunctions.ClockPath}"), loggers.CreateLogger("AvCloud.Local.Emulators"), cancellationToken);
            var cloud = await StartHostAsync(options, clock, hostPort, emulators.Endpoints, cancellationToken);
            cloud._emulators = emulators;
            cloud._emulatorLoggers = loggers;
            return cloud;
        }
        catch
        {
            if (emulators is not null)
            {
                await emulators.DisposeAsync();
            }

            loggers.Dispose();
            throw;
        }
    }

    private static async Task<LocalCloud> StartHostAsync(LocalCloudOptions options, TimeProvider clock, int port, RunningEmulators emulators,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        // Locally evidence packages are signed by a key file in the data folder (in Azure, by a Key Vault key).
        var runSigningFolder = options.SigningKeyFile is null ? Directory.CreateTempSubdirectory("avcloud-signing-") : null;
        var signingKeyFile = options.SigningKeyFile ?? Path.Combine(runSigningFolder!.FullName, "signing-key.pem");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{StorageOptions.Section}:ConnectionString"] = emulators.StorageConnectionString,
            [$"{StorageOptions.Section}:PreservationConnectionString"] = emulators.PreservationConnectionString,
            [$"{CosmosOptions.Section}:Endpoint"] = emulators.CosmosEndpoint.ToString(),
            [$"{CosmosOptions.Section}:Key"] = Emulator.CosmosKey,
            [$"{IdentityOptions.Section}:MetadataAddress"] = $"http://127.0.0.1:{port}{LocalIssuer.MetadataPath}",
            [$"{IdentityOptions.Section}:Audience"] = LocalIssuer.Audience,
            [$"{IdentityOptions.Section}:RequireHttpsMetadata"] = "false",
            [$"{ConsoleOptions.Section}:Directory"] = PublishedConsole(),
            [$"{SigningOptions.Section}:Signer"] = nameof(SignerKind.File),
            [$"{SigningOptions.Section}:KeyFile"] = signingKeyFile,
        });
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(options.MinimumLogLevel);
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));

        builder.Services.AddAvCloud(builder.Configuration);
        var pipeline = new LocalWorkerPipeline(builder.Services);
        pipeline.UseAvCloudMiddleware();
        builder.Services.AddSingleton(pipeline);
        builder.Services.Replace(ServiceDescriptor.Singleton(clock));
        options.ConfigureServices?.Invoke(builder.Services);

        var functions = FunctionCatalog.Discover([typeof(CheckHealth).Assembly, .. options.AdditionalFunctionAssemblies]);
        builder.Services.AddSingleton(functions);
        builder.Services.AddSingleton<BlobTriggers>();
        builder.Services.AddSingleton<TimerFunctions>();

        var issuer = LocalIssuer.LoadOrCreate(options.IssuerKeyFile);
        builder.Services.AddSingleton(issuer);
        var keys = HostKeys.LoadOrCreate(options.HostKeysFile);
        var app = builder.Build();
        var triggerContainers = functions.Where(f => f is { Kind: TriggerKind.Blob, Problem: null }).Select(f => new BlobPathPattern(f.Blob.BlobPath).Container);
        await ProvisionAsync(app.Services, triggerContainers, cancellationToken);

        HttpFunctions.Map(app, functions);
        app.Services.GetRequiredService<BlobTriggers>().Map(app, keys);
        var timers = app.Services.GetRequiredService<TimerFunctions>();
        AdminFunctions.Map(app, functions, timers, clock, keys);
        // Entra's metadata and keys are public; so are the local issuer's.
        // The console signs in with the authorization code flow against the same issuer (LocalSignIn).
        app.MapGet(LocalIssuer.MetadataPath, (HttpContext http) =>
        {
            var host = new Uri($"{http.Request.Scheme}://{http.Request.Host}/");
            var metadata = issuer.Metadata(host);
            foreach (var (name, value) in LocalSignIn.Metadata(host))
            {
                metadata[name] = value;
            }

            return TypedResults.Ok(metadata);
        });
        app.MapGet(LocalIssuer.JwksPath, () => TypedResults.Ok(issuer.Jwks()));
        LocalSignInPage.Map(app, new LocalSignIn(issuer, clock));

        await app.StartAsync(cancellationToken);
        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var webhook = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var watcher = new BlobWatcher(app.Services.GetRequiredService<BlobTriggers>(), app.Services.GetRequiredService<BlobServiceClient>(),
            webhook, keys.BlobsExtensionKey, options.BlobWatchInterval, app.Services.GetRequiredService<ILogger<BlobWatcher>>());
        watcher.Start();
        if (options.RunTimerSchedules)
        {
            timers.StartSchedules();
        }

        return new LocalCloud(app, watcher, emulators, baseAddress, functions)
        {
            Issuer = issuer, Keys = keys, _runSigningFolder = runSigningFolder,
        };
    }

    /// <summary>
    /// Creates what Bicep creates in Azure: the blob containers (with those blob triggers watch, which an Event Grid
    /// subscription needs to exist), the database and its containers.
    /// </summary>
    private static async Task ProvisionAsync(IServiceProvider services, IEnumerable<string> triggerContainers, CancellationToken cancellationToken)
    {
        var blobs = services.GetRequiredService<BlobServiceClient>();
        foreach (var name in BlobContainers.All.Append(BlobTriggers.ReceiptsContainer).Concat(triggerContainers).Distinct())
        {
            await blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        await services.GetRequiredKeyedService<BlobServiceClient>(BlobContainers.PreservationAccount)
            .GetBlobContainerClient(BlobContainers.Preservation).CreateIfNotExistsAsync(cancellationToken: cancellationToken);

        var cosmos = services.GetRequiredService<CosmosClient>();
        var database = (await cosmos.CreateDatabaseIfNotExistsAsync(services.GetRequiredService<Database>().Id, cancellationToken: cancellationToken)).Database;
        foreach (var name in CosmosContainers.All)
        {
            await database.CreateContainerIfNotExistsAsync(new ContainerProperties(name, CosmosContainers.PartitionKeyPath), cancellationToken: cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _watcher.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_emulators is not null)
        {
            await _emulators.DisposeAsync();
        }

        _emulatorLoggers?.Dispose();
        _runSigningFolder?.Delete(recursive: true);
    }
}
