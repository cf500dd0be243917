using System.Globalization;
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
/// The whole of AvCloud on one machine: Azurite and the Cosmos stand-in as child processes, and a host that
/// serves the function app's own classes (HTTP routes, the Event Grid blob webhook, timers, the admin API) with
/// the same service registrations as in Azure. Everything listens on 127.0.0.1 only.
/// </summary>
public sealed class LocalCloud : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NodeProcess _azurite;
    private readonly NodeProcess _cosmos;
    private readonly BlobWatcher _watcher;
    private ILoggerFactory? _emulatorLoggers;
    private DirectoryInfo? _runSigningFolder;

    private LocalCloud(WebApplication app, NodeProcess azurite, NodeProcess cosmos, BlobWatcher watcher,
        Uri baseAddress, Uri blobEndpoint, Uri cosmosEndpoint, IReadOnlyList<LocalFunction> functions)
    {
        _app = app;
        _azurite = azurite;
        _cosmos = cosmos;
        _watcher = watcher;
        BaseAddress = baseAddress;
        BlobEndpoint = blobEndpoint;
        CosmosEndpoint = cosmosEndpoint;
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

    public string StorageConnectionString => ConnectionString(BlobEndpoint);

    /// <summary>The preservation account (second copies), a second account in the same Azurite.</summary>
    public string PreservationConnectionString => PreservationConnection(BlobEndpoint);

    public static string CosmosKey => Emulator.CosmosKey;

    public IReadOnlyList<LocalFunction> Functions { get; }

    /// <summary>The local token issuer (Entra ID's stand-in): mint tokens with it.</summary>
    public LocalIssuer Issuer { get; private init; } = null!;

    /// <summary>The host keys the admin API (master) and the blob webhook (blobs_extension) ask for.</summary>
    public HostKeys Keys { get; private init; } = null!;

    /// <summary>The emulator processes this host started (and stops).</summary>
    internal IReadOnlyList<int> ChildProcessIds => [_azurite.Id, _cosmos.Id];

    /// <summary>The host's services: the app's registrations (clients, options, clock) as the functions see them.</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<LocalCloud> StartAsync(LocalCloudOptions options, CancellationToken cancellationToken = default)
    {
        // Loopback only: the Cosmos SDK must not probe the cloud metadata endpoint.
        Environment.SetEnvironmentVariable("COSMOS_DISABLE_IMDS_ACCESS", "true");

        var localDirectory = Emulator.FindLocalDirectory();
        // Lives as long as the emulators do: their output is logged until they stop.
        var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(options.MinimumLogLevel));
        var emulatorLogger = loggers.CreateLogger("AvCloud.Local.Emulators");

        // The host's port is chosen up front too: the WORM gateway in Azurite asks the host for the time (GET /admin/clock).
        var (azuritePort, cosmosPort, hostPort) = Emulator.PickPorts(options.AzuritePort, options.CosmosPort, options.Port);
        var blobEndpoint = new Uri($"http://127.0.0.1:{azuritePort}/{Emulator.AzuriteAccount}");
        var cosmosEndpoint = new Uri($"http://127.0.0.1:{cosmosPort}/");

        var azurite = NodeProcess.Start("azurite", localDirectory, "azurite.js",
            AzuriteArguments(azuritePort, options.DataDirectory, new Uri($"http://127.0.0.1:{hostPort}{AdminFunctions.ClockPath}")), emulatorLogger);
        var cosmos = NodeProcess.Start("cosmos", localDirectory, Path.Combine("cosmos", "launcher.js"),
            CosmosArguments(cosmosPort, options.DataDirectory), emulatorLogger);
        try
        {
            await Task.WhenAll(
                Emulator.WaitUntilAnsweringAsync(azurite, "Azurite", new Uri($"{blobEndpoint}?comp=list"), needsSuccess: false, cancellationToken),
                Emulator.WaitUntilAnsweringAsync(cosmos, "The Cosmos stand-in", cosmosEndpoint, needsSuccess: true, cancellationToken));
            var clock = options.Clock ?? (options.ClockOffset == TimeSpan.Zero ? TimeProvider.System : new ShiftedClock(options.ClockOffset));
            var cloud = await StartHostAsync(options, clock, hostPort, azurite, cosmos, blobEndpoint, cosmosEndpoint, cancellationToken);
            cloud._emulatorLoggers = loggers;
            return cloud;
        }
        catch
        {
            await azurite.DisposeAsync();
            await cosmos.DisposeAsync();
            loggers.Dispose();
            throw;
        }
    }

    internal static string[] AzuriteArguments(int port, string? dataDirectory, Uri? clock)
    {
        string[] common = ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--disableTelemetry"];
        string[] withClock = clock is null ? common : [.. common, "--clock-url", clock.ToString()];
        return dataDirectory is null
            ? [.. withClock, "--inMemoryPersistence"]
            : [.. withClock, "--location", Path.Combine(Path.GetFullPath(dataDirectory), "azurite"), "--worm-data", Path.GetFullPath(dataDirectory)];
    }

    private static string[] CosmosArguments(int port, string? dataDirectory)
    {
        string[] common = ["--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)];
        return dataDirectory is null ? common : [.. common, "--data", Path.GetFullPath(dataDirectory)];
    }

    private static string ConnectionString(Uri blobEndpoint) =>
        $"DefaultEndpointsProtocol=http;AccountName={Emulator.AzuriteAccount};AccountKey={Emulator.AzuriteKey};BlobEndpoint={blobEndpoint};";

    private static string PreservationConnection(Uri blobEndpoint) =>
        $"DefaultEndpointsProtocol=http;AccountName={Emulator.PreservationAccount};AccountKey={Emulator.PreservationKey};" +
        $"BlobEndpoint={new Uri(blobEndpoint, $"/{Emulator.PreservationAccount}")};";

    private static async Task<LocalCloud> StartHostAsync(LocalCloudOptions options, TimeProvider clock, int port, NodeProcess azurite, NodeProcess cosmos,
        Uri blobEndpoint, Uri cosmosEndpoint, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        // Locally evidence packages are signed by a key file in the data folder (in Azure, by a Key Vault key).
        var runSigningFolder = options.SigningKeyFile is null ? Directory.CreateTempSubdirectory("avcloud-signing-") : null;
        var signingKeyFile = options.SigningKeyFile ?? Path.Combine(runSigningFolder!.FullName, "signing-key.pem");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{StorageOptions.Section}:ConnectionString"] = ConnectionString(blobEndpoint),
            [$"{StorageOptions.Section}:PreservationConnectionString"] = PreservationConnection(blobEndpoint),
            [$"{CosmosOptions.Section}:Endpoint"] = cosmosEndpoint.ToString(),
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

        return new LocalCloud(app, azurite, cosmos, watcher, baseAddress, blobEndpoint, cosmosEndpoint, functions)
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
        await Task.WhenAll(_azurite.DisposeAsync().AsTask(), _cosmos.DisposeAsync().AsTask());
        _emulatorLoggers?.Dispose();
        _runSigningFolder?.Delete(recursive: true);
    }
}
