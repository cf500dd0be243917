using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;

namespace AvCloud.Functions.Footage;

/// <summary>
/// Art. 16 on one recording, for a hold placed on it (<see cref="PreservationHolds"/>) or by an Art. 18 misconduct case
/// (<see cref="Accountability.MisconductCases"/>): placing sets the legal hold and makes the verified, labelled second
/// copy before the record says so.
/// </summary>
public sealed class FootageHolds(FootageStore footage, BlobServiceClient blobs, SecondCopies secondCopies)
{
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
        await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(current.BlobName).SetLegalHoldAsync(true, cancellationToken);
        var copy = await secondCopies.EnsureAsync(current, hold, cancellationToken);
        return await footage.ChangeAsync(actor.UnitId, id, r => r.PlaceHold(hold, copy),
            (_, after) => AuditEntry.By(actor, AuditAction.HoldPlaced, $"footage/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["hold"] = hold.Id,
                ["reason"] = hold.Reason.ToString(),
                ["case"] = $"{hold.CaseName} ({hold.CaseNumber})",
                ["requestedBy"] = hold.RequestedBy,
                ["secondCopy"] = $"{copy.Account}/{copy.BlobName}",
                ["secondCopySha256"] = copy.Sha256,
            }),
            cancellationToken);
    }
}
