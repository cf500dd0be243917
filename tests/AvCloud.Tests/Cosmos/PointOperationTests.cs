using System.Net;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Tests.Cosmos;

public sealed class PointOperationTests(LocalCloudFixture fixture) : StandInTests(fixture)
{
    [Fact]
    public async Task Reading_a_missing_item_is_404_not_500()
    {
        var container = await NewContainerAsync();
        await SeedAsync(container, new Item("present", "unit-a", "x", 1));

        var missing = await Assert.ThrowsAsync<CosmosException>(() =>
            container.ReadItemAsync<Item>("absent", new PartitionKey("unit-a"), cancellationToken: Cancel));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Present, but asked for in another partition: not found either.
        using var wrongPartition = await container.ReadItemStreamAsync("present", new PartitionKey("unit-b"), cancellationToken: Cancel);
        Assert.Equal(HttpStatusCode.NotFound, wrongPartition.StatusCode);
    }

    [Fact]
    public async Task Reading_from_a_missing_container_is_404()
    {
        var database = (await Client.CreateDatabaseIfNotExistsAsync("standin-tests", cancellationToken: Cancel)).Database;

        using var response = await database.GetContainer("no-such-container").ReadItemStreamAsync("x", new PartitionKey("unit-a"), cancellationToken: Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_unique_key_conflict_is_409_on_create_and_on_upsert()
    {
        var container = await NewContainerAsync(p =>
            p.UniqueKeyPolicy = new UniqueKeyPolicy { UniqueKeys = { new UniqueKey { Paths = { "/email" } } } });
        await SeedAsync(container, new Item("1", "unit-a", "Ann", 1, "ann@example.org"));

        var created = await Assert.ThrowsAsync<CosmosException>(() =>
            container.CreateItemAsync(new Item("2", "unit-a", "Other", 1, "ann@example.org"), new PartitionKey("unit-a"), cancellationToken: Cancel));
        var upserted = await Assert.ThrowsAsync<CosmosException>(() =>
            container.UpsertItemAsync(new Item("3", "unit-a", "Other", 1, "ann@example.org"), new PartitionKey("unit-a"), cancellationToken: Cancel));

        Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, upserted.StatusCode);
        // Unique keys are per partition, as in Cosmos DB.
        await container.UpsertItemAsync(new Item("4", "unit-b", "Ann elsewhere", 1, "ann@example.org"), new PartitionKey("unit-b"), cancellationToken: Cancel);
        Assert.Single(await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c WHERE c.email = 'ann@example.org' AND c.unitId = 'unit-a'")));
    }

    [Fact]
    public async Task If_None_Match_with_the_current_etag_is_304_and_a_changed_item_is_200()
    {
        var container = await NewContainerAsync();
        var first = await container.CreateItemAsync(new Item("doc", "unit-a", "v1", 1), new PartitionKey("unit-a"), cancellationToken: Cancel);

        using var unchanged = await container.ReadItemStreamAsync("doc", new PartitionKey("unit-a"),
            new ItemRequestOptions { IfNoneMatchEtag = first.ETag }, Cancel);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);

        await container.ReplaceItemAsync(new Item("doc", "unit-a", "v2", 2), "doc", new PartitionKey("unit-a"), cancellationToken: Cancel);
        using var changed = await container.ReadItemStreamAsync("doc", new PartitionKey("unit-a"),
            new ItemRequestOptions { IfNoneMatchEtag = first.ETag }, Cancel);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task If_Match_with_a_stale_etag_is_412()
    {
        var container = await NewContainerAsync();
        var first = await container.CreateItemAsync(new Item("doc", "unit-a", "v1", 1), new PartitionKey("unit-a"), cancellationToken: Cancel);
        await container.ReplaceItemAsync(new Item("doc", "unit-a", "v2", 2), "doc", new PartitionKey("unit-a"), cancellationToken: Cancel);

        var stale = await Assert.ThrowsAsync<CosmosException>(() => container.UpsertItemAsync(new Item("doc", "unit-a", "v3", 3),
            new PartitionKey("unit-a"), new ItemRequestOptions { IfMatchEtag = first.ETag }, Cancel));

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
    }

    [Fact]
    public async Task A_document_whose_partition_key_differs_from_the_request_is_refused()
    {
        var container = await NewContainerAsync();

        var refused = await Assert.ThrowsAsync<CosmosException>(() =>
            container.CreateItemAsync(new Item("doc", "unit-a", "x", 1), new PartitionKey("unit-b"), cancellationToken: Cancel));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c")));
    }

    [Fact]
    public async Task Throughput_reads_back_as_provisioned_and_as_replaced()
    {
        var container = await NewContainerAsync(throughput: 1000);

        Assert.Equal(1000, await container.ReadThroughputAsync(Cancel));
        await container.ReplaceThroughputAsync(800, cancellationToken: Cancel);
        Assert.Equal(800, await container.ReadThroughputAsync(Cancel));
    }
}
