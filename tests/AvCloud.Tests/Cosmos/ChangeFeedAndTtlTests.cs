using System.Net;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Tests.Cosmos;

public sealed class ChangeFeedAndTtlTests(LocalCloudFixture fixture) : StandInTests(fixture)
{
    private static async Task<(List<Item> Items, string Continuation)> DrainAsync(FeedIterator<Item> iterator)
    {
        var items = new List<Item>();
        while (true)
        {
            var page = await iterator.ReadNextAsync(Cancel);
            if (page.StatusCode == HttpStatusCode.NotModified)
            {
                return (items, page.ContinuationToken);
            }

            items.AddRange(page);
        }
    }

    [Fact]
    public async Task The_change_feed_resumes_from_a_saved_continuation()
    {
        var container = await NewContainerAsync();
        await SeedAsync(container, new Item("1", "unit-a", "one", 1), new Item("2", "unit-b", "two", 2));

        var (initial, saved) = await DrainAsync(container.GetChangeFeedIterator<Item>(ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion,
            new ChangeFeedRequestOptions { PageSizeHint = 1 }));
        Assert.Equal(["1", "2"], initial.Select(i => i.Id));

        await SeedAsync(container, new Item("3", "unit-a", "three", 3));
        await container.UpsertItemAsync(new Item("1", "unit-a", "one, changed", 10), new PartitionKey("unit-a"), cancellationToken: Cancel);

        // A new iterator, as a process restarted from its saved continuation would create.
        var (changes, _) = await DrainAsync(container.GetChangeFeedIterator<Item>(ChangeFeedStartFrom.ContinuationToken(saved), ChangeFeedMode.LatestVersion));
        Assert.Equal(["3", "1"], changes.Select(i => i.Id));
        Assert.Equal("one, changed", changes[1].Name);
    }

    [Fact]
    public async Task The_change_feed_can_start_from_now_and_be_scoped_to_a_partition()
    {
        var container = await NewContainerAsync();
        await SeedAsync(container, new Item("old", "unit-a", "old", 1));

        var (fromNow, saved) = await DrainAsync(container.GetChangeFeedIterator<Item>(ChangeFeedStartFrom.Now(), ChangeFeedMode.LatestVersion));
        Assert.Empty(fromNow);
        await SeedAsync(container, new Item("new-a", "unit-a", "new", 1), new Item("new-b", "unit-b", "new", 1));
        var (later, _) = await DrainAsync(container.GetChangeFeedIterator<Item>(ChangeFeedStartFrom.ContinuationToken(saved), ChangeFeedMode.LatestVersion));
        Assert.Equal(["new-a", "new-b"], later.Select(i => i.Id));

        var (unitB, _) = await DrainAsync(container.GetChangeFeedIterator<Item>(
            ChangeFeedStartFrom.Beginning(FeedRange.FromPartitionKey(new PartitionKey("unit-b"))), ChangeFeedMode.LatestVersion));
        Assert.Equal(["new-b"], unitB.Select(i => i.Id));
    }

    [Fact]
    public async Task Items_expire_after_their_time_to_live()
    {
        // -1: expiry on, no default; items set their own ttl.
        var container = await NewContainerAsync(p => p.DefaultTimeToLive = -1);
        await SeedAsync(container, new Item("short", "unit-a", "short-lived", 1, Ttl: 1), new Item("kept", "unit-a", "kept", 1));

        Assert.Equal(2, (await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c"))).Count);
        // Gone within the 2.5 s this test has always allowed for a 1 s ttl.
        await Eventually.That(async () =>
        {
            using var expired = await container.ReadItemStreamAsync("short", new PartitionKey("unit-a"), cancellationToken: Cancel);
            return expired.StatusCode == HttpStatusCode.NotFound;
        }, "the item with a 1 s ttl to expire", TimeSpan.FromSeconds(2.5), Cancel);

        Assert.Equal(["kept"], (await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c"))).Select(i => i.Id));
    }

    [Fact]
    public async Task A_container_default_ttl_expires_items_that_set_none()
    {
        var container = await NewContainerAsync(p => p.DefaultTimeToLive = 1);
        await SeedAsync(container, new Item("default", "unit-a", "x", 1), new Item("forever", "unit-a", "x", 1, Ttl: -1));

        // Gone within the 2.5 s this test has always allowed for a 1 s default ttl.
        await Eventually.That(async () => (await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c"))).Count == 1,
            "the item under the 1 s default ttl to expire", TimeSpan.FromSeconds(2.5), Cancel);

        Assert.Equal(["forever"], (await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c"))).Select(i => i.Id));
    }

    [Fact]
    public async Task Without_a_container_ttl_an_item_ttl_is_ignored()
    {
        var container = await NewContainerAsync();
        await SeedAsync(container, new Item("stays", "unit-a", "x", 1, Ttl: 1));

        // Nothing signals an expiry that does not happen: let the stand-in's real clock run well past the 1 s ttl.
        await Task.Delay(TimeSpan.FromSeconds(2.5), Cancel);

        Assert.Single(await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c")));
    }
}
