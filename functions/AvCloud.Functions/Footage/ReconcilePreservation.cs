using AvCloud.Functions.Audit;
using AvCloud.Functions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AvCloud.Functions.Footage;

/// <summary>
/// Hourly, Art. 16: makes storage match the records. Held footage has its legal hold on both copies, and a second copy
/// that exists and matches its SHA-256 (re-made if missing or wrong); footage with no hold left has no legal hold on
/// either. Every correction is audited and logged: something changed storage behind the app's back.
/// </summary>
public sealed partial class ReconcilePreservation(FootageStore footage, BlobServiceClient blobs, SecondCopies secondCopies, AuditTrail audit,
    ILogger<ReconcilePreservation> logger)
{
    [Function(nameof(ReconcilePreservation))]
    public async Task Run([TimerTrigger("0 15 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await foreach (var record in footage.HeldOrCopiedAsync(cancellationToken))
        {
            await ReconcileAsync(record, cancellationToken);
        }
    }

    private async Task ReconcileAsync(FootageRecord record, CancellationToken cancellationToken)
    {
        var held = record.Holds.Count > 0;
        var primary = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
        if ((await primary.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold != held)
        {
            await primary.SetLegalHoldAsync(held, cancellationToken);
            await CorrectedAsync(record, held ? "The footage's legal hold was missing; set again." : "The footage carried a legal hold no record asks for; released.", cancellationToken);
        }

        var copy = secondCopies.CopyOf(record);
        if (!held)
        {
            if (await copy.ExistsAsync(cancellationToken) && (await copy.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold)
            {
                await copy.SetLegalHoldAsync(false, cancellationToken);
                await CorrectedAsync(record, "The second copy carried a legal hold no record asks for; released.", cancellationToken);
            }

            return;
        }

        var hold = record.Holds[0];
        if (!await copy.ExistsAsync(cancellationToken))
        {
            await secondCopies.EnsureAsync(record, hold.CaseName, hold.CaseNumber, cancellationToken);
            await CorrectedAsync(record, "The second copy was missing; made again from the footage and verified.", cancellationToken);
            return;
        }

        var (length, sha256) = await SecondCopies.HashAsync(copy, cancellationToken);
        if (length != record.Size || sha256 != record.Sha256)
        {
            // A held copy cannot be overwritten: release its hold, replace it, hold it again. All of it audited.
            await copy.SetLegalHoldAsync(false, cancellationToken);
            try
            {
                await copy.DeleteAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status404NotFound)
            {
            }

            await secondCopies.EnsureAsync(record, hold.CaseName, hold.CaseNumber, cancellationToken);
            await CorrectedAsync(record, $"The second copy did not match its SHA-256 (found {sha256}); made again and verified.", cancellationToken);
        }
        else if (!(await copy.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold)
        {
            await copy.SetLegalHoldAsync(true, cancellationToken);
            await CorrectedAsync(record, "The second copy's legal hold was missing; set again.", cancellationToken);
        }
    }

    private async Task CorrectedAsync(FootageRecord record, string what, CancellationToken cancellationToken)
    {
        LogCorrected(logger, record.Id, record.UnitId, what);
        await audit.RecordSystemAsync(record.UnitId, "system:reconcile-preservation", AuditAction.PreservationCorrected, $"footage/{record.Id}",
            AuditOutcomes.Success, new Dictionary<string, string> { ["correction"] = what }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preservation of footage {Id} in unit {Unit} corrected: {What}")]
    private static partial void LogCorrected(ILogger logger, string id, string unit, string what);
}
