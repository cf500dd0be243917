using AvCloud.Functions.Audit;
using System.Globalization;
using AvCloud.Functions.Footage;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Retention;

/// <summary>
/// Daily, Art. 15: footage whose retention date has passed and that no hold keeps becomes DisposalPending, for the
/// keeper to review. The query selects by status and retention date (not a scan of every record); a sweep that stops
/// half-way resumes where it left off, since what it has done no longer matches the query. A record the unit's current
/// rules keep longer (its periods have grown since it was catalogued) is given its new date instead of being put up for
/// disposal, so a longer period reaches existing footage without touching any record before it matters.
/// </summary>
public sealed class SweepRetention(FootageStore footage, UnitStore units, RetentionDates dates, TimeProvider time)
{
    private const string Actor = "system:sweep-retention";

    [Function(nameof(SweepRetention))]
    public async Task Run([TimerTrigger("0 0 2 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settings = new Dictionary<string, UnitSettings>();
        await foreach (var record in footage.PastRetentionAsync(now, cancellationToken))
        {
            if (record.OfferForDisposal(now).IsRefused)
            {
                continue;
            }

            if (!settings.TryGetValue(record.UnitId, out var unit))
            {
                settings[record.UnitId] = unit = await units.SettingsAsync(record.UnitId, cancellationToken);
            }

            if (RetentionDates.RuleDate(record, unit, record.Categories) > record.RetentionUntil)
            {
                await RecomputeAsync(record, cancellationToken);
                continue;
            }

            // Judged again on the record as it is when written: a hold placed meanwhile keeps it.
            await footage.ChangeAsync(record.UnitId, record.Id, r => r.OfferForDisposal(now),
                (before, _) => new AuditEntry(record.UnitId, Actor, "system", AuditAction.DisposalPending, $"footage/{record.Id}", AuditOutcomes.Success,
                    new Dictionary<string, string> { ["retentionUntil"] = before.RetentionUntil.ToString("O", CultureInfo.InvariantCulture) }),
                cancellationToken);
        }
    }

    private Task<Outcome<RetentionChange>> RecomputeAsync(FootageRecord record, CancellationToken cancellationToken) =>
        dates.ApplyAsync(record.UnitId, record.Id, null, change =>
            new AuditEntry(record.UnitId, Actor, "system", AuditAction.RetentionRecomputed, $"footage/{record.Id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["retentionFrom"] = change.Before.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                ["retentionTo"] = change.After.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                ["reason"] = "The unit's retention periods have grown.",
            }), cancellationToken);
}
