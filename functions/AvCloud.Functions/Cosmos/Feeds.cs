using System.Runtime.CompilerServices;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Cosmos;

public static class Feeds
{
    /// <summary>Every result of <paramref name="query"/>, page after page, as one stream.</summary>
    public static async IAsyncEnumerable<T> QueryAllAsync<T>(this Container container, QueryDefinition query, QueryRequestOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var feed = container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (feed.HasMoreResults)
        {
            foreach (var item in await feed.ReadNextAsync(cancellationToken))
            {
                yield return item;
            }
        }
    }
}
