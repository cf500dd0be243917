using System.Net;
using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Audit;

/// <summary>
/// Appends to and reads a unit's audit chain in the <c>audit</c> container.
/// <para>
/// Concurrent writers never fork the chain: event ids are their sequence numbers, so of two writers that chain
/// onto the same event only one can create the next number; the other gets 409, reads the event that won, and chains
/// onto it. No transactional batch is needed. A per-unit head document records the newest event, so writers start
/// near the end instead of walking the chain; it is only a hint, advanced with ETag-conditioned writes.
/// </para>
/// </summary>
public sealed class AuditTrail(Database database, TimeProvider time) : CosmosStore(database, CosmosContainers.Audit)
{
    private const int MaxAttempts = 1000;

    // The head lives in the units container, beside the unit's settings, not in the audit container: in Azure the app may
    // only create and read audit events (a custom Cosmos DB role), while the head, a hint, is advanced in place.
    private readonly Container _heads = database.GetContainer(CosmosContainers.Units);

    /// <summary>A pending event for <paramref name="entry"/>, stamped now, to keep on the record it tells of.</summary>
    public PendingAudit Pending(AuditEntry entry) => PendingAudit.Of(entry, time.GetUtcNow());

    /// <summary>Whether the unit's chain already holds the event of pending entry <paramref name="pendingId"/>.</summary>
    public async Task<bool> HoldsAsync(string unitId, string pendingId, CancellationToken cancellationToken) =>
        await CountAsync(unitId, $"c.type = '{AuditEvent.DocumentType}' AND c.details.{PendingAudit.OutboxDetail} = '{pendingId}'", cancellationToken) > 0;

    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        (await AppendAllAsync([entry], cancellationToken))[0];

    /// <summary>Records what <paramref name="caller"/> did to <paramref name="target"/>, in their unit's chain.</summary>
    public Task<AuditEvent> RecordAsync(Identity.Caller caller, AuditAction action, string target, IReadOnlyDictionary<string, string>? details,
        CancellationToken cancellationToken, string outcome = AuditOutcomes.Success) =>
        AppendAsync(AuditEntry.By(caller, action, target, outcome, details), cancellationToken);

    /// <summary>Records what one of AvCloud's own timers or triggers (<paramref name="system"/>) did in a unit.</summary>
    public Task<AuditEvent> RecordSystemAsync(string unitId, string system, AuditAction action, string target, string outcome,
        IReadOnlyDictionary<string, string>? details, CancellationToken cancellationToken) =>
        AppendAsync(new AuditEntry(unitId, system, "system", action, target, outcome, details), cancellationToken);

    /// <summary>
    /// Appends <paramref name="entries"/> (all of one unit) in order: one event each, chained as they go, and the head
    /// moved once at the end. What one action records about many items (a link per footage item) costs one create per
    /// item, not four round trips.
    /// </summary>
    public async Task<IReadOnlyList<AuditEvent>> AppendAllAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        var unitId = entries[0].UnitId;
        if (entries.Any(e => e.UnitId != unitId))
        {
            throw new ArgumentException("Entries appended together belong to one unit's chain.", nameof(entries));
        }

        var partition = new PartitionKey(unitId);
        var (sequence, hash) = await LatestAsync(unitId, cancellationToken);
        var appended = new List<AuditEvent>(entries.Count);
        for (var conflicts = 0; appended.Count < entries.Count;)
        {
            var sealedEvent = AuditChain.Seal(entries[appended.Count], sequence + 1, hash, time.GetUtcNow());
            try
            {
                await Container.CreateItemAsync(sealedEvent, partition, new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
                appended.Add(sealedEvent);
                (sequence, hash) = (sealedEvent.Sequence, sealedEvent.Hash);
            }
            catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
            {
                if (++conflicts >= MaxAttempts)
                {
                    throw new InvalidOperationException($"The audit chain of unit {unitId} stayed contended for {MaxAttempts} attempts.");
                }

                // Another writer took this number: chain onto its event instead.
                var winner = await Container.ReadItemAsync<AuditEvent>(AuditEvent.IdFor(sequence + 1), partition, cancellationToken: cancellationToken);
                (sequence, hash) = (winner.Resource.Sequence, winner.Resource.Hash);
            }
        }

        await AdvanceHeadAsync(appended[^1], cancellationToken);
        return appended;
    }

    /// <summary>The unit's events in chain order, newest last.</summary>
    public IAsyncEnumerable<AuditEvent> ReadChainAsync(string unitId, CancellationToken cancellationToken) =>
        QueryAsync<AuditEvent>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type ORDER BY c.sequence").WithParameter("@type", AuditEvent.DocumentType),
            cancellationToken, pageSize: 500);

    public async Task<AuditHead?> ReadHeadAsync(string unitId, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<AuditHead>(_heads, AuditHead.DocumentId, unitId, cancellationToken))?.Document;

    /// <summary>The units that have an audit chain (a head), across partitions: one small document each.</summary>
    public IAsyncEnumerable<string> AuditedUnitsAsync(CancellationToken cancellationToken) =>
        _heads.QueryAllAsync<string>(new QueryDefinition("SELECT VALUE c.unitId FROM c WHERE c.id = @id AND c.type = @type")
            .WithParameter("@id", AuditHead.DocumentId).WithParameter("@type", "auditHead"), null, cancellationToken);

    /// <summary>The unit's newest event appended before <paramref name="before"/>, or null when it has none.</summary>
    public async Task<AuditEvent?> LastBeforeAsync(string unitId, DateTimeOffset before, CancellationToken cancellationToken) =>
        (await ListAsync<AuditEvent>(unitId, new QueryDefinition("SELECT TOP 1 * FROM c WHERE c.type = @type AND c.time < @before ORDER BY c.sequence DESC")
            .WithParameter("@type", AuditEvent.DocumentType).WithParameter("@before", before), cancellationToken)).FirstOrDefault();

    /// <summary>The unit's events about <paramref name="target"/>, in chain order.</summary>
    public Task<List<AuditEvent>> AboutAsync(string unitId, string target, CancellationToken cancellationToken) =>
        ListAsync<AuditEvent>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.target = @target ORDER BY c.sequence")
            .WithParameter("@type", AuditEvent.DocumentType).WithParameter("@target", target), cancellationToken);

    /// <summary>The unit's events of <paramref name="action"/> in the period, in chain order.</summary>
    public IAsyncEnumerable<AuditEvent> OfActionAsync(string unitId, AuditAction action, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        QueryAsync<AuditEvent>(unitId,
            new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.action = @action AND c.time >= @from AND c.time <= @to ORDER BY c.sequence")
                .WithParameter("@type", AuditEvent.DocumentType).WithParameter("@action", action.Name).WithParameter("@from", from).WithParameter("@to", to),
            cancellationToken);

    /// <summary>One page of the unit's events matching the filters (each null one left out), newest first.</summary>
    public Task<FeedResponse<AuditEvent>> PageAsync(string unitId, string? target, string? actor, string? action, DateTimeOffset? from, DateTimeOffset? to,
        IReadOnlyCollection<string> hiddenTargets, IQueryCollection request, CancellationToken cancellationToken)
    {
        var filters = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = AuditEvent.DocumentType };
        void Add(string condition, string name, object? value)
        {
            if (value is not null)
            {
                filters.Add(condition);
                parameters[name] = value;
            }
        }

        Add("c.target = @target", "@target", target);
        Add("c.actor = @actor", "@actor", actor);
        Add("c.action = @action", "@action", action);
        Add("c.time >= @from", "@from", from);
        Add("c.time <= @to", "@to", to);
        // Left out in the query itself, so a page's size and continuation say nothing of what was left out.
        Add("NOT ARRAY_CONTAINS(@hidden, c.target)", "@hidden", hiddenTargets.Count > 0 ? hiddenTargets : null);
        return PageAsync<AuditEvent>(unitId, Http.Listing.Where(filters, parameters, "c.sequence DESC"), request, cancellationToken);
    }

    private async Task<(long Sequence, string Hash)> LatestAsync(string unitId, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(unitId, cancellationToken);
        return head is null ? (0, AuditChain.Genesis) : (head.Sequence, head.Hash);
    }

    // The head is a hint, only ever moved forward. Left behind under heavy contention, it costs the next writer a 409
    // and a read: the events appended here are already safely chained, so that is no reason to fail this append.
    private async Task AdvanceHeadAsync(AuditEvent latest, CancellationToken cancellationToken)
    {
        try
        {
            await Documents.PutAsync<AuditHead>(_heads, AuditHead.DocumentId, latest.UnitId,
                current => current is null || current.Sequence < latest.Sequence
                    ? new AuditHead { UnitId = latest.UnitId, Sequence = latest.Sequence, Hash = latest.Hash }
                    : null,
                cancellationToken);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
