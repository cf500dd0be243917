using AvCloud.Functions.Audit;
using AvCloud.Functions.Cases;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Retention;

/// <summary>
/// Daily: approved disposals whose recovery window has ended are purged. The blob is deleted (storage itself refuses
/// if its policy has not expired or a hold is set) and the record becomes a tombstone that keeps id, hash, size,
/// times and who approved when. Its second copy (Art. 16), which followed the footage's retention, goes first, so
/// nothing outlives the tombstone. A record that gained a hold meanwhile, or whose activity's case is held, is never
/// purged. Every purge is audited.
/// </summary>
public sealed class ExecuteDisposals(FootageStore footage, BlobServiceClient blobs, SecondCopies secondCopies, CaseHolds caseHolds, AuditTrail audit,
    TimeProvider time)
{
    private const string Actor = "system:execute-disposals";

    [Function(nameof(ExecuteDisposals))]
    public async Task Run([TimerTrigger("0 30 2 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await foreach (var record in footage.DueForPurgeAsync(now, cancellationToken))
        {
            await PurgeAsync(record, now, cancellationToken);
        }
    }

    private async Task PurgeAsync(FootageRecord record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (record.ActivityId is { } activityId)
        {
            // Art. 16: a case hold reaches its recordings one by one (and a fault may stop it partway); a recording of a
            // held case is held here, under the case's hold, before anything of it is purged.
            record = await caseHolds.HoldForActivityAsync(Caller.System(Actor, record.UnitId), record, activityId, cancellationToken);
        }

        if (record.Purge(now).IsRefused)
        {
            // Art. 16 wins: a hold placed after approval sends the record back to being available.
            await footage.ChangeAsync(record.UnitId, record.Id, r => r.BlockDisposal(),
                (_, _) => Entry(record, AuditAction.DisposalBlocked, AuditOutcomes.Denied, "A preservation hold was placed after approval."), cancellationToken);

            return;
        }

        // The second copy first: if storage keeps either, the footage is not purged and the record says so.
        var copy = record.SecondCopy is { PurgedAt: null } ? secondCopies.CopyOf(record) : null;
        foreach (var (blob, what) in new[] { (copy, "second copy: "), (blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName), "") })
        {
            try
            {
                if (blob is not null)
                {
                    await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
                }
            }
            catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status409Conflict)
            {
                // Storage still protects it (a policy extended behind the record's back, or a hold): never forced.
                // Nothing changed: the refusal is recorded on its own.
                await audit.AppendAsync(Entry(record, AuditAction.PurgeRefused, AuditOutcomes.Failure, what + (exception.ErrorCode ?? "refused by storage")), cancellationToken);
                return;
            }
        }

        await footage.ChangeAsync(record.UnitId, record.Id, r => r.Purge(now),
            (before, _) => Entry(record, AuditAction.FootagePurged, AuditOutcomes.Success,
                $"approved by {before.Disposal?.ApprovedBy} at {before.Disposal?.ApprovedAt:O}{(copy is null ? "" : $"; second copy {copy.AccountName}/{copy.Name} purged too")}"),
            cancellationToken);
    }

    private static AuditEntry Entry(FootageRecord record, AuditAction action, string outcome, string detail) =>
        new(record.UnitId, Actor, "system", action, $"footage/{record.Id}", outcome,
            new Dictionary<string, string> { ["detail"] = detail, ["sha256"] = record.Sha256 });
}
