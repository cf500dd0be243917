using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Officers;
using AvCloud.Functions.Retention;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Reports;

/// <summary>Art. 3: the unit's devices against its roster and its approved models.</summary>
public sealed record Equipment(int ActiveOfficers, int Devices, double? DevicesPerOfficer, double Target, bool BelowTarget,
    IReadOnlyList<string> OfficersIssuedNothing, IReadOnlyList<UnapprovedDevice> UnapprovedModels);

/// <summary>Art. 3: a device whose model is not on the unit's approved list.</summary>
public sealed record UnapprovedDevice(string DeviceId, string Model);

/// <summary>Art. 4: a device not fit to go out: under repair, or with a fault no inspection has cleared; and its last upkeep step.</summary>
public sealed record DeviceOutOfService(string DeviceId, DeviceStatus Status, bool FaultOpen, MaintenanceEntry? Last);

/// <summary>Art. 7: a checkout whose pre-use check failed or was not recorded, and why the device went out anyway.</summary>
public sealed record ExceptedCheckout(string DeviceId, string OfficerId, DateTimeOffset At, IReadOnlyList<string> Failures, string? Reason);

/// <summary>Art. 5: a flagged recording no resolution settles yet, and how long since AvCloud catalogued it.</summary>
public sealed record FlaggedRecording(string FootageId, string OfficerId, string DeviceId, DateTimeOffset Start, IReadOnlyList<string> Flags, int AgeDays);

/// <summary>Art. 5: how many unresolved flagged recordings are of this age.</summary>
public sealed record AgeBucket(string Age, int Count);

/// <summary>Art. 5: the period's recordings flagged as possibly unrelated to work, how many the keeper resolved, and the rest by age.</summary>
public sealed record FlaggedRecordings(int Flagged, int Resolved, IReadOnlyList<AgeBucket> UnresolvedByAge, IReadOnlyList<FlaggedRecording> Unresolved);

/// <summary>Arts. 8 to 11: a required activity whose account misses one (art8, art9, art10, art11), or that has no account at all.</summary>
public sealed record ConductFinding(string ActivityId, ActivityKind Kind, DateTimeOffset Start, IReadOnlyList<string> Officers, IReadOnlyList<string> Missing, bool NoAccount);

/// <summary>Art. 12: a work record filed later than the unit's setting allows after its activity.</summary>
public sealed record LateWorkRecord(string ActivityId, string WorkRecordId, string OfficerId, DateTimeOffset DueBy, DateTimeOffset SubmittedAt, double HoursLate);

/// <summary>Art. 13: an activity away from the unit, and from when its handover allowance runs (null: the return is not recorded yet).</summary>
public sealed record AwayActivity(string ActivityId, DateTimeOffset End, DateTimeOffset? ReturnedAt, DateTimeOffset? HandoverDeadline);

/// <summary>The report's findings on the obligations the regulation names article by article.</summary>
public sealed record ArticleFindings(Equipment Equipment, IReadOnlyList<DeviceOutOfService> DevicesOutOfService, IReadOnlyList<ExceptedCheckout> CheckoutExceptions)
{
    /// <summary>Art. 5.</summary>
    public FlaggedRecordings FlaggedRecordings { get; init; } = new(0, 0, [], []);

    /// <summary>Arts. 8 to 11: required activities (Art. 6 and the unit's list) missing what their recording must show.</summary>
    public IReadOnlyList<ConductFinding> ConductMissing { get; init; } = [];

    /// <summary>Art. 12.</summary>
    public IReadOnlyList<LateWorkRecord> LateWorkRecords { get; init; } = [];

    /// <summary>Art. 13.</summary>
    public IReadOnlyList<AwayActivity> AwayActivities { get; init; } = [];

    /// <summary>Art. 17: each year of the period against the unit's review schedule.</summary>
    public IReadOnlyList<ReviewYear> ReviewSchedule { get; init; } = [];

    /// <summary>Art. 17: the reviews drawn or completed in the period.</summary>
    public IReadOnlyList<ReviewListing> Reviews { get; init; } = [];

    /// <summary>Art. 18: misconduct cases opened in the period or still open, as the reader may see them.</summary>
    public IReadOnlyList<Accountability.MisconductCaseView> MisconductCases { get; init; } = [];
}

/// <summary>
/// The compliance report's lines article by article: how the unit's devices compare with its roster and approved models
/// (Art. 3), which devices are out of service (Art. 4), flagged recordings not yet resolved, by age (Art. 5), checkouts
/// that went out on a failed or unrecorded pre-use check (Art. 7), required activities missing what the recording must
/// show (Arts. 8 to 11), late work records (Art. 12), activities away from the unit (Art. 13). Art. 14: recordings are
/// drawn only from those the reader may see.
/// </summary>
public sealed class ArticleChecks(DeviceStore devices, FootageStore footage, ActivityStore activities, TimeProvider time, IOptions<IngestOptions> ingest)
{
    public async Task<ArticleFindings> FindAsync(string unitId, DateTimeOffset from, DateTimeOffset to, UnitSettings settings, Clearance clearance,
        IReadOnlyList<ActivityView> views, CancellationToken cancellationToken)
    {
        var rules = settings.Obligations;
        var roster = await devices.OfficersAsync(unitId, cancellationToken);
        var registry = await devices.DevicesAsync(unitId, cancellationToken);
        var uses = await devices.UsesCheckedOutInAsync(unitId, from, to, cancellationToken);
        var reviews = await activities.ReviewsAsync(unitId, cancellationToken);
        var current = registry.Where(d => d.Holder is { } h && h.At >= from && h.At <= to).Select(d => DeviceUse.Of(d, d.Holder!));
        return new ArticleFindings(
            EquipmentOf(roster, registry, rules),
            [.. registry.Where(d => d.Status == DeviceStatus.UnderRepair || (d.Status != DeviceStatus.Retired && d.FaultOpen))
                .Select(d => new DeviceOutOfService(d.Id, d.Status, d.FaultOpen, d.Maintenance.Count > 0 ? d.Maintenance[^1] : null))],
            [.. uses.Concat(current).Where(u => u.Check is null || u.CheckFailures.Count > 0).OrderBy(u => u.CheckedOutAt)
                .Select(u => new ExceptedCheckout(u.DeviceId, u.OfficerId, u.CheckedOutAt, u.Check is null ? ["no pre-use check recorded"] : u.CheckFailures, u.CheckException))])
        {
            ReviewSchedule = ManageReviewSchedule.Schedule(reviews, from, to, rules.ReviewDueMonth, time.GetUtcNow()),
            Reviews = [.. reviews.Where(r => (r.CreatedAt >= from && r.CreatedAt <= to) || (r.CompletedAt >= from && r.CompletedAt <= to)).Select(ReviewListing.Of)],
            FlaggedRecordings = await FlaggedAsync(unitId, from, to, clearance, cancellationToken),
            MisconductCases = await CasesAsync(unitId, from, to, clearance, cancellationToken),
            ConductMissing = [.. views.Where(v => v.RecordingRequired).Select(v => v.Activity)
                .Select(a => (Activity: a, Missing: a.Conduct?.Missing ?? ActivityConduct.NotRecorded)).Where(a => a.Missing.Count > 0)
                .Select(a => new ConductFinding(a.Activity.Id, a.Activity.Kind, a.Activity.Start, a.Activity.Officers, a.Missing, a.Activity.Conduct is null))],
            LateWorkRecords = [.. views.SelectMany(v => v.WorkRecords.Select(w => (v.Activity, Record: w)))
                .Select(x => (x.Activity, x.Record, DueBy: x.Activity.End.AddHours(rules.WorkRecordDueHours)))
                .Where(x => x.Record.SubmittedAt > x.DueBy)
                .Select(x => new LateWorkRecord(x.Activity.Id, x.Record.Id, x.Record.OfficerId, x.DueBy, x.Record.SubmittedAt, Math.Round((x.Record.SubmittedAt - x.DueBy).TotalHours, 1)))],
            AwayActivities = [.. views.Select(v => v.Activity).Where(a => a.Away)
                .Select(a => new AwayActivity(a.Id, a.End, a.ReturnedAt, a.ReturnedAt is null ? null : a.HandoverFrom + ingest.Value.HandoverAllowance))],
        };
    }

    private static readonly (string Age, int UpToDays)[] Ages = [("0-7 days", 7), ("8-30 days", 30), ("31-90 days", 90), ("over 90 days", int.MaxValue)];

    /// <summary>Art. 5: the period's flagged recordings the reader may see, and those no resolution settles yet, by age since cataloguing.</summary>
    private async Task<FlaggedRecordings> FlaggedAsync(string unitId, DateTimeOffset from, DateTimeOffset to, Clearance clearance, CancellationToken cancellationToken)
    {
        var flagged = new List<(FootageRecord Record, IReadOnlyList<string> Flags)>();
        await foreach (var record in footage.FindAsync(unitId, new FootageFilter(RecordedFrom: from, RecordedTo: to, Clearance: clearance), cancellationToken))
        {
            if (record.Status is not (FootageStatus.Quarantined or FootageStatus.Purged) && Accountability.FlagResolution.FlagsOf(record) is { Count: > 0 } flags)
            {
                flagged.Add((record, flags));
            }
        }

        var resolved = await activities.ResolutionsOfAsync(unitId, [.. flagged.Select(f => f.Record.Id)], cancellationToken);
        var now = time.GetUtcNow();
        var open = flagged.Where(f => !resolved.ContainsKey(f.Record.Id))
            .Select(f => new FlaggedRecording(f.Record.Id, f.Record.OfficerId, f.Record.DeviceId, f.Record.CorrectedStart, f.Flags, (int)(now - f.Record.CataloguedAt).TotalDays))
            .OrderByDescending(f => f.AgeDays).ToList();
        return new FlaggedRecordings(flagged.Count, resolved.Count, ByAge(open), open);
    }

    /// <summary>Art. 18: cases opened in the period or still open; recordings the reader may not see are counted, not shown (Art. 14).</summary>
    private async Task<IReadOnlyList<Accountability.MisconductCaseView>> CasesAsync(string unitId, DateTimeOffset from, DateTimeOffset to, Clearance clearance,
        CancellationToken cancellationToken)
    {
        var cases = (await activities.MisconductCasesAsync(unitId, cancellationToken))
            .Where(c => c.Status == Accountability.MisconductCaseStatus.Open || (c.OpenedAt >= from && c.OpenedAt <= to)).ToList();
        var withheld = cases.Count == 0 ? [] : (await footage.WithheldIdsAsync(unitId, clearance, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        return [.. cases.Select(c => c.ViewFor(withheld))];
    }

    /// <summary>Art. 5: how many of <paramref name="open"/> are 0-7, 8-30, 31-90 and over 90 days old.</summary>
    public static IReadOnlyList<AgeBucket> ByAge(IReadOnlyCollection<FlaggedRecording> open) =>
        [.. Ages.Select((bucket, i) => new AgeBucket(bucket.Age, open.Count(f => f.AgeDays <= bucket.UpToDays && (i == 0 || f.AgeDays > Ages[i - 1].UpToDays))))];

    /// <summary>Art. 3: devices not retired per active officer against the target, officers issued nothing, models not approved.</summary>
    public static Equipment EquipmentOf(IReadOnlyList<Officer> roster, IReadOnlyList<Device> registry, UnitObligations rules)
    {
        var active = roster.Where(o => o.Status == OfficerStatus.Active).ToList();
        var fielded = registry.Where(d => d.Status != DeviceStatus.Retired).ToList();
        double? ratio = active.Count == 0 ? null : Math.Round((double)fielded.Count / active.Count, 2);
        return new Equipment(active.Count, fielded.Count, ratio, rules.DevicesPerOfficer, ratio is null || ratio < rules.DevicesPerOfficer,
            [.. active.Where(o => o.IssuedKinds.Count == 0).Select(o => o.Id)],
            rules.ApprovedModels.Count == 0 ? []
                : [.. fielded.Where(d => !rules.ApprovedModels.Contains(d.Model, StringComparer.OrdinalIgnoreCase)).Select(d => new UnapprovedDevice(d.Id, d.Model))]);
    }

    /// <summary>The CSV rows of these findings: section, subject, officer, device, time, detail.</summary>
    public static IEnumerable<string[]> CsvRows(ArticleFindings found)
    {
        static string Time(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);
        var e = found.Equipment;
        yield return ["equipment (Art. 3)", "devices per officer", "", "", "", string.Create(CultureInfo.InvariantCulture,
            $"{e.Devices} devices, {e.ActiveOfficers} active officers: {(e.DevicesPerOfficer is { } r ? r.ToString(CultureInfo.InvariantCulture) : "no officers")} per officer, target {e.Target}{(e.BelowTarget ? " (below target)" : "")}")];
        foreach (var officer in e.OfficersIssuedNothing)
        {
            yield return ["equipment (Art. 3)", "issued nothing", officer, "", "", "an active officer issued no recording device"];
        }

        foreach (var device in e.UnapprovedModels)
        {
            yield return ["equipment (Art. 3)", "model not approved", "", device.DeviceId, "", device.Model];
        }

        foreach (var device in found.DevicesOutOfService)
        {
            yield return ["out of service (Art. 4)", device.DeviceId, "", device.DeviceId, device.Last is { } last ? Time(last.At) : "",
                $"{AvCloudJson.Name(device.Status)}{(device.FaultOpen ? ", fault open" : "")}{(device.Last is { } l ? $"; last: {AvCloudJson.Name(l.Kind)} {l.Note}" : "")}"];
        }

        foreach (var checkout in found.CheckoutExceptions)
        {
            yield return ["pre-use check (Art. 7)", checkout.DeviceId, checkout.OfficerId, checkout.DeviceId, Time(checkout.At),
                $"{string.Join("; ", checkout.Failures)}{(checkout.Reason is { } reason ? $"; out anyway: {reason}" : "")}"];
        }

        foreach (var bucket in found.FlaggedRecordings.UnresolvedByAge)
        {
            yield return ["unresolved flags (Art. 5)", bucket.Age, "", "", "", bucket.Count.ToString(CultureInfo.InvariantCulture)];
        }

        foreach (var flagged in found.FlaggedRecordings.Unresolved)
        {
            yield return ["unresolved flag (Art. 5)", flagged.FootageId, flagged.OfficerId, flagged.DeviceId, Time(flagged.Start),
                string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", flagged.Flags)}; {flagged.AgeDays} days")];
        }

        foreach (var activity in found.ConductMissing)
        {
            yield return ["recording content (Arts. 8-11)", activity.ActivityId, string.Join(" ", activity.Officers), "", Time(activity.Start),
                activity.NoAccount ? "no account recorded" : "missing: " + string.Join(", ", activity.Missing)];
        }

        foreach (var late in found.LateWorkRecords)
        {
            yield return ["late work record (Art. 12)", late.WorkRecordId, late.OfficerId, "", Time(late.SubmittedAt),
                string.Create(CultureInfo.InvariantCulture, $"activity {late.ActivityId}; due by {Time(late.DueBy)}; {late.HoursLate} h late")];
        }

        foreach (var year in found.ReviewSchedule)
        {
            yield return ["review schedule (Art. 17)", year.Year.ToString(CultureInfo.InvariantCulture), "", "", Time(year.DueBy),
                year.Completed.Count > 0 ? $"completed: {string.Join(" ", year.Completed)}" : year.Overdue ? "no completed review (overdue)" : "not completed yet (not due)"];
        }

        foreach (var review in found.Reviews)
        {
            yield return ["review (Art. 17)", review.Id, review.CreatedBy, "", Time(review.CreatedAt),
                $"{Time(review.From)}..{Time(review.To)}; {(review.CompletedAt is { } done ? $"completed {Time(done)} by {review.CompletedBy}" : "open")}"];
        }

        foreach (var view in found.MisconductCases)
        {
            var c = view.Case;
            yield return ["misconduct case (Art. 18)", c.Id, c.PersonId, "", Time(c.OpenedAt),
                string.Create(CultureInfo.InvariantCulture, $"{AvCloudJson.Name(c.Item)}; {AvCloudJson.Name(c.Status)}{(c.Outcome is { } o ? $": {AvCloudJson.Name(o)}" : "")}; {c.FootageIds.Count + view.Withheld} recordings{(c.Held ? ", held" : "")}")];
        }

        foreach (var away in found.AwayActivities)
        {
            yield return ["away from the unit (Art. 13)", away.ActivityId, "", "", Time(away.End),
                away.ReturnedAt is { } returned ? $"returned {Time(returned)}; hand over by {Time(away.HandoverDeadline!.Value)}" : "return not recorded yet"];
        }
    }
}
