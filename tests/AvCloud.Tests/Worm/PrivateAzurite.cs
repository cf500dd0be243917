using AvCloud.Local.Emulators;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AvCloud.Tests.Worm;

/// <summary>
/// An Azurite of its own, with the WORM gateway, whose clock is a fake one served the way the local host serves its
/// clock (GET /admin/clock): tests move time forward to make policies expire.
/// </summary>
public sealed class PrivateAzurite : IAsyncDisposable
{
    private readonly WebApplication _clockServer;
    private readonly NodeProcess _azurite;

    private PrivateAzurite(WebApplication clockServer, NodeProcess azurite, Uri endpoint)
    {
        _clockServer = clockServer;
        _azurite = azurite;
        BlobEndpoint = endpoint;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={Emulator.AzuriteAccount};AccountKey={Emulator.AzuriteKey};BlobEndpoint={endpoint};";
    }

    public string ConnectionString { get; }

    /// <summary>The footage account's endpoint, http://127.0.0.1:PORT/devstoreaccount1.</summary>
    public Uri BlobEndpoint { get; }

    public static async Task<PrivateAzurite> StartAsync(TimeProvider clock, string? dataDirectory = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var clockServer = builder.Build();
        clockServer.MapGet("/admin/clock", () => new { now = clock.GetUtcNow() });
        await clockServer.StartAsync();
        var clockUri = new Uri(new Uri(clockServer.Urls.First()), "/admin/clock");

        var port = Emulator.PickPort(0);
        var arguments = LocalEmulators.AzuriteArguments(port, dataDirectory, clockUri);
        var azurite = NodeProcess.Start("azurite", Emulator.FindLocalDirectory(), "azurite.js", arguments, NullLogger.Instance);
        var endpoint = new Uri($"http://127.0.0.1:{port}/{Emulator.AzuriteAccount}");
        await Emulator.WaitUntilAnsweringAsync(azurite, "Azurite", new Uri($"{endpoint}?comp=list"), needsSuccess: false, CancellationToken.None);
        return new PrivateAzurite(clockServer, azurite, endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _azurite.DisposeAsync();
        await _clockServer.DisposeAsync();
    }
}
