using Microsoft.Azure.Cosmos;

namespace AvCloud.Tests.Cosmos;

public sealed class QueryTests(LocalCloudFixture fixture) : StandInTests(fixture)
{
    private static readonly Item[] Items =
    [
        new("a1", "unit-a", "pear", 5), new("a2", "unit-a", "apple", 3), new("a3", "unit-a", "fig", 9),
        new("a4", "unit-a", "apple", 1), new("b1", "unit-b", "kiwi", 7), new("b2", "unit-b", "apple", 2),
    ];

    private static QueryRequestOptions InUnit(string unit) => new() { PartitionKey = new PartitionKey(unit) };

    private async Task<Container> SeededAsync()
    {
        var container = await NewContainerAsync();
        await SeedAsync(container, Items);
        return container;
    }

    [Fact]
    public async Task A_partition_scoped_query_never_sees_another_partition()
    {
        var container = await SeededAsync();

        var all = await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c"), InUnit("unit-a"));
        var byName = await QueryAllAsync<Item>(container,
            new QueryDefinition("SELECT * FROM c WHERE c.name = @name").WithParameter("@name", "apple"), InUnit("unit-b"));

        Assert.Equal(["a1", "a2", "a3", "a4"], all.Select(i => i.Id).Order());
        Assert.Equal("b2", Assert.Single(byName).Id);
    }

    [Fact]
    public async Task A_cross_partition_query_sees_every_partition()
    {
        var container = await SeededAsync();

        var apples = await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c WHERE c.name = 'apple'"));

        Assert.Equal(["a2", "a4", "b2"], apples.Select(i => i.Id).Order());
    }

    [Fact]
    public async Task Order_by_and_top_are_applied()
    {
        var container = await SeededAsync();

        var ascending = await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c ORDER BY c.score"));
        var top = await QueryAllAsync<Item>(container, new QueryDefinition("SELECT TOP 2 * FROM c ORDER BY c.score DESC"), InUnit("unit-a"));

        Assert.Equal(["a4", "b2", "a2", "a1", "b1", "a3"], ascending.Select(i => i.Id));
        Assert.Equal(["a3", "a1"], top.Select(i => i.Id));
    }

    [Fact]
    public async Task Aggregates_are_computed_over_the_whole_scope()
    {
        var container = await SeededAsync();

        var count = await QueryAllAsync<int>(container, new QueryDefinition("SELECT VALUE COUNT(1) FROM c"));
        var sum = await QueryAllAsync<int>(container, new QueryDefinition("SELECT VALUE SUM(c.score) FROM c"), InUnit("unit-a"));
        var max = await QueryAllAsync<int>(container, new QueryDefinition("SELECT VALUE MAX(c.score) FROM c WHERE c.name = 'apple'"));

        Assert.Equal(6, Assert.Single(count));
        Assert.Equal(18, Assert.Single(sum));
        Assert.Equal(3, Assert.Single(max));
    }

    [Fact]
    public async Task Offset_limit_pages_an_ordered_result()
    {
        var container = await SeededAsync();

        var page = await QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c ORDER BY c.score OFFSET 1 LIMIT 3"));
        var parameterised = await QueryAllAsync<Item>(container,
            new QueryDefinition("SELECT * FROM c ORDER BY c.score OFFSET @skip LIMIT @take").WithParameter("@skip", 4).WithParameter("@take", 10));

        Assert.Equal(["b2", "a2", "a1"], page.Select(i => i.Id));
        Assert.Equal(["b1", "a3"], parameterised.Select(i => i.Id));
    }

    [Fact]
    public async Task Distinct_removes_duplicates()
    {
        var container = await SeededAsync();

        var names = await QueryAllAsync<string>(container, new QueryDefinition("SELECT DISTINCT VALUE c.name FROM c"));
        var units = await QueryAllAsync<Dictionary<string, string>>(container, new QueryDefinition("SELECT DISTINCT c.unitId FROM c"));

        Assert.Equal(["apple", "fig", "kiwi", "pear"], names.Order());
        Assert.Equal(["unit-a", "unit-b"], units.Select(u => u["unitId"]).Order());
    }

    [Fact]
    public async Task Continuation_tokens_page_through_results_and_resume_later()
    {
        var container = await SeededAsync();
        var query = new QueryDefinition("SELECT * FROM c ORDER BY c.score");
        var options = new QueryRequestOptions { MaxItemCount = 2 };

        string? token;
        List<string> firstPage;
        using (var iterator = container.GetItemQueryIterator<Item>(query, requestOptions: options))
        {
            var page = await iterator.ReadNextAsync(Cancel);
            firstPage = [.. page.Select(i => i.Id)];
            token = page.ContinuationToken;
        }

        Assert.Equal(["a4", "b2"], firstPage);
        Assert.NotNull(token);
        var rest = new List<string>();
        using (var resumed = container.GetItemQueryIterator<Item>(query, token, options))
        {
            while (resumed.HasMoreResults)
            {
                var page = await resumed.ReadNextAsync(Cancel);
                Assert.True(page.Count <= 2);
                rest.AddRange(page.Select(i => i.Id));
            }
        }

        Assert.Equal(["a2", "a1", "b1", "a3"], rest);
    }

    [Fact]
    public async Task A_query_with_a_syntax_error_is_a_400()
    {
        var container = await SeededAsync();

        var error = await Assert.ThrowsAsync<CosmosException>(() => QueryAllAsync<Item>(container, new QueryDefinition("SELECT * FROM c WHERE")));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }
}
