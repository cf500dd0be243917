using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Retention;

/// <summary>
/// Daily, Art. 15: footage whose retention date has passed and that no hold keeps becomes DisposalPending, for the
/// keeper to review. The query selects by status and retention date (not a scan of every record); a sweep that stops
/// half-way resumes where it left off, since what it has done no longer matches the query. A record the unit's current
/// rules keep longer (its periods have grown since it was catalogued) is given its new date instead of being put up for
/// disposal, so a longer period reaches existing footage without touching any record before it matters.
/// </summary>
public sealed class SweepRetention(Database database, RetentionDates dates, AuditTrail audit, TimeProvider time, IOptions<RetentionOptions> options)
{
    [Function(nameof(SweepRetention))]
    public async Task Run([TimerTrigger("0 0 2 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var footage = database.GetContainer(CosmosContainers.Footage);
        var now = time.GetUtcNow();
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status = @status AND c.retentionUntil <= @now")
            .WithParameter("@type", FootageRecord.DocumentType)
            .WithParameter("@status", "available")
            .WithParameter("@now", now);
        var settings = new Dictionary<string, UnitSettings>();
        await foreach (var record in footage.QueryAllAsync<FootageRecord>(query, null, cancellationToken))
        {
            if (record.Holds.Count > 0)
            {
                continue;
            }

            if (!settings.TryGetValue(record.UnitId, out var unit))
            {
                settings[record.UnitId] = unit = await UnitSettings.ReadAsync(database, record.UnitId, options.Value, cancellationToken);
            }

            if (RetentionDates.RuleDate(record, unit, record.Categories) > record.RetentionUntil)
            {
                await RecomputeAsync(record, cancellationToken);
                continue;
            }

            var marked = await FootageChanges.ChangeAsync(footage, record.Id, record.UnitId,
                r => r.Status == FootageStatus.Available && r.Holds.Count == 0 && r.RetentionUntil <= now
                    ? r with { Status = FootageStatus.DisposalPending, Disposal = new Disposal(now) }
                    : null,
                cancellationToken);
            if (marked is not null)
            {
                await audit.AppendAsync(new AuditEntry(record.UnitId, "system:sweep-retention", "system", "disposal.pending", $"footage/{record.Id}",
                    AuditOutcomes.Success, new Dictionary<string, string> { ["retentionUntil"] = record.RetentionUntil.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }),
                    cancellationToken);
            }
        }
    }

    private async Task RecomputeAsync(FootageRecord record, CancellationToken cancellationToken)
    {
        if (await dates.ApplyAsync(record.UnitId, record.Id, null, cancellationToken) is { } change)
        {
            await audit.AppendAsync(new AuditEntry(record.UnitId, "system:sweep-retention", "system", "retention.recomputed", $"footage/{record.Id}",
                AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["retentionFrom"] = change.Before.RetentionUntil.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["retentionTo"] = change.After.RetentionUntil.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["reason"] = "The unit's retention periods have grown.",
                }), cancellationToken);
        }
    }
}
