using System.Net;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace AvCloud.Tests.Hosting;

/// <summary><c>GET /api/openapi.json</c> describes every HTTP function Azure would run, and is a valid OpenAPI document.</summary>
public sealed class OpenApiTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_http_function_in_functions_metadata_is_described_and_the_description_parses()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/openapi.json", token: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        var parsed = OpenApiDocument.Parse(text, "json");
        Assert.Empty(parsed.Diagnostic?.Errors ?? []);
        var document = parsed.Document!;
        Assert.Equal("AvCloud", document.Info.Title);

        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.FunctionsOutput, "functions.metadata"), Cancel))!.AsArray();
        var http = metadata.Select(f => (Name: f!["name"]!.GetValue<string>(), Trigger: f["bindings"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "httpTrigger" || b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!))
            .Where(f => f.Trigger["type"]!.GetValue<string>() == "httpTrigger").ToList();
        Assert.NotEmpty(http);
        var described = new List<string>();
        foreach (var (name, trigger) in http)
        {
            var path = "/api/" + trigger["route"]!.GetValue<string>();
            Assert.True(document.Paths.TryGetValue(path, out var item), $"{name}: {path} is not described.");
            foreach (var method in trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()))
            {
                var operation = item!.Operations!.Single(o => string.Equals(o.Key.Method, method, StringComparison.OrdinalIgnoreCase)).Value;
                Assert.Equal(name, operation.OperationId);
                Assert.NotEmpty(operation.Responses!);
                Assert.Contains(operation.Responses!.Keys, k => k.StartsWith('2'));
                described.Add(name);
            }
        }

        // Bodies and problems are described too, e.g. for asking for access.
        var create = document.Paths["/api/access-requests"]!.Operations!.Single(o => o.Key == HttpMethod.Post).Value;
        Assert.NotNull(create.RequestBody);
        Assert.True(create.Responses!.ContainsKey("422"));
        Assert.Contains("application/problem+json", create.Responses["422"].Content!.Keys);
        Assert.Equal(http.Select(f => f.Name).Order(), described.Distinct().Order());
    }
}
