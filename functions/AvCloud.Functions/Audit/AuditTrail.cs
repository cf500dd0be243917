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

    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(entry.UnitId);
        var (sequence, hash) = await LatestAsync(entry.UnitId, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var sealedEvent = AuditChain.Seal(entry, sequence + 1, hash, time.GetUtcNow());
            try
            {
                await _audit.CreateItemAsync(sealedEvent, partition, new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
                await AdvanceHeadAsync(sealedEvent, cancellationToken);
                return sealedEvent;
            }
            catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
            {
                // Another writer took this number: chain onto its event instead.
                var winner = await _audit.ReadItemAsync<AuditEvent>(AuditEvent.IdFor(sequence + 1), partition, cancellationToken: cancellationToken);
                (sequence, hash) = (winner.Resource.Sequence, winner.Resource.Hash);
            }
        }

        throw new InvalidOperationException($"The audit chain of unit {entry.UnitId} stayed contended for {MaxAttempts} attempts.");
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

    private async Task AdvanceHeadAsync(AuditEvent latest, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(latest.UnitId);
        var head = new AuditHead { UnitId = latest.UnitId, Sequence = latest.Sequence, Hash = latest.Hash };
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                var current = await _heads.ReadItemAsync<AuditHead>(AuditHead.DocumentId, partition, cancellationToken: cancellationToken);
                if (current.Resource.Sequence >= latest.Sequence)
                {
                    return;
                }

                await _heads.ReplaceItemAsync(head, AuditHead.DocumentId, partition,
                    new ItemRequestOptions { IfMatchEtag = current.ETag, EnableContentResponseOnWrite = false }, cancellationToken);
                return;
            }
            catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                try
                {
                    await _heads.CreateItemAsync(head, partition, new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
                    return;
                }
                catch (CosmosException conflict) when (conflict.StatusCode == HttpStatusCode.Conflict)
                {
                }
            }
            catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed)
            {
            }
        }

        // The head is a hint: a writer that falls behind it is corrected by the 409 path on the next append.
    }
}
