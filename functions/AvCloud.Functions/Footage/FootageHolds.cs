using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Functions.Footage;

/// <summary>
/// Art. 16 on one recording, for a hold placed on it (<see cref="PreservationHolds"/>), by its enforcement case
/// (<see cref="Cases.CaseHolds"/>) or by an Art. 18 misconduct case (<see cref="Accountability.MisconductCases"/>): placing sets the legal hold and makes the verified, labelled second copy before the
/// record says so; releasing the last hold takes the legal holds off both copies, and the second copy keeps the
/// footage's retention date.
/// </summary>
public sealed class FootageHolds(
    FootageStore footage,
    BlobServiceClient blobs,
    [FromKeyedServices(BlobContainers.PreservationAccount)] BlobServiceClient preservation,
    SecondCopies secondCopies)
{
    private static readonly Refusal PurgedMeanwhile =
        Refusal.Conflict("The recording was purged, as its approved disposal ordered, while the hold was being placed; there is nothing left to hold.");

    /// <summary><paramref name="hold"/> placed on recording <paramref name="id"/> by <paramref name="actor"/>, audited; or why not.</summary>
    public async Task<Outcome<FootageRecord>> PlaceAsync(Caller actor, string id, PreservationHold hold, CancellationToken cancellationToken)
    {
        if (await footage.ReadAsync(actor.UnitId, id, cancellationToken) is not { } current)
        {
            return FootageStore.NoSuchFootage;
        }

        if (current.PlaceHold(hold, copy: null).Refusal is { } refused)
        {
            return refused;
        }

        // Storage first, record second: a record never claims a hold the blob does not have.
        try
        {
            await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(current.BlobName).SetLegalHoldAsync(true, cancellationToken);
        }
        catch (Azure.RequestFailedException gone) when (gone.Status == 404)
        {
            // An approved disposal's purge deleted the blob after this read it (its hold check ran before this one):
            // nothing is left to hold, which the person is told rather than shown a failure (found by the campaign).
            return PurgedMeanwhile;
        }

        var copy = await secondCopies.EnsureAsync(current, hold, cancellationToken);
        return await footage.ChangeAsync(actor.UnitId, id, r => r.PlaceHold(hold, copy), (_, after) =>
        {
            var details = new Dictionary<string, string>
            {
                ["hold"] = hold.Id,
                ["reason"] = hold.Reason.ToString(),
                ["case"] = $"{hold.CaseName} ({hold.CaseNumber})",
                ["requestedBy"] = hold.RequestedBy,
                ["secondCopy"] = $"{copy.Account}/{copy.BlobName}",
                ["secondCopySha256"] = copy.Sha256,
            };
            if (hold.CaseId is { } caseId)
            {
                details["caseId"] = caseId;
            }

            return AuditEntry.By(actor, AuditAction.HoldPlaced, $"footage/{id}", AuditOutcomes.Success, details);
        }, cancellationToken);
    }

    /// <summary>
    /// Hold <paramref name="holdId"/> of recording <paramref name="id"/> released by <paramref name="actor"/> with
    /// <paramref name="reason"/> (by case <paramref name="byCase"/>, for a hold a case placed), audited; or why not.
    /// </summary>
    public async Task<Outcome<FootageRecord>> ReleaseAsync(Caller actor, string id, string holdId, string reason, CancellationToken cancellationToken,
        string? byCase = null)
    {
        var outcome = await footage.ChangeAsync(actor.UnitId, id, r => r.ReleaseHold(holdId, byCase),
            (_, after) => AuditEntry.By(actor, AuditAction.HoldReleased, $"footage/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["hold"] = holdId,
                ["reason"] = reason,
                ["holdsRemaining"] = after.Holds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
            cancellationToken);
        if (outcome.Value is { Holds.Count: 0 } record)
        {
            // The last hold is gone: both copies go back to retention alone (Art. 16: the second copy keeps the footage's date).
            await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName).SetLegalHoldAsync(false, cancellationToken);
            if (record.SecondCopy is { } copy)
            {
                await secondCopies.FollowRetentionAsync(record, cancellationToken);
                await preservation.GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(copy.BlobName).SetLegalHoldAsync(false, cancellationToken);
            }
        }

        return outcome;
    }
}
