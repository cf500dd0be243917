using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace AvCloud.Functions.Audit;

/// <summary>
/// Daily, just after midnight (UTC), Art. 18: anchors each unit's audit chain as it stood when the day ended — its last
/// event before midnight — in the immutable footage store (<see cref="AuditAnchors"/>). The head document in Cosmos can
/// be rewound by whoever can delete the newest events; an anchor cannot, so <c>verify</c> finds a tail cut off after it.
/// The anchor is named by its event's day, so a unit with nothing new finds its anchor already there and writes
/// nothing, a retried or late run writes what the missed one would have, and a run never changes an anchor.
/// </summary>
public sealed partial class AnchorAuditChains(AuditTrail audit, AuditAnchors anchors, TimeProvider time, ILogger<AnchorAuditChains> logger)
{
    // Units are independent: a few at a time, so thousands of units fit in one run without crowding Cosmos.
    private const int ParallelUnits = 8;

    [Function(nameof(AnchorAuditChains))]
    public async Task Run([TimerTrigger("0 5 0 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        // Exceptions propagate: the platform retries the run, and what was already anchored is found and kept.
        await Parallel.ForEachAsync(audit.AuditedUnitsAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelUnits, CancellationToken = cancellationToken },
            async (unitId, token) =>
            {
                if (await audit.LastBeforeAsync(unitId, midnight, token) is not { } last)
                {
                    return;
                }

                var anchor = new AuditAnchor
                {
                    UnitId = unitId,
                    Day = DateOnly.FromDateTime(last.Time.UtcDateTime),
                    Sequence = last.Sequence,
                    Hash = last.Hash,
                    Time = last.Time,
                    AnchoredAt = now,
                };
                if (await anchors.CreateAsync(anchor, token))
                {
                    LogAnchored(logger, unitId, anchor.DayName, anchor.Sequence);
                }
            });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Anchored the audit chain of unit {Unit} for {Day} at event {Sequence}")]
    private static partial void LogAnchored(ILogger logger, string unit, string day, long sequence);
}
