using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AvCloud.Local.Functions;

namespace AvCloud.Tests.Hosting;

/// <summary>
/// The local host must serve exactly what Azure would: every function in the Worker SDK's generated
/// functions.metadata, with the same trigger type and the same route and methods, blob path and source, or schedule.
/// </summary>
public sealed class ParityTests(LocalCloudFixture fixture)
{
    [Fact]
    public async Task Every_function_in_functions_metadata_is_served_with_the_same_trigger()
    {
        var metadataFile = Path.Combine(Repository.FunctionsOutput, "functions.metadata");
        Assert.True(File.Exists(metadataFile), $"{metadataFile} is missing: build the function app first.");
        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(metadataFile, TestContext.Current.CancellationToken))!.AsArray();
        var served = await fixture.Admin.GetFromJsonAsync<List<FunctionDescription>>("/admin/functions", TestContext.Current.CancellationToken);
        Assert.NotNull(served);
        Assert.NotEmpty(metadata);

        foreach (var function in metadata)
        {
            var name = function!["name"]!.GetValue<string>();
            var local = served.SingleOrDefault(f => f.Name == name);
            Assert.True(local is not null, $"{name} is in functions.metadata but the local host does not serve it.");
            Assert.True(local.Served, $"{name} cannot be served locally: {local.Problem}");
            Assert.Equal(function["entryPoint"]!.GetValue<string>(), local.EntryPoint);

            var trigger = function["bindings"]!.AsArray().Single(b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!;
            var localTrigger = Assert.Single(local.Bindings);
            Assert.Equal(trigger["type"]!.GetValue<string>(), localTrigger.Type);
            Assert.Equal(trigger["name"]!.GetValue<string>(), localTrigger.Name);
            switch (localTrigger.Type)
            {
                case "httpTrigger":
                    Assert.Equal(trigger["route"]?.GetValue<string>(), localTrigger.Route);
                    Assert.Equal(
                        (trigger["methods"]?.AsArray().Select(m => m!.GetValue<string>()) ?? []).Select(m => m.ToUpperInvariant()).Order(),
                        (localTrigger.Methods ?? []).Select(m => m.ToUpperInvariant()).Order());
                    Assert.Equal(trigger["authLevel"]?.GetValue<string>(), localTrigger.AuthLevel);
                    break;
                case "blobTrigger":
                    Assert.Equal(trigger["path"]!.GetValue<string>(), localTrigger.Path);
                    Assert.Equal(trigger["source"]?.GetValue<string>(), localTrigger.Source);
                    break;
                case "timerTrigger":
                    Assert.Equal(trigger["schedule"]!.GetValue<string>(), localTrigger.Schedule);
                    break;
                default:
                    Assert.Fail($"{name} has a {localTrigger.Type} trigger, which the local host does not serve.");
                    break;
            }
        }

        // And nothing of the function app is served that Azure would not run.
        var appFunctions = served.Where(f => f.ScriptFile == "AvCloud.Functions.dll").Select(f => f.Name).Order();
        Assert.Equal(metadata.Select(f => f!["name"]!.GetValue<string>()).Order(), appFunctions);
    }

    [Fact]
    public void A_function_with_a_trigger_the_host_cannot_serve_is_reported_not_served()
    {
        var catalog = FunctionCatalog.Discover([typeof(PollingProbe).Assembly]);

        var polling = Assert.Single(catalog, f => f.Name == "PollingProbe");
        Assert.NotNull(polling.Problem);
        Assert.Contains("EventGrid", polling.Problem, StringComparison.Ordinal);
    }
}
