using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Tests.Cosmos;

/// <summary>
/// <see cref="Documents.PutAsync{T}"/>, the one guarded write every state change goes through: another writer getting
/// in between its read and its write makes it decide again on what that writer left, whether the document was
/// being changed or created; it never writes over what it did not see.
/// </summary>
public sealed class GuardedWriteTests(LocalCloudFixture fixture) : StandInTests(fixture)
{
    private static Item Counted(Item? current, string id, string unit) =>
        current is null ? new Item(id, unit, "counter", 1) : current with { Score = current.Score + 1 };

    [Fact]
    public async Task A_write_that_loses_a_race_decides_again_on_what_the_winner_wrote()
    {
        var container = await NewContainerAsync();
        await SeedAsync(container, new Item("c", "unit-a", "counter", 10));
        var seen = new List<int?>();

        var written = await Documents.PutAsync<Item>(container, "c", "unit-a", current =>
        {
            seen.Add(current?.Score);
            if (seen.Count == 1)
            {
                // Another writer changes the document between this read and this write.
                container.ReplaceItemAsync(current! with { Score = 100 }, "c", new PartitionKey("unit-a"), cancellationToken: Cancel).GetAwaiter().GetResult();
            }

            return Counted(current, "c", "unit-a");
        }, Cancel);

        Assert.Equal([10, 100], seen);
        Assert.Equal(101, written!.Score);
        Assert.Equal(101, (await container.ReadItemAsync<Item>("c", new PartitionKey("unit-a"), cancellationToken: Cancel)).Resource.Score);
    }

    [Fact]
    public async Task A_create_that_loses_a_race_decides_again_on_the_document_the_winner_created()
    {
        var container = await NewContainerAsync();
        var seen = new List<int?>();

        var written = await Documents.PutAsync<Item>(container, "c", "unit-a", current =>
        {
            seen.Add(current?.Score);
            if (seen.Count == 1)
            {
                container.CreateItemAsync(new Item("c", "unit-a", "counter", 7), new PartitionKey("unit-a"), cancellationToken: Cancel).GetAwaiter().GetResult();
            }

            return Counted(current, "c", "unit-a");
        }, Cancel);

        Assert.Equal([null, 7], seen);
        Assert.Equal(8, written!.Score);
        Assert.Equal(8, (await container.ReadItemAsync<Item>("c", new PartitionKey("unit-a"), cancellationToken: Cancel)).Resource.Score);
    }

    [Fact]
    public async Task Ten_writers_at_once_lose_no_update_and_a_refusal_writes_nothing()
    {
        var container = await NewContainerAsync();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() =>
            Documents.PutAsync<Item>(container, "c", "unit-a", current => Counted(current, "c", "unit-a"), Cancel))));
        var refused = await Documents.PutAsync<Item>(container, "c", "unit-a", _ => null, Cancel);
        var absent = await Documents.ChangeAsync<Item>(container, "nothing-here", "unit-a", current => Counted(current, "nothing-here", "unit-a"), Cancel);

        Assert.Equal(10, (await container.ReadItemAsync<Item>("c", new PartitionKey("unit-a"), cancellationToken: Cancel)).Resource.Score);
        Assert.Null(refused);
        Assert.Null(absent);
        Assert.Single(await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c")));
    }
}
