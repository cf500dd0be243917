using System.Net;
using System.Text.Json.Nodes;
using AvCloud.Functions;
using AvCloud.Functions.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Health;

public sealed class HealthTests(LocalCloudFixture fixture)
{
    [Fact]
    public async Task Health_reports_blob_storage_and_cosmos_reachable()
    {
        using var response = await fixture.Http.GetAsync("/api/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        Assert.True(body["dependencies"]!["blobStorage"]!["reachable"]!.GetValue<bool>());
        Assert.True(body["dependencies"]!["cosmosDb"]!["reachable"]!.GetValue<bool>());
        Assert.True(body["dependencies"]!["preservationStorage"]!["reachable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Health_is_503_when_a_dependency_cannot_be_reached()
    {
        // The same registrations, with Cosmos DB pointed at a port nobody listens on.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AvCloud:Storage:ConnectionString"] = fixture.Cloud.StorageConnectionString,
            ["AvCloud:Storage:PreservationConnectionString"] = fixture.Cloud.PreservationConnectionString,
            ["AvCloud:Cosmos:Endpoint"] = $"http://127.0.0.1:{Local.Emulators.Emulator.PickPort(0)}/",
            ["AvCloud:Cosmos:Key"] = Local.LocalCloud.CosmosKey,
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddAvCloud(configuration).BuildServiceProvider();
        var health = ActivatorUtilities.CreateInstance<CheckHealth>(services);
        var http = new DefaultHttpContext { RequestServices = services };

        var result = await health.Run(http.Request, TestContext.Current.CancellationToken);

        var json = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<HealthReport>>(result);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, json.StatusCode);
        Assert.True(json.Value!.Dependencies["blobStorage"].Reachable);
        Assert.False(json.Value.Dependencies["cosmosDb"].Reachable);
        Assert.Equal("unreachable", json.Value.Dependencies["cosmosDb"].Error);
    }
}
