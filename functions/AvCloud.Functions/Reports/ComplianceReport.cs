using System.Globalization;
using System.Text;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Reports;

/// <summary>
/// An activity the report points at: what it was, how much was recorded, the gaps, and whether a work record explains
/// them; <see cref="Withheld"/> counts its recordings the reader may not see, which the coverage leaves out (Art. 14).
/// </summary>
public sealed record ActivityFinding(string ActivityId, ActivityKind Kind, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<string> Officers,
    double CoveredRatio, IReadOnlyList<Gap> Gaps, bool ExplainedByWorkRecord)
{
    public int Withheld { get; init; }
}

/// <summary>A recording the report points at, and why.</summary>
public sealed record FootageFinding(string FootageId, string OfficerId, string DeviceId, DateTimeOffset Start, string Detail);

/// <summary>Art. 13: an officer's uploads after the 24-hour deadline.</summary>
public sealed record LateUploads(string OfficerId, int Count, IReadOnlyList<string> FootageIds);

/// <summary>Art. 18: something done behind AvCloud's back to held footage (a legal hold lifted, a second copy deleted or altered), and how reconciliation put it right.</summary>
public sealed record PreservationCorrection(string FootageId, DateTimeOffset At, string Correction);

/// <summary>
/// Art. 16: storage holding more than the record asks for (a legal hold on the footage or its second copy that no record
/// hold asks for), as reconciliation found it; the head reviews and releases it (<c>DELETE /api/footage/{id}/holds/storage</c>).
/// </summary>
public sealed record PreservationDiscrepancy(string FootageId, DateTimeOffset At, string Copy, string Discrepancy);

/// <summary>
/// Art. 18: the read links (a view's are its opens) or packaged recordings (copy) one person was given in the period, for
/// one mode; copies leave AvCloud, so who took how many is watched.
/// </summary>
public sealed record LinksIssued(string Requester, string Mode, int Links, int Recordings, IReadOnlyList<string> Requests);

/// <summary>
/// Arts. 5 and 8: how the period's recordings (those the reader may see) came to their activities: by the dock's
/// manifest, by AvCloud's rule, by a keeper, or not at all (<see cref="Undecided"/> of those wait for a keeper's choice
/// between candidates). Shares are of <see cref="Recordings"/>, 0 to 1.
/// </summary>
public sealed record LinkShares(int Recordings, int ByManifest, int ByRule, int ByKeeper, int Unlinked, int Undecided)
{
    public double ManifestShare => Share(ByManifest);

    public double RuleShare => Share(ByRule);

    public double KeeperShare => Share(ByKeeper);

    public double UnlinkedShare => Share(Unlinked);

    private double Share(int count) => Recordings == 0 ? 0 : Math.Round((double)count / Recordings, 4);

    /// <summary>The shares of <paramref name="records"/>; a link made before AvCloud recorded how counts as a keeper's (the only way there was then besides the manifest).</summary>
    public static LinkShares Of(IReadOnlyCollection<FootageRecord> records) => new(
        records.Count,
        records.Count(r => r is { ActivityId: not null, LinkedBy: LinkMethod.Manifest }),
        records.Count(r => r is { ActivityId: not null, LinkedBy: LinkMethod.Rule }),
        records.Count(r => r is { ActivityId: not null, LinkedBy: LinkMethod.Keeper or null }),
        records.Count(r => r.ActivityId is null),
        records.Count(r => r is { ActivityId: null, LinkCandidates.Count: > 0 }));
}

/// <summary>
/// An external share's activity in the period: who it is for, who made, approved or revoked it, and what its recipient
/// did (opens, plays of how many recordings, package downloads, wrong passcodes, locks).
/// </summary>
public sealed record ShareActivity(string ShareId, string Recipient, string Organisation, string? CreatedBy, string? ApprovedBy, string? RevokedBy,
    int Opens, int Plays, int Recordings, int Downloads, int WrongPasscodes, int Locks);

/// <summary>What is waiting for someone: disposals to review, footage held, access requests to decide.</summary>
public sealed record PendingWork(int DisposalsPending, int FootageHeld, int AccessRequestsPending);

/// <summary>Arts. 13 and 17: the unit's compliance over a period.</summary>
public sealed record Compliance(
    string UnitId,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ActivityFinding> MissingRecordings,
    IReadOnlyList<ActivityFinding> CoverageGaps,
    IReadOnlyList<LateUploads> LateUploads,
    IReadOnlyList<FootageFinding> Unlinked,
    IReadOnlyList<FootageFinding> DeviceMismatches,
    PendingWork Pending,
    IReadOnlyList<FootageFinding> IntegrityFailures,
    IReadOnlyList<PreservationCorrection> PreservationCorrections,
    IReadOnlyList<LinksIssued> LinksIssued)
{
    /// <summary>Art. 16: legal holds storage keeps that no record hold asks for, reported in the period, for the head to review.</summary>
    public IReadOnlyList<PreservationDiscrepancy> StorageOnlyHolds { get; init; } = [];

    /// <summary>Arts. 5 and 8: how the period's recordings were linked to their activities, by share.</summary>
    public LinkShares Links { get; init; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Art. 14: the classification levels of the footage this report draws on (those its reader may see).</summary>
    public IReadOnlyList<Classification> Levels { get; init; } = [];

    /// <summary>The obligations checked article by article (Arts. 3 to 18), see <see cref="ArticleChecks"/>.</summary>
    public ArticleFindings? Articles { get; init; }

    /// <summary>Art. 18: the external shares made, approved, revoked or used in the period, with their recipients' views.</summary>
    public IReadOnlyList<ShareActivity> Shares { get; init; } = [];
}

/// <summary>
/// <c>GET /api/reports/compliance?from=&amp;to=</c> (Supervisor, Head), as JSON or, with <c>format=csv</c> or
/// <c>Accept: text/csv</c>, as CSV: activities that had to be recorded but have no recording and no approved work
/// record; activities whose recordings leave gaps (longer than <c>gapSeconds</c>, default 60); late uploads by officer;
/// recordings linked to no activity, and the shares linked by the manifest, the rule and keepers; recordings the device ledger attributes to someone else, or made while the device
/// was not checked out; pending disposals, holds and access requests; integrity failures; and the corrections
/// <c>ReconcilePreservation</c> made to held footage in the period, and the legal holds it found storage keeping that no
/// record hold asks for (for the head); the read links issued and views opened in the period, by person and
/// mode; and the external shares made, approved, revoked or used, with what each recipient opened and played. Reading it is audited. Art. 14: the report draws only on footage its reader may see (a supervisor: unclassified
/// footage), so no finding, count or period answers a question about classified footage; an activity's classified
/// recordings are only counted, as its view counts them.
/// </summary>
public sealed class ComplianceReport(ActivityStore activities, ActivityViews views, FootageStore footage, RequestStore requests, UnitStore units, AuditTrail audit,
    TimeProvider time, ArticleChecks articles)
{
    [Function("ReadComplianceReport")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(Compliance))]
    [Query("from", "Start of the period (ISO 8601); required.")]
    [Query("to", "End of the period (ISO 8601); required.")]
    [Query("gapSeconds", "Gaps shorter than this are not reported (default 60).")]
    [Query("format", "csv for CSV (or send Accept: text/csv); JSON otherwise.")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/reports/compliance")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var from = Listing.Time(request.Query, "from") ?? throw ProblemException.Invalid("from", "Give the start of the period (from).");
        var to = Listing.Time(request.Query, "to") ?? throw ProblemException.Invalid("to", "Give the end of the period (to).");
        if (to < from || to - from > TimeSpan.FromDays(400))
        {
            throw ProblemException.Invalid("to", "The period ends after it starts and spans at most 400 days.");
        }

        var gapSeconds = Listing.Text(request.Query, "gapSeconds") is { } text
            ? int.TryParse(text, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 86_400 ? seconds
                : throw ProblemException.Invalid("gapSeconds", "gapSeconds is a whole number from 0 to 86400.")
            : 60;
        var report = await BuildAsync(caller.UnitId, from.ToUniversalTime(), to.ToUniversalTime(), gapSeconds, AccessRules.ClearanceOf(caller), cancellationToken);
        await audit.RecordAsync(caller, AuditAction.ComplianceReportRead, "reports/compliance",
            new Dictionary<string, string> { ["from"] = from.ToString("O", CultureInfo.InvariantCulture), ["to"] = to.ToString("O", CultureInfo.InvariantCulture) },
            cancellationToken);

        var csv = Listing.Text(request.Query, "format") == "csv" || request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);
        return csv ? TypedResults.Text(ToCsv(report), "text/csv", Encoding.UTF8) : TypedResults.Ok(report);
    }

    public async Task<Compliance> BuildAsync(string unitId, DateTimeOffset from, DateTimeOffset to, int gapSeconds, Clearance clearance, CancellationToken cancellationToken)
    {
        var settings = await units.SettingsAsync(unitId, cancellationToken);
        var missing = new List<ActivityFinding>();
        var gapped = new List<ActivityFinding>();
        var started = await activities.StartedInAsync(unitId, from, to, cancellationToken);
        var viewed = await views.ViewsAsync(unitId, started, settings, clearance, cancellationToken);
        foreach (var view in viewed)
        {
            var activity = view.Activity;
            var explained = view.WorkRecords.Any(w => w.Status == WorkRecordStatus.Approved);
            var gaps = view.Coverage.Gaps.Where(g => g.Seconds > gapSeconds).ToList();
            var finding = new ActivityFinding(activity.Id, activity.Kind, activity.Start, activity.End, activity.Officers, Math.Round(view.Coverage.Ratio, 4), gaps, explained)
            {
                Withheld = view.Withheld,
            };
            if (view.Recordings.Count == 0 && view.Withheld == 0 && view.RecordingRequired && !explained)
            {
                missing.Add(finding);
            }
            else if (view.Recordings.Count > 0 && gaps.Count > 0)
            {
                gapped.Add(finding);
            }
        }

        var late = new List<FootageRecord>();
        var unlinked = new List<FootageFinding>();
        var mismatches = new List<FootageFinding>();
        var recorded = new List<FootageRecord>();
        await foreach (var record in footage.FindAsync(unitId, new FootageFilter(RecordedFrom: from, RecordedTo: to, Clearance: clearance), cancellationToken))
        {
            if (record.Status == FootageStatus.Quarantined)
            {
                continue;
            }

            recorded.Add(record);

            if (!record.HandedOverInTime)
            {
                late.Add(record);
            }

            if (record.ActivityId is null)
            {
                unlinked.Add(Finding(record, record.LinkCandidates.Count > 0
                    ? $"not linked: {record.LinkCandidates.Count} activities fit it, a keeper decides ({string.Join(", ", record.LinkCandidates)})"
                    : "not linked to any enforcement activity"));
            }

            if (record.Attribution is { CheckedOut: false })
            {
                mismatches.Add(Finding(record, "recorded while the device was not checked out"));
            }
            else if (record.Attribution is { OfficerMatches: false } attribution)
            {
                mismatches.Add(Finding(record, $"the device was checked out to {attribution.Holder}, the dock reported {record.OfficerId}"));
            }
        }

        var failures = new List<FootageFinding>();
        await foreach (var record in footage.IntegrityFailuresAsync(unitId, clearance, cancellationToken))
        {
            failures.Add(Finding(record, $"stored bytes hash to {record.IntegrityFailure!.Sha256Found} (found {record.IntegrityFailure.DetectedAt:O})"));
        }

        // Corrections and links are events in the unit's audit trail, where reconciliation and link issuance record them.
        var corrections = new List<PreservationCorrection>();
        await foreach (var entry in audit.OfActionAsync(unitId, AuditAction.PreservationCorrected, from, to, cancellationToken))
        {
            corrections.Add(new PreservationCorrection(FootageId(entry), entry.Time, entry.Details.GetValueOrDefault("correction", "")));
        }

        var discrepancies = new List<PreservationDiscrepancy>();
        await foreach (var entry in audit.OfActionAsync(unitId, AuditAction.PreservationDiscrepancy, from, to, cancellationToken))
        {
            discrepancies.Add(new PreservationDiscrepancy(FootageId(entry), entry.Time, entry.Details.GetValueOrDefault("copy", ""), entry.Details.GetValueOrDefault("discrepancy", "")));
        }

        // Views opened (each hands out its own link, minutes long) and copies taken as evidence packages (each recording
        // packaged counts as a copy given), by person and mode.
        var links = new List<AuditEvent>();
        foreach (var action in new[] { AuditAction.ReadLinkIssued, AuditAction.FootageViewed, AuditAction.FootagePackaged })
        {
            await foreach (var entry in audit.OfActionAsync(unitId, action, from, to, cancellationToken))
            {
                if (entry.Outcome == AuditOutcomes.Success)
                {
                    links.Add(entry);
                }
            }
        }

        // Art. 14: corrections and links to footage the reader may not see are left out, at its level now.
        var seen = await SeenAsync(unitId, [.. corrections.Select(c => c.FootageId), .. discrepancies.Select(d => d.FootageId), .. links.Select(FootageId)], clearance,
            cancellationToken);
        corrections.RemoveAll(c => !seen(c.FootageId));
        discrepancies.RemoveAll(d => !seen(d.FootageId));
        links.RemoveAll(e => !seen(FootageId(e)));
        var issued = links.GroupBy(e => (e.Actor, Mode: e.Details.GetValueOrDefault("mode", "")))
            .OrderBy(g => g.Key.Actor, StringComparer.Ordinal).ThenBy(g => g.Key.Mode, StringComparer.Ordinal)
            .Select(g => new LinksIssued(g.Key.Actor, g.Key.Mode, g.Count(), g.Select(FootageId).Distinct().Count(),
                [.. g.Select(e => e.Details.GetValueOrDefault("request", "")).Distinct().Order(StringComparer.Ordinal)]))
            .ToList();

        var shareEvents = new List<AuditEvent>();
        foreach (var action in ShareActions)
        {
            await foreach (var entry in audit.OfActionAsync(unitId, action, from, to, cancellationToken))
            {
                shareEvents.Add(entry);
            }
        }

        // Art. 14: plays and downloads of footage the reader may not see are left out, at its level now.
        static bool OfFootage(AuditEvent e) => e.Target.StartsWith("footage/", StringComparison.Ordinal);
        var shown = await SeenAsync(unitId, [.. shareEvents.Where(OfFootage).Select(FootageId)], clearance, cancellationToken);
        shareEvents.RemoveAll(e => OfFootage(e) && !shown(FootageId(e)));

        var pending = new PendingWork(
            await footage.CountDisposalsPendingAsync(unitId, clearance, cancellationToken),
            await footage.CountHeldAsync(unitId, clearance, cancellationToken),
            await requests.CountPendingAsync(unitId, cancellationToken));

        return new Compliance(unitId, from, to, time.GetUtcNow(), missing, gapped,
            [.. late.GroupBy(r => r.OfficerId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new LateUploads(g.Key, g.Count(), [.. g.Select(r => r.Id)]))],
            unlinked, mismatches, pending, failures, corrections, issued)
        {
            StorageOnlyHolds = discrepancies,
            Links = LinkShares.Of(recorded),
            Levels = clearance.Levels,
            Articles = await articles.FindAsync(unitId, from, to, settings, clearance, viewed, cancellationToken),
            Shares = SharesActivity(shareEvents),
        };
    }

    private static readonly AuditAction[] ShareActions =
    [
        AuditAction.ShareCreated, AuditAction.ShareApproved, AuditAction.ShareRevoked, AuditAction.ShareOpened, AuditAction.SharePlayed,
        AuditAction.ShareDownloaded, AuditAction.SharePasscodeWrong, AuditAction.ShareLocked,
    ];

    /// <summary>One line per share the events are about, from its events in the period (every one names the share and its recipient).</summary>
    private static List<ShareActivity> SharesActivity(IEnumerable<AuditEvent> events) =>
    [
        .. events.Where(e => e.Details.ContainsKey("share")).GroupBy(e => e.Details["share"]).Select(g =>
        {
            var succeeded = g.Where(e => e.Outcome == AuditOutcomes.Success).ToList();
            string? By(AuditAction action) => succeeded.LastOrDefault(e => e.Action == action.Name)?.Actor;
            int Count(AuditAction action, string outcome) => g.Count(e => e.Action == action.Name && e.Outcome == outcome);
            var plays = succeeded.Where(e => e.Action == AuditAction.SharePlayed.Name).ToList();
            var first = g.First();
            return new ShareActivity(g.Key, first.Details.GetValueOrDefault("recipient", ""), first.Details.GetValueOrDefault("organisation", ""),
                By(AuditAction.ShareCreated), By(AuditAction.ShareApproved), By(AuditAction.ShareRevoked),
                Count(AuditAction.ShareOpened, AuditOutcomes.Success), plays.Count, plays.Select(FootageId).Distinct().Count(),
                succeeded.Count(e => e.Action == AuditAction.ShareDownloaded.Name && e.Target.StartsWith("shares/", StringComparison.Ordinal)),
                Count(AuditAction.SharePasscodeWrong, AuditOutcomes.Denied) + Count(AuditAction.ShareLocked, AuditOutcomes.Denied),
                Count(AuditAction.ShareLocked, AuditOutcomes.Denied));
        }).OrderBy(a => a.Recipient, StringComparer.Ordinal).ThenBy(a => a.ShareId, StringComparer.Ordinal),
    ];

    /// <summary>Whether footage <c>id</c> (of <paramref name="ids"/>) is at a level <paramref name="clearance"/> sees.</summary>
    private async Task<Func<string, bool>> SeenAsync(string unitId, IReadOnlyCollection<string> ids, Clearance clearance, CancellationToken cancellationToken)
    {
        if (clearance.SeesEverything)
        {
            return _ => true;
        }

        var found = await footage.ByIdsAsync(unitId, [.. ids.Distinct(StringComparer.Ordinal)], cancellationToken);
        return id => found.TryGetValue(id, out var record) && clearance.Sees(record.Classification);
    }

    private static string FootageId(AuditEvent entry) => entry.Target.StartsWith("footage/", StringComparison.Ordinal) ? entry.Target["footage/".Length..] : entry.Target;

    private static FootageFinding Finding(FootageRecord record, string detail) => new(record.Id, record.OfficerId, record.DeviceId, record.CorrectedStart, detail);

    /// <summary>One row per finding: section, subject, officer, device, time, detail.</summary>
    public static string ToCsv(Compliance report)
    {
        var rows = new List<string[]> { CsvHeader };
        string Time(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);
        string Gaps(ActivityFinding a) => string.Join("; ", a.Gaps.Select(g => $"{Time(g.From)}..{Time(g.To)}"));
        rows.AddRange(report.MissingRecordings.Select(a => new[] { "missing recording", a.ActivityId, string.Join(" ", a.Officers), "", Time(a.Start), AvCloudJson.Name(a.Kind) }));
        rows.AddRange(report.CoverageGaps.Select(a => new[]
        {
            "coverage gap", a.ActivityId, string.Join(" ", a.Officers), "", Time(a.Start),
            string.Create(CultureInfo.InvariantCulture, $"covered {a.CoveredRatio:P0}; gaps {Gaps(a)}{(a.ExplainedByWorkRecord ? "; explained by an approved work record" : "")}{(a.Withheld > 0 ? $"; {a.Withheld} classified recordings not shown" : "")}"),
        }));
        rows.AddRange(report.LateUploads.Select(l => new[] { "late upload", string.Join(" ", l.FootageIds), l.OfficerId, "", "", string.Create(CultureInfo.InvariantCulture, $"{l.Count} late") }));
        rows.AddRange(report.Unlinked.Select(f => Row("unlinked recording", f)));
        rows.AddRange(report.DeviceMismatches.Select(f => Row("device mismatch", f)));
        rows.AddRange(report.IntegrityFailures.Select(f => Row("integrity failure", f)));
        rows.AddRange(report.PreservationCorrections.Select(c => new[] { "preservation corrected", c.FootageId, "", "", Time(c.At), c.Correction }));
        rows.AddRange(report.StorageOnlyHolds.Select(d => new[] { "storage-only hold", d.FootageId, "", "", Time(d.At), $"{d.Copy}: {d.Discrepancy}" }));
        rows.AddRange(report.LinksIssued.Select(l => new[]
        {
            "links issued", string.Join(" ", l.Requests), l.Requester, "", "",
            string.Create(CultureInfo.InvariantCulture, $"{l.Links} {l.Mode} links to {l.Recordings} recordings"),
        }));
        rows.Add(["links", "manifest", "", "", "", string.Create(CultureInfo.InvariantCulture, $"{report.Links.ByManifest} of {report.Links.Recordings} ({report.Links.ManifestShare:P0})")]);
        rows.Add(["links", "rule", "", "", "", string.Create(CultureInfo.InvariantCulture, $"{report.Links.ByRule} of {report.Links.Recordings} ({report.Links.RuleShare:P0})")]);
        rows.Add(["links", "keeper", "", "", "", string.Create(CultureInfo.InvariantCulture, $"{report.Links.ByKeeper} of {report.Links.Recordings} ({report.Links.KeeperShare:P0})")]);
        rows.Add(["links", "unlinked", "", "", "", string.Create(CultureInfo.InvariantCulture,
            $"{report.Links.Unlinked} of {report.Links.Recordings} ({report.Links.UnlinkedShare:P0}); {report.Links.Undecided} wait for a keeper's decision")]);
        rows.AddRange(report.Shares.Select(a => new[]
        {
            "external share", a.ShareId, a.Recipient, "", "",
            string.Create(CultureInfo.InvariantCulture,
                $"{a.Organisation}; made by {a.CreatedBy ?? "-"}; approved by {a.ApprovedBy ?? "-"}; revoked by {a.RevokedBy ?? "-"}; {a.Opens} opens, {a.Plays} plays of {a.Recordings} recordings, {a.Downloads} package downloads; {a.WrongPasscodes} wrong passcodes, {a.Locks} locks"),
        }));
        rows.Add(["pending", "disposals", "", "", "", report.Pending.DisposalsPending.ToString(CultureInfo.InvariantCulture)]);
        rows.Add(["pending", "holds", "", "", "", report.Pending.FootageHeld.ToString(CultureInfo.InvariantCulture)]);
        rows.Add(["pending", "access requests", "", "", "", report.Pending.AccessRequestsPending.ToString(CultureInfo.InvariantCulture)]);
        rows.AddRange(report.Articles is { } found ? ArticleChecks.CsvRows(found) : []);
        return string.Join("\r\n", rows.Select(r => string.Join(',', r.Select(Quote)))) + "\r\n";

        string[] Row(string section, FootageFinding f) => [section, f.FootageId, f.OfficerId, f.DeviceId, Time(f.Start), f.Detail];
    }

    private static readonly string[] CsvHeader = ["section", "subject", "officer", "device", "time", "detail"];

    private static readonly char[] CsvSpecial = [',', '"', '\r', '\n'];

    // RFC 4180, and a leading =, +, - or @ is neutralised so a spreadsheet never runs a cell as a formula.
    private static string Quote(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.IndexOfAny(CsvSpecial) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
