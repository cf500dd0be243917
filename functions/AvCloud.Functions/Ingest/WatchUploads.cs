using AvCloud.Functions.Audit;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Ingest;

/// <summary>
/// Every five minutes: re-drives blobs that have sat in <c>ingest</c> too long (a lost event, a failed run), and
/// reports sessions whose upload window closed with files that never arrived (Art. 13: footage must reach the keeper).
/// </summary>
public sealed partial class WatchUploads(BlobServiceClient blobs, UploadStore uploads, Cataloguer cataloguer, AuditTrail audit, TimeProvider time, StorageClock storageClock,
    IOptions<IngestOptions> options, ILogger<WatchUploads> logger)
{
    [Function(nameof(WatchUploads))]
    public async Task Run([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        // Storage's time, like the blobs' LastModified.
        var staleBefore = storageClock.GetUtcNow() - options.Value.RedriveAfter;
        await foreach (var item in blobs.GetBlobContainerClient(BlobContainers.Ingest).GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (item.Properties.LastModified is { } modified && modified < staleBefore)
            {
                try
                {
                    await cataloguer.CatalogueAsync(item.Name, cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // One bad blob must not stop the others; the run still fails at the end so it is seen.
                    LogRedriveFailed(logger, exception, item.Name);
                    failures.Add(exception);
                }
            }
        }

        await ReportMissingAsync(cancellationToken);
        if (failures.Count > 0)
        {
            throw new AggregateException("Some blobs in ingest could not be catalogued.", failures);
        }
    }

    private async Task ReportMissingAsync(CancellationToken cancellationToken)
    {
        // The upload window is storage's time, as its SAS expiry.
        await foreach (var stored in uploads.ClosedUncheckedAsync(storageClock.GetUtcNow(), cancellationToken))
        {
            var session = await uploads.ReadWithStatusAsync(stored.UnitId, stored.Id, cancellationToken) ?? stored;
            var now = time.GetUtcNow();
            var missing = new List<string>();
            for (var i = 0; i < session.Files.Count; i++)
            {
                if (session.Files[i].State == FileState.Awaiting && await uploads.WriteStatusAsync(new UploadFileStatus
                    {
                        Id = UploadFileStatus.IdFor(session.Id, i),
                        UnitId = session.UnitId,
                        SessionId = session.Id,
                        Name = session.Files[i].Name,
                        State = FileState.Missing,
                        UpdatedAt = now,
                    }, cancellationToken))
                {
                    missing.Add(session.Files[i].Name);
                }
            }

            await uploads.MarkMissingReportedAsync(stored, cancellationToken);
            if (missing.Count > 0)
            {
                await audit.RecordSystemAsync(session.UnitId, "system:watch-uploads", AuditAction.UploadMissing, $"uploads/{session.Id}",
                    AuditOutcomes.Failure, new Dictionary<string, string>
                    {
                        ["files"] = string.Join(", ", missing),
                        ["dock"] = session.DockId,
                        ["device"] = session.DeviceId,
                        ["officer"] = session.OfficerId,
                    }, cancellationToken);
                LogMissing(logger, session.Id, session.UnitId, missing.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-driving ingest/{Blob} failed")]
    private static partial void LogRedriveFailed(ILogger logger, Exception exception, string blob);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload session {Session} of unit {Unit}: {Count} files never arrived")]
    private static partial void LogMissing(ILogger logger, string session, string unit, int count);
}
