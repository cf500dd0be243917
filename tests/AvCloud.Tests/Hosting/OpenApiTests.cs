using System.Net;
using System.Text.Json.Nodes;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Http;
using Microsoft.OpenApi;

namespace AvCloud.Tests.Hosting;

/// <summary>
/// <c>GET /api/openapi.json</c> describes every HTTP function Azure would run, is a valid OpenAPI document, and passes
/// Redocly's recommended rules without an error.
/// </summary>
public sealed class OpenApiTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Redocly's CLI, installed by <c>npm ci</c> in <c>local/</c> from the committed lock file.</summary>
    private static string Redocly => Path.Combine(Repository.Root, "local", "node_modules", "@redocly", "cli", "bin", "cli.js");

    private async Task<string> ServedAsync()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/openapi.json", token: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Cancel);
    }

    private static JsonObject Schema(JsonNode document, string name) => document["components"]!["schemas"]![name]!.AsObject();

    private static string[] Required(JsonNode document, string name) =>
        [.. Schema(document, name)["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? []];

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
            // A catch-all parameter ({*path}) is described as the parameter it is ({path}).
            var path = "/" + trigger["route"]!.GetValue<string>().Replace("{*", "{", StringComparison.Ordinal);
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

    [Fact]
    public async Task The_description_passes_the_recommended_lint_rules_without_an_error()
    {
        var directory = Directory.CreateTempSubdirectory("avcloud-openapi-");
        try
        {
            var file = Path.Combine(directory.FullName, "openapi.json");
            await File.WriteAllTextAsync(file, await ServedAsync(), Cancel);

            var lint = await Tools.RunAsync("node", [Redocly, "lint", "--extends", "recommended", "--format", "json", "--max-problems", "1000", file],
                directory.FullName, TimeSpan.FromMinutes(2));

            var report = JsonNode.Parse(lint.Output[lint.Output.IndexOf('{', StringComparison.Ordinal)..])
                ?? throw new InvalidOperationException($"redocly lint said nothing: {lint}");
            var problems = report["problems"]!.AsArray().Select(p => (
                Severity: p!["severity"]!.GetValue<string>(),
                Text: $"{p["severity"]} {p["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}")).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine($"redocly lint: {report["totals"]!.ToJsonString()}");
            foreach (var problem in problems)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(problem.Text);
            }

            Assert.True(report["totals"]!["errors"]!.GetValue<int>() == 0,
                "redocly lint --extends recommended:\n" + string.Join('\n', problems.Where(p => p.Severity == "error").Select(p => p.Text)));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_reference_resolves_within_the_description()
    {
        var document = JsonNode.Parse(await ServedAsync())!;

        var references = Descendants(document).OfType<JsonObject>().Where(o => o.ContainsKey("$ref")).Select(o => o["$ref"]!.GetValue<string>()).ToList();

        Assert.NotEmpty(references);
        Assert.All(references, reference =>
        {
            Assert.StartsWith("#/components/schemas/", reference, StringComparison.Ordinal);
            Assert.True(Schema(document, reference["#/components/schemas/".Length..]) is not null, $"{reference} does not resolve.");
        });
        Assert.Equal("/", document["servers"]![0]!["url"]!.GetValue<string>());
        Assert.Equal(ServeOpenApi.LicenseIdentifier, document["info"]!["license"]!["identifier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_enum_is_one_named_schema_listing_its_json_names()
    {
        var document = JsonNode.Parse(await ServedAsync())!;

        Assert.Equal(["view", "copy"], Schema(document, nameof(AccessMode))["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("string", Schema(document, nameof(AccessMode))["type"]!.GetValue<string>());
        Assert.Equal(
            AvCloudJson.Names<DeviceKind>(),
            string.Join(", ", Schema(document, nameof(DeviceKind))["enum"]!.AsArray().Select(n => n!.GetValue<string>())));
        Assert.Equal("#/components/schemas/DeviceKind", Schema(document, nameof(Device))["properties"]!["kind"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/DeviceStatus",
            Schema(document, nameof(DeviceStatusChange))["properties"]!["to"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/ActivityKind",
            Schema(document, "UnitSettingsChange")["properties"]!["recordingRequiredFor"]!["items"]!["$ref"]!.GetValue<string>());

        // No enum is left as "anything": every property has a type, a reference or a choice.
        var untyped = Schema(document, "UnitSettingsChange")["properties"]!.AsObject()
            .Where(p => p.Value is not JsonObject o || !(o.ContainsKey("type") || o.ContainsKey("$ref") || o.ContainsKey("anyOf")));
        Assert.Empty(untyped);
    }

    [Fact]
    public async Task Only_what_a_caller_must_send_is_required()
    {
        var document = JsonNode.Parse(await ServedAsync())!;

        // Request fields are nullable so the function names each missing one in its 400; [Required] marks those it insists on.
        // The dock is who its token says: dockId may be left out (if given, it must name that dock).
        Assert.Equal(["deviceId", "officerId", "dockedAt", "deviceClockAtDocking", "files"], Required(document, "UploadManifest"));
        Assert.Equal(["name", "kind", "size", "sha256", "recordedStart", "recordedEnd"], Required(document, "ManifestFile"));
        Assert.Equal(["purpose", "caseName", "caseNumber", "mode", "duration"], Required(document, "AccessRequestBody"));
        Assert.Empty(Required(document, "AccessApprovalBody"));
        // Positional records: parameters that are neither nullable nor defaulted.
        Assert.Equal(["officerId", "at", "handedOverBy", "condition"], Required(document, nameof(DeviceCheckout)));
        Assert.Equal(["classification", "mode", "requesterRole", "approver"], Required(document, nameof(ApprovalRule)));
        // required members are required; defaulted ones (type, schemaVersion) and nullable ones (holder) are not.
        var device = Required(document, nameof(Device));
        Assert.Contains("id", device);
        Assert.Contains("kind", device);
        Assert.DoesNotContain("type", device);
        Assert.DoesNotContain("schemaVersion", device);
        Assert.DoesNotContain("holder", device);
        // Numbers are numbers, not the string-or-number the web defaults would also read.
        Assert.Equal("integer", Schema(document, nameof(Device))["properties"]!["schemaVersion"]!["type"]!.GetValue<string>());
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node) =>
        node switch
        {
            JsonObject o => o.Select(p => p.Value).OfType<JsonNode>().SelectMany(Descendants).Prepend(node),
            JsonArray a => a.OfType<JsonNode>().SelectMany(Descendants).Prepend(node),
            _ => [node],
        };
}
