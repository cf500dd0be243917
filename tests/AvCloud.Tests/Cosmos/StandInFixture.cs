using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Cosmos;

/// <summary>
/// The tests of the Cosmos stand-in go through the app's own <see cref="CosmosClient"/> (Gateway mode, the
/// System.Text.Json serializer) against the launcher the local cloud started, in a database of their own.
/// </summary>
public abstract class StandInTests(LocalCloudFixture fixture)
{
    protected CosmosClient Client => fixture.Cloud.Services.GetRequiredService<CosmosClient>();

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected async Task<Container> NewContainerAsync(Action<ContainerProperties>? configure = null, int? throughput = null)
    {
        var database = (await Client.CreateDatabaseIfNotExistsAsync("standin-tests", cancellationToken: Cancel)).Database;
        var properties = new ContainerProperties($"c-{Guid.NewGuid():N}", "/unitId");
        configure?.Invoke(properties);
        return (await database.CreateContainerAsync(properties, throughput, cancellationToken: Cancel)).Container;
    }

    protected static async Task<List<T>> QueryAllAsync<T>(Container container, QueryDefinition query, QueryRequestOptions? options = null)
    {
        var results = new List<T>();
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(Cancel));
        }

        return results;
    }

    protected static async Task SeedAsync(Container container, params Item[] items)
    {
        foreach (var item in items)
        {
            await container.CreateItemAsync(item, new PartitionKey(item.UnitId), cancellationToken: Cancel);
        }
    }
}

public sealed record Item(string Id, string UnitId, string Name, int Score, string? Email = null, int? Ttl = null);
