using System.Net;
using AvCloud.Functions.Http;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Cosmos;

/// <summary>A document of a unit: its id, its unit (the partition key) and its kind (containers hold several).</summary>
public interface IUnitDocument
{
    string Id { get; }

    string UnitId { get; }

    string Type { get; }
}

/// <summary>
/// What every store does with its container: read a document of one kind, create one, change one through a
/// transition under its ETag, query within a unit or across units, and page a listing. Each container has one store,
/// derived from this, that owns the container's name, its document kinds, its queries and its defaults.
/// </summary>
public abstract class CosmosStore(Database database, string containerName)
{
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    protected Container Container { get; } = database.GetContainer(containerName);

    /// <summary>The document <paramref name="id"/> of kind <paramref name="type"/> in the unit, or null (an id of one kind is never read as another).</summary>
    protected async Task<T?> ReadAsync<T>(string unitId, string id, string type, CancellationToken cancellationToken)
        where T : class, IUnitDocument =>
        (await Documents.ReadAsync<T>(Container, id, unitId, cancellationToken))?.Document is { } document && document.Type == type ? document : null;

    /// <summary>Creates <paramref name="document"/>; false when one with its id is already there (nothing is overwritten).</summary>
    protected async Task<bool> CreateAsync<T>(T document, CancellationToken cancellationToken)
        where T : class, IUnitDocument
    {
        try
        {
            await Container.CreateItemAsync(document, new PartitionKey(document.UnitId), NoContent, cancellationToken);
            return true;
        }
        catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>
    /// The document of kind <paramref name="type"/> changed by <paramref name="transition"/> (see
    /// <see cref="Documents.ChangeAsync{T}"/>), or <paramref name="notFound"/> when there is none in the unit.
    /// </summary>
    protected async Task<Outcome<T>> ChangeAsync<T>(string unitId, string id, string type, Refusal notFound, Func<T, Outcome<T>> transition,
        CancellationToken cancellationToken)
        where T : class, IUnitDocument =>
        await Documents.ChangeAsync<T>(Container, id, unitId, current => current.Type == type ? transition(current) : notFound, cancellationToken)
            ?? notFound;

    /// <summary>Every result of <paramref name="query"/> in the unit's partition (or across units when <paramref name="unitId"/> is null).</summary>
    protected IAsyncEnumerable<T> QueryAsync<T>(string? unitId, QueryDefinition query, CancellationToken cancellationToken, int? pageSize = null) =>
        Container.QueryAllAsync<T>(query,
            new QueryRequestOptions { PartitionKey = unitId is null ? null : new PartitionKey(unitId), MaxItemCount = pageSize },
            cancellationToken);

    protected async Task<List<T>> ListAsync<T>(string? unitId, QueryDefinition query, CancellationToken cancellationToken)
    {
        var found = new List<T>();
        await foreach (var item in QueryAsync<T>(unitId, query, cancellationToken))
        {
            found.Add(item);
        }

        return found;
    }

    /// <summary>One page of a listing in the unit, from the request's pageSize and continuationToken.</summary>
    protected Task<FeedResponse<T>> PageAsync<T>(string unitId, QueryDefinition query, IQueryCollection request, CancellationToken cancellationToken) =>
        Listing.PageAsync<T>(Container, query, unitId, request, cancellationToken);

    /// <summary>How many documents of the unit match <paramref name="condition"/>.</summary>
    protected async Task<int> CountAsync(string unitId, string condition, CancellationToken cancellationToken)
    {
        var total = 0;
        await foreach (var count in QueryAsync<int>(unitId, new QueryDefinition($"SELECT VALUE COUNT(1) FROM c WHERE {condition}"), cancellationToken))
        {
            total += count;
        }

        return total;
    }
}
