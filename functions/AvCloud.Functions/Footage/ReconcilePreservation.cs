using AvCloud.Functions.Audit;
using AvCloud.Functions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AvCloud.Functions.Footage;

/// <summary>
/// Hourly, Art. 16: makes storage keep at least what the records ask for. Held footage has its legal hold on both copies,
/// and a second copy that exists and matches its SHA-256 (re-made if missing or wrong); every second copy keeps the
/// footage's retention date. Every correction is audited and logged: something changed storage behind the app's back.
/// Where storage holds more than the records (a legal hold on the footage or its copy that no record hold asks for), it
/// never releases it: a catalogue record that lost its holds must not free footage. It reports the discrepancy (a
/// warning and an audit event the compliance report lists, once until it is released) for the head, who releases it
/// through the API (<c>DELETE /api/footage/{id}/holds/storage</c>).
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
        var primaryHeld = (await primary.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold;
        if (held && !primaryHeld)
        {
            await primary.SetLegalHoldAsync(true, cancellationToken);
            await CorrectedAsync(record, "The footage's legal hold was missing; set again.", cancellationToken);
        }
        else if (!held && primaryHeld)
        {
            await DiscrepancyAsync(record, "footage", "The footage carries a legal hold no record hold asks for; kept until the head releases it.", cancellationToken);
        }

        var copy = secondCopies.CopyOf(record);
        if (!held)
        {
            if (await copy.ExistsAsync(cancellationToken))
            {
                if ((await copy.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold)
                {
                    await DiscrepancyAsync(record, "secondCopy", "The second copy carries a legal hold no record hold asks for; kept until the head releases it.",
                        cancellationToken);
                }

                await KeepRetentionAsync(record, cancellationToken);
            }

            return;
        }

        var hold = record.Holds[0];
        if (!await copy.ExistsAsync(cancellationToken))
        {
            await secondCopies.EnsureAsync(record, hold, cancellationToken);
            await CorrectedAsync(record, "The second copy was missing; made again from the footage and verified.", cancellationToken);
            return;
        }

        var (length, sha256) = await SecondCopies.HashAsync(copy, cancellationToken);
        if (length != record.Size || sha256 != record.Sha256)
        {
            // A held copy cannot be overwritten: release its hold, replace it, hold it again. All of it audited. A copy its
            // policy still protects cannot be replaced at all: that is reported, not forced.
            await copy.SetLegalHoldAsync(false, cancellationToken);
            try
            {
                await copy.DeleteAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status404NotFound)
            {
            }
            catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status409Conflict)
            {
                await copy.SetLegalHoldAsync(true, cancellationToken);
                await DiscrepancyAsync(record, "secondCopy", $"The second copy does not match its SHA-256 (found {sha256}) and storage keeps it ({exception.ErrorCode}); it cannot be replaced.",
                    cancellationToken);
                return;
            }

            await secondCopies.EnsureAsync(record, hold, cancellationToken);
            await CorrectedAsync(record, $"The second copy did not match its SHA-256 (found {sha256}); made again and verified.", cancellationToken);
            return;
        }

        if (!(await copy.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold)
        {
            await copy.SetLegalHoldAsync(true, cancellationToken);
            await CorrectedAsync(record, "The second copy's legal hold was missing; set again.", cancellationToken);
        }

        await KeepRetentionAsync(record, cancellationToken);
    }

    private async Task KeepRetentionAsync(FootageRecord record, CancellationToken cancellationToken)
    {
        if (await secondCopies.FollowRetentionAsync(record, cancellationToken))
        {
            await CorrectedAsync(record, $"The second copy's immutability policy did not keep the footage's retention date; set to {record.RetentionUntil:O}.", cancellationToken);
        }
    }

    private async Task CorrectedAsync(FootageRecord record, string what, CancellationToken cancellationToken)
    {
        LogCorrected(logger, record.Id, record.UnitId, what);
        await audit.RecordSystemAsync(record.UnitId, System, AuditAction.PreservationCorrected, $"footage/{record.Id}",
            AuditOutcomes.Success, new Dictionary<string, string> { ["correction"] = what }, cancellationToken);
    }

    /// <summary>Reported once per copy until a release (of a record hold or of storage's) makes it news again, so the trail does not grow by the hour.</summary>
    private async Task DiscrepancyAsync(FootageRecord record, string copy, string what, CancellationToken cancellationToken)
    {
        LogDiscrepancy(logger, record.Id, record.UnitId, what);
        var target = $"footage/{record.Id}";
        var events = await audit.AboutAsync(record.UnitId, target, cancellationToken);
        var lastRelease = events.LastOrDefault(e => e.Action == AuditAction.StorageHoldReleased.Name || e.Action == AuditAction.HoldReleased.Name)?.Sequence ?? -1;
        if (events.Any(e => e.Action == AuditAction.PreservationDiscrepancy.Name && e.Sequence > lastRelease && e.Details.GetValueOrDefault("copy") == copy))
        {
            return;
        }

        await audit.RecordSystemAsync(record.UnitId, System, AuditAction.PreservationDiscrepancy, target, AuditOutcomes.Failure,
            new Dictionary<string, string> { ["copy"] = copy, ["discrepancy"] = what }, cancellationToken);
    }

    private const string System = "system:reconcile-preservation";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preservation of footage {Id} in unit {Unit} corrected: {What}")]
    private static partial void LogCorrected(ILogger logger, string id, string unit, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preservation of footage {Id} in unit {Unit} disagrees with its record, for the head to review: {What}")]
    private static partial void LogDiscrepancy(ILogger logger, string id, string unit, string what);
}
