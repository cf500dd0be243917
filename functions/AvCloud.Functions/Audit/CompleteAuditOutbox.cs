using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AvCloud.Functions.Audit;

/// <summary>
/// Every five minutes: a change is written together with its audit event (<see cref="PendingAudit"/>), and the writer
/// appends the event right after; when a writer stopped in between (a crash, a timeout), this appends what it left, once,
/// so no change goes without its event in the unit's chain. Only entries older than a minute are taken, so writers at
/// work are not raced.
/// </summary>
public sealed partial class CompleteAuditOutbox(FootageStore footage, RequestStore requests, DeviceStore devices, ActivityStore activities, UnitStore units,
    UploadStore uploads, Shares.ShareStore shares, TimeProvider time, ILogger<CompleteAuditOutbox> logger)
{
    [Function(nameof(CompleteAuditOutbox))]
    public async Task Run([TimerTrigger("30 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow().AddMinutes(-1);
        var appended = await footage.CompletePendingAsync(before, cancellationToken)
            + await requests.CompletePendingAsync(before, cancellationToken)
            + await devices.CompletePendingAsync(before, cancellationToken)
            + await activities.CompletePendingAsync(before, cancellationToken)
            + await activities.CompleteAccountabilityPendingAsync(before, cancellationToken)
            + await units.CompletePendingAsync(before, cancellationToken)
            + await uploads.CompletePendingAsync(before, cancellationToken)
            + await shares.CompletePendingAsync(before, cancellationToken);
        if (appended > 0)
        {
            LogCompleted(logger, appended);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appended {Count} audit events that writers had left pending on their records")]
    private static partial void LogCompleted(ILogger logger, int count);
}
