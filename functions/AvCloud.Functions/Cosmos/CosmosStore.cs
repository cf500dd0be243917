using System.Net;
using AvCloud.Functions.Audit;
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
public abstract class CosmosStore(Database database, string containerName, AuditTrail? audit = null)
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

    /// <summary>
    /// As <see cref="ChangeAsync{T}(string, string, string, Refusal, Func{T, Outcome{T}}, CancellationToken)"/>, with the
    /// change's audit event (made by <paramref name="audited"/> from the record before and after) written in the same
    /// document write, then appended to the unit's chain and taken off: the change and its event never diverge.
    /// </summary>
    protected async Task<Outcome<T>> ChangeAsync<T>(string unitId, string id, string type, Refusal notFound, Func<T, Outcome<T>> transition,
        Func<T, T, AuditEntry> audited, CancellationToken cancellationToken)
        where T : class, IAudited<T>
    {
        PendingAudit? pending = null;
        var outcome = await ChangeAsync<T>(unitId, id, type, notFound, current => transition(current).Then(next =>
        {
            pending = Trail.Pending(audited(current, next));
            return next.WithOutbox([.. next.Outbox, pending]);
        }), cancellationToken);
        return outcome.Value is { } written ? await CompleteWrittenAsync(written, pending!, cancellationToken) : outcome;
    }

    /// <summary>Creates <paramref name="document"/> with its audit event written in it, then appends the event; false when one with its id is already there.</summary>
    protected async Task<bool> CreateAsync<T>(T document, AuditEntry audited, CancellationToken cancellationToken)
        where T : class, IAudited<T>
    {
        var pending = Trail.Pending(audited);
        var written = document.WithOutbox([.. document.Outbox, pending]);
        if (!await CreateAsync(written, cancellationToken))
        {
            return false;
        }

        await CompleteWrittenAsync(written, pending, cancellationToken);
        return true;
    }

    /// <summary>
    /// Writes the document <paramref name="id"/> as <see cref="Documents.PutAsync{T}"/> decides, with the audit event
    /// <paramref name="audited"/> makes of what is written (null: none) kept in it until the chain has it.
    /// </summary>
    protected async Task<T?> PutAsync<T>(string unitId, string id, Func<T?, T?> decide, Func<T, AuditEntry?> audited, CancellationToken cancellationToken)
        where T : class, IAudited<T>
    {
        PendingAudit? pending = null;
        var written = await Documents.PutAsync<T>(Container, id, unitId, current =>
        {
            pending = null;
            if (decide(current) is not { } next)
            {
                return null;
            }

            pending = audited(next) is { } entry ? Trail.Pending(entry) : null;
            return pending is null ? next : next.WithOutbox([.. next.Outbox, pending]);
        }, cancellationToken);
        return written is not null && pending is not null ? await CompleteWrittenAsync(written, pending, cancellationToken) : written;
    }

    /// <summary>
    /// Appends the pending event to the chain and takes it off the record; true when it was appended now. A writer that
    /// has just written the event knows the chain cannot hold it yet; only what a stopped writer left
    /// (<paramref name="mayBeInChain"/>) is looked for in the chain first, so it is never appended twice.
    /// </summary>
    private async Task<bool> CompleteAsync<T>(T written, PendingAudit pending, bool mayBeInChain, CancellationToken cancellationToken)
        where T : class, IAudited<T>
    {
        var append = !mayBeInChain || !await Trail.HoldsAsync(written.UnitId, pending.Id, cancellationToken);
        if (append)
        {
            await Trail.AppendAsync(pending.ToEntry(written.UnitId), cancellationToken);
        }

        var done = new Refusal(StatusCodes.Status409Conflict, "Already appended.", "The pending event is off the record already.", "done");
        await Documents.ChangeAsync<T>(Container, written.Id, written.UnitId,
            current => current.Outbox.Any(p => p.Id == pending.Id) ? current.WithOutbox([.. current.Outbox.Where(p => p.Id != pending.Id)]) : done,
            cancellationToken);
        return append;
    }

    /// <summary>The written record as its writer hands it on: its event appended and off it.</summary>
    private async Task<T> CompleteWrittenAsync<T>(T written, PendingAudit pending, CancellationToken cancellationToken)
        where T : class, IAudited<T>
    {
        await CompleteAsync(written, pending, mayBeInChain: false, cancellationToken);
        return written.WithOutbox([.. written.Outbox.Where(p => p.Id != pending.Id)]);
    }

    /// <summary>
    /// All units: finishes pending events of kind <paramref name="type"/> older than <paramref name="before"/> (a writer
    /// that stopped between its change and the chain); returns how many were appended.
    /// </summary>
    protected async Task<int> CompletePendingAsync<T>(string type, DateTimeOffset before, CancellationToken cancellationToken)
        where T : class, IAudited<T>
    {
        var appended = 0;
        var stranded = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_LENGTH(c.outbox) > 0").WithParameter("@type", type);
        await foreach (var document in QueryAsync<T>(null, stranded, cancellationToken))
        {
            foreach (var pending in document.Outbox.Where(p => p.At < before))
            {
                appended += await CompleteAsync(document, pending, mayBeInChain: true, cancellationToken) ? 1 : 0;
            }
        }

        return appended;
    }

    private AuditTrail Trail => audit ?? throw new InvalidOperationException($"The {containerName} store keeps no audited records.");

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
