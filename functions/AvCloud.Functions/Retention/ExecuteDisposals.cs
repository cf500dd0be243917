using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Retention;

/// <summary>
/// Daily: approved disposals whose recovery window has ended are purged. The blob is deleted (storage itself refuses
/// if its policy has not expired or a hold is set) and the record becomes a tombstone that keeps id, hash, size,
/// times and who approved when. A record that gained a hold meanwhile is never purged. Every purge is audited.
/// </summary>
public sealed class ExecuteDisposals(Database database, BlobServiceClient blobs, AuditTrail audit, TimeProvider time)
{
    [Function(nameof(ExecuteDisposals))]
    public async Task Run([TimerTrigger("0 30 2 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var footage = database.GetContainer(CosmosContainers.Footage);
        var now = time.GetUtcNow();
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status = @status AND c.disposal.purgeAfter <= @now")
            .WithParameter("@type", FootageRecord.DocumentType)
            .WithParameter("@status", "disposalApproved")
            .WithParameter("@now", now);
        await foreach (var record in footage.QueryAllAsync<FootageRecord>(query, null, cancellationToken))
        {
            await PurgeAsync(footage, record, now, cancellationToken);
        }
    }

    private async Task PurgeAsync(Container footage, FootageRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (record.Holds.Count > 0)
        {
            await FootageChanges.ChangeAsync(footage, record.Id, record.UnitId,
                r => r.Status == FootageStatus.DisposalApproved ? r with { Status = FootageStatus.Available, Disposal = null } : null, cancellationToken);
            await Audit(record, "disposal.blocked", AuditOutcomes.Denied, "A preservation hold was placed after approval.", cancellationToken);
            return;
        }

        try
        {
            await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status409Conflict)
        {
            // Storage still protects it (a policy extended behind the record's back, or a hold): never forced.
            await Audit(record, "footage.purge-refused", AuditOutcomes.Failure, exception.ErrorCode ?? "refused by storage", cancellationToken);
            return;
        }

        var purged = await FootageChanges.ChangeAsync(footage, record.Id, record.UnitId,
            r => r.Status == FootageStatus.DisposalApproved && r.Holds.Count == 0
                ? r with { Status = FootageStatus.Purged, Media = null, Disposal = r.Disposal! with { PurgedAt = now } }
                : null, cancellationToken);
        if (purged is not null)
        {
            await Audit(record, "footage.purged", AuditOutcomes.Success, $"approved by {record.Disposal?.ApprovedBy} at {record.Disposal?.ApprovedAt:O}", cancellationToken);
        }
    }

    private Task<AuditEvent> Audit(FootageRecord record, string action, string outcome, string detail, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEntry(record.UnitId, "system:execute-disposals", "system", action, $"footage/{record.Id}", outcome,
            new Dictionary<string, string> { ["detail"] = detail, ["sha256"] = record.Sha256 }), cancellationToken);
}
