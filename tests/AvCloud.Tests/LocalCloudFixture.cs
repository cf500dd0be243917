using AvCloud.Local;
using AvCloud.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(AvCloud.Tests.LocalCloudFixture))]

namespace AvCloud.Tests;

/// <summary>
/// The local cloud, started once for the whole test run on free ports: Azurite, the Cosmos stand-in and the
/// function host, serving the function app plus the probe functions in this assembly.
/// </summary>
public sealed class LocalCloudFixture : IAsyncLifetime
{
    private LocalCloud? _cloud;

    public LocalCloud Cloud => _cloud ?? throw new InvalidOperationException("The local cloud has not started.");

    public ProbeLog Probes { get; } = new();

    /// <summary>A client for the function host (API, webhooks, admin) over a real socket.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            Port = 0,
            AzuritePort = 0,
            CosmosPort = 0,
            RunTimerSchedules = false,
            AdditionalFunctionAssemblies = [typeof(LocalCloudFixture).Assembly],
            ConfigureServices = services => services.AddSingleton(Probes),
        });
        Http = new HttpClient { BaseAddress = _cloud.BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }
    }
}
