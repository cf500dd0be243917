using Azure.Storage.Blobs;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;

namespace AvCloud.Functions.Footage;

/// <summary>
/// Art. 16: placing a preservation hold, as <c>POST /api/footage/{id}/holds</c> and an Art. 18 misconduct case do it:
/// the legal hold on the footage blob, the held and labelled second copy, then the record, with its audit event.
/// </summary>
public sealed class LegalHolds(FootageStore footage, BlobServiceClient blobs, SecondCopies secondCopies)
{
    /// <summary>Places <paramref name="hold"/> on footage <paramref name="id"/> for <paramref name="caller"/>; refusals are audited as denials of <see cref="AuditAction.HoldPlaced"/>.</summary>
    public async Task<FootageRecord> PlaceAsync(Caller caller, string id, PreservationHold hold, CancellationToken cancellationToken)
    {
        var target = $"footage/{id}";
        var current = await footage.ReadAsync(caller.UnitId, id, cancellationToken) ?? throw FootageStore.NoSuchFootage.Audited(AuditAction.HoldPlaced, target);
        current.PlaceHold(hold, copy: null).OrRefuse(AuditAction.HoldPlaced, target);

        // Storage first, record second: a record never claims a hold the blob does not have.
        await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(current.BlobName).SetLegalHoldAsync(true, cancellationToken);
        var copy = await secondCopies.EnsureAsync(current, hold, cancellationToken);
        return (await footage.ChangeAsync(caller.UnitId, id, r => r.PlaceHold(hold, copy),
            (_, after) => AuditEntry.By(caller, AuditAction.HoldPlaced, target, AuditOutcomes.Success, new Dictionary<string, string>
        {
            ["hold"] = hold.Id,
            ["reason"] = hold.Reason.ToString(),
            ["case"] = $"{hold.CaseName} ({hold.CaseNumber})",
            ["requestedBy"] = hold.RequestedBy,
            ["secondCopy"] = $"{copy.Account}/{copy.BlobName}",
            ["secondCopySha256"] = copy.Sha256,
        }),
            cancellationToken)).OrRefuse(AuditAction.HoldPlaced, target);
    }
}
