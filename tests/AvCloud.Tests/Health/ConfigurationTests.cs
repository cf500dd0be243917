using AvCloud.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AvCloud.Tests.Health;

/// <summary>A misconfigured app fails when it starts, not at 3 a.m. when a function first needs the setting.</summary>
public sealed class ConfigurationTests
{
    private static async Task<Exception?> StartWith(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAvCloud(builder.Configuration);
        using var host = builder.Build();
        try
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
            await host.StopAsync(TestContext.Current.CancellationToken);
            return null;
        }
        catch (Exception exception) when (exception is OptionsValidationException or AggregateException { InnerException: OptionsValidationException })
        {
            return exception;
        }
    }

    [Fact]
    public async Task Missing_storage_cosmos_and_identity_settings_stop_the_app_at_start()
    {
        var failure = await StartWith([]);

        Assert.NotNull(failure);
        Assert.Contains("AvCloud:Storage", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_a_connection_string_and_a_service_uri_is_ambiguous_and_refused()
    {
        var failure = await StartWith(new()
        {
            ["AvCloud:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["AvCloud:Storage:BlobServiceUri"] = "https://footage.blob.core.windows.net",
            ["AvCloud:Cosmos:Endpoint"] = "http://127.0.0.1:1/",
        });

        Assert.NotNull(failure);
    }

    private static Dictionary<string, string?> Complete() => new()
    {
        ["AvCloud:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["AvCloud:Storage:PreservationConnectionString"] = "UseDevelopmentStorage=true",
        ["AvCloud:Cosmos:Endpoint"] = "http://127.0.0.1:1/",
        ["AvCloud:Cosmos:Key"] = Local.LocalCloud.CosmosKey,
        ["AvCloud:Identity:MetadataAddress"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
        ["AvCloud:Identity:Audience"] = "api://avcloud",
        // As in Azure: packages signed by a Key Vault key (the vault is not called at start).
        ["AvCloud:Signing:Signer"] = "KeyVault",
        ["AvCloud:Signing:Vault"] = "https://avcloud-kv.vault.azure.net/",
    };

    [Fact]
    public async Task Complete_settings_start()
    {
        Assert.Null(await StartWith(Complete()));
    }

    [Fact]
    public async Task A_missing_or_incomplete_package_signer_stops_the_app_at_start()
    {
        var none = Complete();
        none.Remove("AvCloud:Signing:Signer");
        var noVault = Complete();
        noVault.Remove("AvCloud:Signing:Vault");
        var noFile = Complete();
        noFile["AvCloud:Signing:Signer"] = "File";

        Assert.Contains("SigningOptions", (await StartWith(none))?.Message, StringComparison.Ordinal);
        Assert.Contains("Vault", (await StartWith(noVault))?.Message, StringComparison.Ordinal);
        Assert.Contains("KeyFile", (await StartWith(noFile))?.Message, StringComparison.Ordinal);
    }
}
