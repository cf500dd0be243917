using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;

namespace AvCloud.Tests.Infra;

/// <summary>
/// infra/ compiles and lints clean with the Bicep CLI (warnings fail too), and the compiled templates match the code:
/// every setting the app needs, every container and partition key, the Event Grid route to the blob-triggered
/// function, and a role for every data operation the app performs.
/// </summary>
public sealed class InfraTests
{
    private static readonly string[] ConnectionSettings = ["blobServiceUri", "queueServiceUri", "credential", "clientId"];

    private static readonly string Infra = Path.Combine(Repository.Root, "infra");

    private static string Bicep => typeof(InfraTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    private static (int ExitCode, string Output, string Errors) Run(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(Bicep, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors);
    }

    public static TheoryData<string> Files() =>
        [.. Directory.EnumerateFiles(Infra, "*.bicep*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Infra, f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_file_builds_and_lints_without_a_single_warning(string file)
    {
        var path = Path.Combine(Infra, file);
        var build = Run(file.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build", path, "--stdout");
        var lint = Run("lint", path);

        Assert.True(build.ExitCode == 0 && build.Errors.Length == 0, $"bicep build {file}: {build.Errors}");
        Assert.True(lint.ExitCode == 0 && (lint.Errors + lint.Output).Trim().Length == 0, $"bicep lint {file}: {lint.Errors}{lint.Output}");
    }

    private static readonly Dictionary<string, JsonObject> Compiled = [];

    private static JsonObject Compile(string file)
    {
        lock (Compiled)
        {
            if (!Compiled.TryGetValue(file, out var template))
            {
                var (exitCode, output, errors) = Run("build", Path.Combine(Infra, file), "--stdout");
                Assert.True(exitCode == 0, errors);
                Compiled[file] = template = JsonNode.Parse(output)!.AsObject();
            }

            return (JsonObject)template.DeepClone();
        }
    }

    /// <summary>A value as written, or the variable it names (<c>[variables('x')]</c>) in <paramref name="template"/>.</summary>
    private static JsonNode Resolve(JsonNode template, JsonNode value) =>
        value is JsonValue text && text.TryGetValue<string>(out var expression)
            && System.Text.RegularExpressions.Regex.Match(expression, @"^\[variables\('(\w+)'\)\]$") is { Success: true } match
            ? Resolve(template, template["variables"]![match.Groups[1].Value]!)
            : value;

    /// <summary>The nested deployment (a module) named <paramref name="name"/>.</summary>
    private static JsonObject Module(JsonObject template, string name) =>
        Resources(template).Select(r => r.AsObject())
            .Single(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments" && r["properties"]!["expressionEvaluationOptions"] is not null
                && r["name"]!.GetValue<string>() == name);

    private static IEnumerable<JsonNode> Resources(JsonNode template) => template["resources"]!.AsArray().Select(r => r!);

    /// <summary>A module's parameter value, with variables of the enclosing <paramref name="template"/> resolved.</summary>
    private static JsonNode Parameter(JsonObject template, JsonObject module, string name) => Resolve(template, module["properties"]!["parameters"]![name]!["value"]!);

    private static IEnumerable<string> Strings(JsonNode node) => node.AsArray().Select(v => v!.GetValue<string>());

    [Fact]
    public void Every_setting_the_app_needs_in_Azure_is_set()
    {
        var main = Compile("main.bicep");
        var app = Module(main, "function-app");
        // The module adds the settings of its own resources (identity, host storage, telemetry) to the app settings.
        var config = Resources(app["properties"]!["template"]!).Single(r => r["type"]!.GetValue<string>() == "Microsoft.Web/sites/config");
        var ownSettings = System.Text.RegularExpressions.Regex.Matches(config["properties"]!.GetValue<string>(), @"'([A-Za-z]+__\w+|APPLICATIONINSIGHTS_\w+)'")
            .Select(m => m.Groups[1].Value);
        var set = Parameter(main, app, "appSettings").AsObject().Select(p => p.Key).Concat(ownSettings).ToHashSet(StringComparer.Ordinal);

        // What the app validates at start: required options with no default...
        var needed = new List<string>();
        foreach (var (options, section) in new[] { (typeof(CosmosOptions), CosmosOptions.Section), (typeof(IdentityOptions), IdentityOptions.Section) })
        {
            needed.AddRange(options.GetProperties()
                .Where(p => p.GetCustomAttribute<RequiredMemberAttribute>() is not null || (p.GetCustomAttribute<RequiredAttribute>() is not null && p.PropertyType == typeof(Uri)))
                .Select(p => $"{section.Replace(":", "__", StringComparison.Ordinal)}__{p.Name}"));
        }

        // ...storage by identity (no keys), the identity itself, and the blob trigger's identity-based connection.
        needed.AddRange(["AvCloud__Storage__BlobServiceUri", "AvCloud__Storage__PreservationServiceUri", "AvCloud__ManagedIdentityClientId"]);
        var connection = MetadataBinding("CatalogueUpload")["connection"]!.GetValue<string>();
        needed.AddRange(ConnectionSettings.Select(s => $"{connection}__{s}"));
        needed.AddRange(["AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__credential", "APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        // Evidence packages are signed in Azure by the Key Vault key, never by a key file.
        needed.AddRange(["AvCloud__Signing__Signer", "AvCloud__Signing__Vault"]);
        Assert.Equal("KeyVault", Parameter(main, app, "appSettings")["AvCloud__Signing__Signer"]!.GetValue<string>());

        Assert.Contains("AvCloud__Cosmos__Endpoint", needed);
        var missing = needed.Where(n => !set.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"not set by the template: {string.Join(", ", missing)}");
        Assert.DoesNotContain(set, s => s.Contains("Key", StringComparison.Ordinal) || s.Contains("ConnectionString", StringComparison.Ordinal) && s != "APPLICATIONINSIGHTS_CONNECTION_STRING");
    }

    [Fact]
    public void Every_container_and_partition_key_the_code_uses_exists_with_the_same_name()
    {
        var main = Compile("main.bicep");
        var cosmos = Module(main, "cosmos");
        var containers = Parameter(main, cosmos, "containers").AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        var partitionKeys = Resources(cosmos["properties"]!["template"]!)
            .Where(r => r["type"]!.GetValue<string>() == "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
            .SelectMany(r => Strings(r["properties"]!["resource"]!["partitionKey"]!["paths"]!)).ToList();

        Assert.Equal(CosmosContainers.All.Order(StringComparer.Ordinal), containers.Order(StringComparer.Ordinal));
        Assert.Equal([CosmosContainers.PartitionKeyPath], partitionKeys);
        Assert.Equal("avcloud", Parameter(main, cosmos, "databaseName").GetValue<string>());
        Assert.Equal(new[] { BlobContainers.Ingest, BlobContainers.Footage, BlobContainers.Quarantine }.Order(StringComparer.Ordinal),
            Strings(Parameter(main, Module(main, "footage-storage"), "containers")).Order(StringComparer.Ordinal));
        Assert.Equal([BlobContainers.Footage], Strings(Parameter(main, Module(main, "footage-storage"), "immutableContainers")));
        Assert.Equal([BlobContainers.Preservation], Strings(Parameter(main, Module(main, "preservation-storage"), "containers")));
        Assert.Equal([BlobContainers.Preservation], Strings(Parameter(main, Module(main, "preservation-storage"), "immutableContainers")));
    }

    private static JsonNode MetadataBinding(string function)
    {
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.FunctionsOutput, "functions.metadata")))!.AsArray();
        var entry = metadata.Single(f => f!["name"]!.GetValue<string>() == function)!;
        return entry["bindings"]!.AsArray().Single(b => b!["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal))!;
    }

    [Fact]
    public void The_event_subscription_targets_the_blob_triggered_function_on_ingest()
    {
        var events = Compile("events.bicep");
        var function = events["parameters"]!["functionName"]!["defaultValue"]!.GetValue<string>();
        var subscription = Resources(events)
            .Single(r => r["type"]!.GetValue<string>() == "Microsoft.EventGrid/systemTopics/eventSubscriptions");
        var endpoint = subscription["properties"]!["destination"]!["properties"]!["endpointUrl"]!.GetValue<string>();
        var trigger = MetadataBinding(function);

        Assert.Equal("blobTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("EventGrid", trigger["source"]!.GetValue<string>());
        Assert.StartsWith($"{BlobContainers.Ingest}/", trigger["path"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("/runtime/webhooks/blobs?functionName=Host.Functions.", endpoint, StringComparison.Ordinal);
        Assert.Contains("parameters('functionName')", endpoint, StringComparison.Ordinal);
        Assert.Contains("blobs_extension", endpoint, StringComparison.Ordinal);
        Assert.Equal($"/blobServices/default/containers/{BlobContainers.Ingest}/", subscription["properties"]!["filter"]!["subjectBeginsWith"]!.GetValue<string>());
        Assert.Equal(["Microsoft.Storage.BlobCreated"], Strings(subscription["properties"]!["filter"]!["includedEventTypes"]!));
    }

    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDelegator = "db58b8e5-c6ad-4a2a-8342-4190687cbf4a";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";

    [Fact]
    public void A_role_covers_every_data_operation_the_app_performs()
    {
        var main = Compile("main.bicep");
        var footage = Strings(Parameter(main, Module(main, "footage-access"), "roles")).ToHashSet();
        var preservation = Strings(Parameter(main, Module(main, "preservation-access"), "roles")).ToHashSet();

        // Immutability policies, legal holds, copies, reading to verify: Blob Data Owner on both accounts.
        Assert.Contains(BlobDataOwner, footage);
        Assert.Contains(BlobDataOwner, preservation);
        // Read links and upload URLs are user-delegation SAS: the identity asks for a user delegation key.
        Assert.Contains(BlobDelegator, footage);
        // The blob trigger's identity connection uses queues.
        Assert.Contains(QueueDataContributor, footage);

        // Cosmos DB: data contributor on every container but audit, where events can only be created and read.
        var cosmos = Module(main, "cosmos")["properties"]!["template"]!.AsObject();
        var resources = Resources(cosmos).ToList();
        var contributor = resources.Single(r => r["type"]!.GetValue<string>() == "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments" && r["copy"] is not null);
        Assert.Contains("variables('dataContributor')", contributor["properties"]!["roleDefinitionId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("00000000-0000-0000-0000-000000000002", cosmos["variables"]!["dataContributor"]!.GetValue<string>());
        Assert.Contains("not(equals(lambdaVariables('c').name, 'audit'))", contributor["copy"]!["count"]!.GetValue<string>(), StringComparison.Ordinal);
        var audit = resources.Single(r => r["type"]!.GetValue<string>() == "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions");
        var actions = Strings(audit["properties"]!["permissions"]![0]!["dataActions"]!).ToList();
        Assert.Contains(actions, a => a.EndsWith("/items/create", StringComparison.Ordinal));
        Assert.Contains(actions, a => a.EndsWith("/items/read", StringComparison.Ordinal));
        Assert.DoesNotContain(actions, a => a.EndsWith("/items/replace", StringComparison.Ordinal) || a.EndsWith("/items/delete", StringComparison.Ordinal)
            || a.EndsWith("/items/upsert", StringComparison.Ordinal) || a.EndsWith("/items/*", StringComparison.Ordinal));
        var account = resources.Single(r => r["type"]!.GetValue<string>() == "Microsoft.DocumentDB/databaseAccounts");
        Assert.True(account["properties"]!["disableLocalAuth"]!.GetValue<bool>());
    }

    [Fact]
    public void Packages_are_signed_by_a_p256_key_in_key_vault_that_the_app_may_only_use_there()
    {
        var main = Compile("main.bicep");
        var signing = Module(main, "signing");
        var resources = Resources(signing["properties"]!["template"]!).ToList();
        var vault = resources.Single(r => r["type"]!.GetValue<string>() == "Microsoft.KeyVault/vaults")["properties"]!;
        Assert.True(vault["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(vault["enablePurgeProtection"]!.GetValue<bool>());
        var key = resources.Single(r => r["type"]!.GetValue<string>() == "Microsoft.KeyVault/vaults/keys")["properties"]!;
        Assert.Equal(("EC", "P-256"), (key["kty"]!.GetValue<string>(), key["curveName"]!.GetValue<string>()));

        // Key Vault Crypto User (sign, read the public key; no export, no delete), on the key, for the app's identity alone.
        var role = Assert.Single(resources, r => r["type"]!.GetValue<string>() == "Microsoft.Authorization/roleAssignments");
        Assert.Equal("12338af0-0e69-4776-bea7-57ae8d297424", signing["properties"]!["template"]!["variables"]!["cryptoUser"]!.GetValue<string>());
        Assert.Contains("Microsoft.KeyVault/vaults/keys", role["scope"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("identity", Parameter(main, signing, "principalId").ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_registration_declares_exactly_the_roles_the_app_checks()
    {
        var roles = JsonNode.Parse(File.ReadAllText(Path.Combine(Infra, "app-roles.json")))!.AsArray()
            .Select(r => r!["value"]!.GetValue<string>()).Order(StringComparer.Ordinal);

        Assert.Equal(Roles.All.Order(StringComparer.Ordinal), roles);
    }

    [Fact]
    public void The_app_registration_script_is_valid_bash()
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", Path.Combine(Infra, "app-registration.sh")]) { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        bash.WaitForExit();

        Assert.True(bash.ExitCode == 0, errors);
    }
}
