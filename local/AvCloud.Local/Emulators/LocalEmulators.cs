using System.Globalization;

namespace AvCloud.Local.Emulators;

/// <summary>
/// Azurite (with the WORM gateway) and the Cosmos stand-in as child processes of this process, on 127.0.0.1: what the
/// local host starts for itself, or what the campaign starts once so that it can kill and restart the host under them
/// (the host then runs with <see cref="LocalCloudOptions.Emulators"/>). Both stop when this process ends, however it ends.
/// </summary>
public sealed class LocalEmulators : IAsyncDisposable
{
    private readonly NodeProcess _azurite;
    private readonly NodeProcess _cosmos;

    private LocalEmulators(NodeProcess azurite, NodeProcess cosmos, RunningEmulators endpoints)
    {
        _azurite = azurite;
        _cosmos = cosmos;
        Endpoints = endpoints;
    }

    /// <summary>Where they answer: Azurite's blob endpoint (its first account) and the Cosmos stand-in.</summary>
    public RunningEmulators Endpoints { get; }

    /// <summary>The two emulator processes.</summary>
    public IReadOnlyList<int> ProcessIds => [_azurite.Id, _cosmos.Id];

    /// <summary>
    /// Starts both on the given ports and waits until they answer. <paramref name="clock"/> is the host's clock
    /// (<c>GET /admin/clock</c>), which the WORM gateway reads so that policies expire by the local cloud's time;
    /// <paramref name="dataDirectory"/> keeps blobs and documents across restarts (null: in memory).
    /// </summary>
    public static async Task<LocalEmulators> StartAsync(int azuritePort, int cosmosPort, string? dataDirectory, Uri? clock, ILogger logger,
        CancellationToken cancellationToken)
    {
        var localDirectory = Emulator.FindLocalDirectory();
        var endpoints = new RunningEmulators(new Uri($"http://127.0.0.1:{azuritePort}/{Emulator.AzuriteAccount}"), new Uri($"http://127.0.0.1:{cosmosPort}/"));
        var azurite = NodeProcess.Start("azurite", localDirectory, "azurite.js", AzuriteArguments(azuritePort, dataDirectory, clock), logger);
        var cosmos = NodeProcess.Start("cosmos", localDirectory, Path.Combine("cosmos", "launcher.js"), CosmosArguments(cosmosPort, dataDirectory), logger);
        try
        {
            await Task.WhenAll(
                Emulator.WaitUntilAnsweringAsync(azurite, "Azurite", new Uri($"{endpoints.BlobEndpoint}?comp=list"), needsSuccess: false, cancellationToken),
                Emulator.WaitUntilAnsweringAsync(cosmos, "The Cosmos stand-in", endpoints.CosmosEndpoint, needsSuccess: true, cancellationToken));
            return new LocalEmulators(azurite, cosmos, endpoints);
        }
        catch
        {
            await Task.WhenAll(azurite.DisposeAsync().AsTask(), cosmos.DisposeAsync().AsTask());
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

    /// <summary>Asks both to stop (the Cosmos stand-in writes its snapshot) and kills what does not within a few seconds.</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(_azurite.DisposeAsync().AsTask(), _cosmos.DisposeAsync().AsTask());
}

/// <summary>Emulators already answering: Azurite's blob endpoint with its account (<c>http://127.0.0.1:PORT/devstoreaccount1</c>) and the Cosmos stand-in.</summary>
public sealed record RunningEmulators(Uri BlobEndpoint, Uri CosmosEndpoint)
{
    public string StorageConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Emulator.AzuriteAccount};AccountKey={Emulator.AzuriteKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>The preservation account (second copies), a second account in the same Azurite.</summary>
    public string PreservationConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Emulator.PreservationAccount};AccountKey={Emulator.PreservationKey};" +
        $"BlobEndpoint={new Uri(BlobEndpoint, $"/{Emulator.PreservationAccount}")};";
}
