using System.Globalization;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Retention;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Footage;

/// <summary>
/// Arts. 5 and 8: most footage is never linked to its activity by hand, so AvCloud links it by rule. A recording belongs
/// to the activity whose officers include the officer the device ledger says held the recorder (Art. 4; not the
/// officer a dock claims) and whose span overlaps the recording's trusted (drift-corrected) time, give or take the
/// unit's <see cref="UnitSettings.LinkMarginMinutes"/>. One such activity links it; two or more leave it for the
/// keeper's decision (<c>GET /api/footage/undecided</c>). The rule runs at cataloguing and again when an activity is
/// created or its span or officers change; it never overrides the manifest or a keeper (<see cref="FootageRecord.LinkByRule"/>).
/// A link can put the recording under its activity's case hold (<see cref="Cases.CaseHolds"/>).
/// </summary>
public sealed class ActivityLinker(FootageStore footage, ActivityStore activities, UnitStore units, RetentionDates dates, Cases.CaseHolds caseHolds,
    IOptions<IngestOptions> ingest)
{
    /// <summary>The actor the audit trail names for links made by the rule, and for the holds a link brings.</summary>
    public static Caller System(string unitId) => Caller.System("system:link", unitId);

    /// <summary>
    /// Arts. 5 and 8: the activities the rule finds for <paramref name="record"/>: none when the ledger attributes it to
    /// nobody (the recorder was not checked out), which the compliance report flags instead.
    /// </summary>
    public async Task<IReadOnlyList<Activity>> CandidatesAsync(FootageRecord record, UnitSettings settings, CancellationToken cancellationToken)
    {
        if (record.Attribution?.Holder is not { } officer)
        {
            return [];
        }

        var margin = TimeSpan.FromMinutes(settings.LinkMarginMinutes);
        return await activities.OfOfficerOverlappingAsync(record.UnitId, officer, record.CorrectedStart - margin, record.CorrectedEnd + margin, cancellationToken);
    }

    /// <summary>
    /// Applies the rule to recording <paramref name="footageId"/> (idempotent: a repeat, or a rule that would override the
    /// manifest or a keeper, writes nothing), then puts a linked recording under the standing holds of its activity's
    /// cases, however it was linked; returns the record as it stands after (null when there is none).
    /// </summary>
    public async Task<FootageRecord?> LinkAsync(string unitId, string footageId, CancellationToken cancellationToken)
    {
        if (await footage.ReadAsync(unitId, footageId, cancellationToken) is not { } record)
        {
            return null;
        }

        var system = System(unitId);
        if (record is { LinkedBy: null or LinkMethod.Rule, IsStored: true })
        {
            var settings = await units.SettingsAsync(unitId, cancellationToken);
            var candidates = await CandidatesAsync(record, settings, cancellationToken);
            var target = $"footage/{footageId}";
            // Under the record's ETag: a cataloguer or keeper that wrote first is judged again, so a keeper's link is never overwritten.
            var outcome = await footage.ChangeAsync(unitId, footageId, r => r.LinkByRule(candidates, ingest.Value.HandoverAllowance), (before, after) => after switch
            {
                { ActivityId: { } activity } => AuditEntry.By(system, AuditAction.FootageLinked, target, AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["activity"] = activity,
                    ["by"] = AvCloudJson.Name(LinkMethod.Rule),
                    ["officer"] = record.Attribution!.Holder!,
                    ["marginMinutes"] = settings.LinkMarginMinutes.ToString(CultureInfo.InvariantCulture),
                    ["handoverDeadline"] = after.HandoverDeadline.ToString("O", CultureInfo.InvariantCulture),
                }),
                { LinkCandidates.Count: > 0 } => AuditEntry.By(system, AuditAction.FootageLinkUndecided, target, AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["candidates"] = string.Join(", ", after.LinkCandidates),
                }),
                _ => AuditEntry.By(system, AuditAction.FootageUnlinked, target, AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["by"] = AvCloudJson.Name(LinkMethod.Rule),
                    ["reason"] = before.ActivityId is { } was ? $"Activity {was} no longer fits the recording's officer and time." : "No activity fits it any longer.",
                }),
            }, cancellationToken);
            if (outcome.Value is { } linked)
            {
                var why = linked.ActivityId is { } activityId ? $"Linked by rule to activity {activityId}." : "No longer linked by rule.";
                return await LinkedAsync(system, linked, record.ActivityKind, why, cancellationToken);
            }

            record = await footage.ReadAsync(unitId, footageId, cancellationToken) ?? record;
        }

        // A repeat after a crash, or a manifest's link: the case holds are made sure of all the same.
        return record.ActivityId is { } linkedTo ? await caseHolds.HoldForActivityAsync(system, record, linkedTo, cancellationToken) : record;
    }

    /// <summary>
    /// Arts. 5 and 8: an activity was created (<paramref name="before"/> null) or its span or officers changed: every
    /// recording it may now take, or may have lost, gets the rule again.
    /// </summary>
    public async Task RelinkForAsync(Activity? before, Activity after, CancellationToken cancellationToken)
    {
        var settings = await units.SettingsAsync(after.UnitId, cancellationToken);
        var margin = TimeSpan.FromMinutes(settings.LinkMarginMinutes);
        var from = (before is null || after.Start < before.Start ? after.Start : before.Start) - margin;
        var to = (before is null || after.End > before.End ? after.End : before.End) + margin;
        var officers = after.Officers.Union(before?.Officers ?? [], StringComparer.Ordinal).ToList();
        foreach (var id in await footage.RelinkableIdsAsync(after.UnitId, after.Id, officers, from, to, cancellationToken))
        {
            await LinkAsync(after.UnitId, id, cancellationToken);
        }
    }

    /// <summary>
    /// What follows a recording's link or unlink by <paramref name="actor"/>: the activity's kind may be a longer (or no
    /// longer a) retention category, so the date is worked out again and storage follows; and a link into a held case
    /// puts the recording under the case's hold (Art. 16). Returns the record as it stands after.
    /// </summary>
    public async Task<FootageRecord> LinkedAsync(Caller actor, FootageRecord linked, ActivityKind? kindBefore, string why, CancellationToken cancellationToken)
    {
        var record = linked;
        if (linked.ActivityKind != kindBefore)
        {
            record = (await dates.ApplyAsync(linked.UnitId, linked.Id, null,
                change => AuditEntry.By(actor, AuditAction.RetentionRecomputed, $"footage/{linked.Id}", AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["retentionFrom"] = change.Before.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                    ["retentionTo"] = change.After.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                    ["reason"] = linked.ActivityKind is { } kind ? $"{why} ({AvCloudJson.Name(kind)})" : why,
                }), cancellationToken)).Value?.After ?? linked;
        }

        return linked.ActivityId is { } activityId ? await caseHolds.HoldForActivityAsync(actor, record, activityId, cancellationToken) : record;
    }
}
