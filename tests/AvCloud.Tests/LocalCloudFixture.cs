using AvCloud.Functions.Identity;
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

    /// <summary>The cataloguing pipeline's fault-injection points, shared with the host.</summary>
    public AvCloud.Functions.Ingest.CataloguePipelineHooks Hooks { get; } = new();

    /// <summary>A client for the function host (API, webhooks, admin) over a real socket; it carries no host key.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>A client for the admin API, carrying the master key in <c>x-functions-key</c> as Azure asks.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The blob webhook for <paramref name="function"/>, with the blobs_extension key as Event Grid's subscription URL has it.</summary>
    public string Webhook(string function) =>
        $"/runtime/webhooks/blobs?functionName=Host.Functions.{function}&code={Uri.EscapeDataString(Cloud.Keys.BlobsExtensionKey)}";

    public async ValueTask InitializeAsync()
    {
        _cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            Port = 0,
            AzuritePort = 0,
            CosmosPort = 0,
            RunTimerSchedules = false,
            AdditionalFunctionAssemblies = [typeof(LocalCloudFixture).Assembly],
            ConfigureServices = services => services.AddSingleton(Probes).AddSingleton(Hooks),
            // WatchUploads re-drives what has sat in ingest for a second (tests run it on demand).
            Settings = new Dictionary<string, string?> { ["AvCloud:Ingest:RedriveAfter"] = "00:00:01" },
        });
        Http = new HttpClient { BaseAddress = _cloud.BaseAddress };
        Admin = new HttpClient { BaseAddress = _cloud.BaseAddress };
        Admin.DefaultRequestHeaders.Add(Local.Functions.HostKeys.Header, _cloud.Keys.Master);
    }

    /// <summary>A token from the local issuer, valid for an hour.</summary>
    public string TokenFor(string unit, params string[] roles) =>
        Cloud.Issuer.Mint($"user-{Guid.NewGuid():N}"[..13], unit, roles, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    /// <summary>A dock station's token: its subject is the dock's id, which is who the dock is (a manifest may only name it).</summary>
    public string DockTokenFor(string unit, string dockId = "dock-3") =>
        Cloud.Issuer.Mint(dockId, unit, [Roles.Dock], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    /// <summary>A request to the function host carrying <paramref name="token"/>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Admin.Dispose();
        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }
    }
}
