using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions;

/// <summary>
/// Everything the functions need, registered once. The function app (Program.cs) and the local host both
/// call <see cref="AddAvCloud"/>, so the same clients and rules run in Azure and on one machine.
/// </summary>
public static class AvCloudServices
{
    public static IServiceCollection AddAvCloud(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AvCloudOptions>().Bind(configuration.GetSection(AvCloudOptions.Section));
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CosmosOptions>().Bind(configuration.GetSection(CosmosOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Access.AccessOptions>().Bind(configuration.GetSection(Access.AccessOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Shares.ShareOptions>().Bind(configuration.GetSection(Shares.ShareOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Footage.IntegrityOptions>().Bind(configuration.GetSection(Footage.IntegrityOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Packages.SigningOptions>().Bind(configuration.GetSection(Packages.SigningOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddOptions<WebConsole.ConsoleOptions>().Bind(configuration.GetSection(WebConsole.ConsoleOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new StorageClock(TimeProvider.System));
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = AvCloudJson.Options.PropertyNamingPolicy;
            json.SerializerOptions.DefaultIgnoreCondition = AvCloudJson.Options.DefaultIgnoreCondition;
            json.SerializerOptions.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { AuditedRecords.HideOutbox } };
            foreach (var converter in AvCloudJson.Options.Converters)
            {
                json.SerializerOptions.Converters.Add(converter);
            }
        });
        services.AddSingleton(CreateCredential);
        services.AddSingleton(CreateBlobServiceClient);
        services.AddKeyedSingleton(BlobContainers.PreservationAccount, (provider, _) => CreatePreservationClient(provider));
        services.AddSingleton(CreateCosmosClient);
        services.AddSingleton(provider => provider.GetRequiredService<CosmosClient>()
            .GetDatabase(provider.GetRequiredService<IOptions<CosmosOptions>>().Value.Database));
        services.AddSingleton<TokenValidator>();
        services.AddSingleton<SignInRefusals>();
        services.AddSingleton(provider => new SignInRefusalFlush(provider.GetRequiredService<SignInRefusals>(), provider.GetRequiredService<AuditTrail>,
            provider.GetRequiredService<IOptions<IdentityOptions>>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SignInRefusalFlush>>()));
        services.AddHostedService(provider => provider.GetRequiredService<SignInRefusalFlush>());
        services.AddSingleton<SasIssuer>();
        services.AddSingleton<AuditAnchors>();

        // One store per Cosmos container; nothing else reaches the database.
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<UnitStore>();
        services.AddSingleton<Footage.FootageStore>();
        services.AddSingleton<UploadStore>();
        services.AddSingleton<Access.RequestStore>();
        services.AddSingleton<Devices.DeviceStore>();
        services.AddSingleton<Activities.ActivityStore>();
        services.AddSingleton<Shares.ShareStore>();

        services.AddSingleton<Cataloguer>();
        services.AddSingleton<Footage.SecondCopies>();
        services.AddSingleton<Footage.FootageHolds>();
        services.AddSingleton<Footage.ActivityLinker>();
        services.AddSingleton<Cases.CaseHolds>();
        services.AddSingleton<RetentionDates>();
        services.AddSingleton<Activities.ActivityViews>();
        services.AddSingleton<Reports.ArticleChecks>();
        services.AddSingleton<Access.ReadLinkIssuer>();
        services.AddSingleton<Footage.CustodyRecords>();
        services.AddSingleton(CreateSigner);
        services.AddSingleton<Packages.EvidencePackages>();
        services.TryAddSingleton<CataloguePipelineHooks>();

        return services;
    }

    /// <summary>
    /// The worker middleware, outermost first, registered the worker's way: problem details around everything; for
    /// HTTP triggers, authentication and then the audit of refusals (which needs the authenticated caller). The local
    /// host builds its pipeline with this same method.
    /// </summary>
    public static IFunctionsWorkerApplicationBuilder UseAvCloudMiddleware(this IFunctionsWorkerApplicationBuilder builder)
    {
        builder.UseMiddleware<ProblemDetailsMiddleware>();
        builder.UseWhen<AuthenticationMiddleware>(IsHttpTriggered);
        builder.UseWhen<RefusalAuditMiddleware>(IsHttpTriggered);
        return builder;
    }

    /// <summary>Whether the invocation is of an HTTP-triggered function (its trigger binding says so).</summary>
    public static bool IsHttpTriggered(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(binding => string.Equals(binding.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));

    // Azure only: the app's managed identity. DefaultAzureCredential is never used: it probes the cloud metadata
    // endpoint and developer tools, which local runs must not do.
    private static TokenCredential CreateCredential(IServiceProvider provider)
    {
        var clientId = provider.GetRequiredService<IOptions<AvCloudOptions>>().Value.ManagedIdentityClientId;
        return string.IsNullOrWhiteSpace(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
    }

    // Evidence packages are signed by a key file locally and by a Key Vault key in Azure, as configured (checked at start).
    private static Packages.ManifestSigner CreateSigner(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<Packages.SigningOptions>>().Value;
        return options.Signer == Packages.SignerKind.KeyVault
            ? new Packages.KeyVaultManifestSigner(new HttpClient(), provider.GetRequiredService<TokenCredential>(), options.KeyVaultKey!)
            : new Packages.FileManifestSigner(options.KeyFile!);
    }

    private static BlobServiceClient CreateBlobServiceClient(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        return options.BlobServiceUri is { } uri
            ? new BlobServiceClient(uri, provider.GetRequiredService<TokenCredential>())
            : new BlobServiceClient(options.ConnectionString);
    }

    private static BlobServiceClient CreatePreservationClient(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        return options.PreservationServiceUri is { } uri
            ? new BlobServiceClient(uri, provider.GetRequiredService<TokenCredential>())
            : new BlobServiceClient(options.PreservationConnectionString);
    }

    private static CosmosClient CreateCosmosClient(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<CosmosOptions>>().Value;
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "AvCloud",
            UseSystemTextJsonSerializerWithOptions = AvCloudJson.Options,
        };
        if (options.Key is null)
        {
            return new CosmosClient(options.Endpoint.ToString(), provider.GetRequiredService<TokenCredential>(), clientOptions);
        }

        // The local stand-in speaks only the gateway protocol and is the only endpoint there is.
        clientOptions.ConnectionMode = ConnectionMode.Gateway;
        clientOptions.LimitToEndpoint = true;
        return new CosmosClient(options.Endpoint.ToString(), options.Key, clientOptions);
    }
}
