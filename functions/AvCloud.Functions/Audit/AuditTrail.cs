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
public sealed class AuditTrail(Database database, TimeProvider time)
{
    private const int MaxAttempts = 1000;
    private readonly Container _audit = database.GetContainer(CosmosContainers.Audit);

    // The head lives beside the unit's settings, not in the audit container: in Azure the app may only create and read
    // audit events (a custom Cosmos DB role), while the head, a hint, is advanced in place.
    private readonly Container _heads = database.GetContainer(CosmosContainers.Units);

    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        (await AppendAllAsync([entry], cancellationToken))[0];

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
                await _audit.CreateItemAsync(sealedEvent, partition, new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
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
                var winner = await _audit.ReadItemAsync<AuditEvent>(AuditEvent.IdFor(sequence + 1), partition, cancellationToken: cancellationToken);
                (sequence, hash) = (winner.Resource.Sequence, winner.Resource.Hash);
            }
        }

        await AdvanceHeadAsync(appended[^1], cancellationToken);
        return appended;
    }

    /// <summary>The unit's events in chain order, newest last.</summary>
    public IAsyncEnumerable<AuditEvent> ReadChainAsync(string unitId, CancellationToken cancellationToken) =>
        _audit.QueryAllAsync<AuditEvent>(
            new QueryDefinition("SELECT * FROM c WHERE c.type = @type ORDER BY c.sequence").WithParameter("@type", AuditEvent.DocumentType),
            new QueryRequestOptions { PartitionKey = new PartitionKey(unitId), MaxItemCount = 500 },
            cancellationToken);

    public async Task<AuditHead?> ReadHeadAsync(string unitId, CancellationToken cancellationToken)
    {
        using var response = await _heads.ReadItemStreamAsync(AuditHead.DocumentId, new PartitionKey(unitId), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await System.Text.Json.JsonSerializer.DeserializeAsync<AuditHead>(response.Content, AvCloudJson.Options, cancellationToken);
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
