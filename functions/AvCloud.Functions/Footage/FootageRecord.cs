using AvCloud.Functions.Access;
using AvCloud.Functions.Ingest;

namespace AvCloud.Functions.Footage;

public enum FootageStatus
{
    Available,
    Quarantined,

    /// <summary>Art. 15: past its retention date with no hold; waits for the keeper's review.</summary>
    DisposalPending,

    /// <summary>Approved for purging; the head can still cancel until the recovery window ends.</summary>
    DisposalApproved,

    /// <summary>The blob is deleted; the record stays as a tombstone (id, hash, size, times, who approved).</summary>
    Purged,
}

/// <summary>Arts. 5 and 8: how a recording came to be linked to its activity (or, for the keeper, to none).</summary>
public enum LinkMethod
{
    /// <summary>The dock's manifest named the activity.</summary>
    Manifest,

    /// <summary>AvCloud's rule: the one activity of the recording's officer (by the ledger) whose span overlaps it.</summary>
    Rule,

    /// <summary>A keeper decided, with a reason (a link, a relink, or no activity at all).</summary>
    Keeper,
}

/// <summary>Where a record stands in disposal review.</summary>
public sealed record Disposal(
    DateTimeOffset PendingSince,
    string? ApprovedBy = null,
    DateTimeOffset? ApprovedAt = null,
    DateTimeOffset? PurgeAfter = null,
    DateTimeOffset? PurgedAt = null);

/// <summary>
/// The catalogue record of one recording, in the <c>footage</c> container (partition <c>/unitId</c>). Its id is the
/// content's SHA-256, so the same content uploaded twice is one record, with both uploads noted.
/// </summary>
public sealed record FootageRecord : Audit.IAudited<FootageRecord>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public FootageRecord WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "footage";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string Sha256 { get; init; }

    public required long Size { get; init; }

    public required MediaKind Kind { get; init; }

    /// <summary>Name in the <c>footage</c> container: <c>{unit}/{yyyy}/{MM}/{sha256}.{ext}</c>.</summary>
    public required string BlobName { get; init; }

    public required string DeviceId { get; init; }

    public required string OfficerId { get; init; }

    public required string DockId { get; init; }

    /// <summary>As the device reported them (its clock may drift).</summary>
    public required DateTimeOffset RecordedStart { get; init; }

    public required DateTimeOffset RecordedEnd { get; init; }

    public required double ClockDriftSeconds { get; init; }

    /// <summary>Corrected by the drift measured at docking (Art. 7).</summary>
    public required DateTimeOffset CorrectedStart { get; init; }

    public required DateTimeOffset CorrectedEnd { get; init; }

    public required DateTimeOffset DockedAt { get; init; }

    public required DateTimeOffset CataloguedAt { get; init; }

    /// <summary>Art. 13: the end of the recording, or of the activity it is linked to, plus the handover allowance (24 hours).</summary>
    public required DateTimeOffset HandoverDeadline { get; init; }

    /// <summary>Whether the recorder was docked by the deadline; false is a late upload.</summary>
    public required bool HandedOverInTime { get; init; }

    public required double DockedToCataloguedSeconds { get; init; }

    public string? ActivityId { get; init; }

    /// <summary>The linked activity's kind: it counts as a retention category (a unit may keep hearings longer, say).</summary>
    public Activities.ActivityKind? ActivityKind { get; init; }

    /// <summary>
    /// How the link (or a keeper's "no activity") was made; null while nothing decided it. A rule never overrides a
    /// manifest's or a keeper's decision.
    /// </summary>
    public LinkMethod? LinkedBy { get; init; }

    /// <summary>Art. 5: the activities the rule found when more than one fits; the keeper decides (empty otherwise).</summary>
    public IReadOnlyList<string> LinkCandidates { get; init; } = [];

    /// <summary>Art. 4 and 18: the device's holder by the ledger when this was recorded, and whether that is the officer the dock reported.</summary>
    public Devices.Attribution? Attribution { get; init; }

    /// <summary>Art. 14: none, privacy, tradeSecret or stateSecret. New footage is unclassified.</summary>
    public Classification Classification { get; init; } = Classification.None;

    /// <summary>Why it was classified, by whom and when (null while unclassified).</summary>
    public ClassificationChange? ClassificationChange { get; init; }

    /// <summary>
    /// The labels a reviewer searches by (activity, case names and numbers of its holds), lower-cased in one string so
    /// a single CONTAINS finds them. Worked out from the record on every write, so it cannot fall out of step.
    /// </summary>
    public string LabelText => string.Join(" | ", new[] { ActivityId }.Concat(Holds.SelectMany(h => new[] { h.CaseName, h.CaseNumber }))
        .Where(label => !string.IsNullOrWhiteSpace(label))).ToLowerInvariant();

    /// <summary>Art. 15: storage refuses deletion before this date (the blob's immutability policy).</summary>
    public required DateTimeOffset RetentionUntil { get; init; }

    /// <summary>
    /// Art. 15: the unit's record categories this footage belongs to (the "default" period always applies too); the
    /// longest period among them sets <see cref="RetentionUntil"/>.
    /// </summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>A keeper's decision to keep the footage at least this long, whatever its categories later say.</summary>
    public DateTimeOffset? RetentionExtendedUntil { get; init; }

    public FootageStatus Status { get; init; } = FootageStatus.Available;

    public MediaFacts? Media { get; init; }

    public required IReadOnlyList<FootageUpload> Uploads { get; init; }

    /// <summary>Art. 16: active preservation holds; the footage stays held until the last one is released.</summary>
    public IReadOnlyList<PreservationHold> Holds { get; init; } = [];

    public Disposal? Disposal { get; init; }

    /// <summary>Art. 18: when the stored bytes were last re-hashed and found intact (cataloguing counts as the first time).</summary>
    public DateTimeOffset? LastVerifiedAt { get; init; }

    /// <summary>Set when a re-hash found different bytes; never cleared or repaired by the app.</summary>
    public IntegrityFailure? IntegrityFailure { get; init; }

    /// <summary>The second copy in the preservation account, once a hold has made it.</summary>
    public PreservationCopy? SecondCopy { get; init; }

    /// <summary>Whether the bytes are still kept (neither purged nor quarantined).</summary>
    public bool IsStored => Status is not (FootageStatus.Purged or FootageStatus.Quarantined);

    private Refusal NotStored(string what) =>
        Refusal.Conflict($"The footage is {AvCloudJson.Name(Status)}; {what}", $"footage is {AvCloudJson.Name(Status)}");

    /// <summary>Art. 16: one more hold, with the verified second copy it has made (null: the check before the copy is made). Only stored footage is held.</summary>
    public Outcome<FootageRecord> PlaceHold(PreservationHold hold, PreservationCopy? copy) => this switch
    {
        { IsStored: false } => NotStored("there is nothing to hold."),
        _ when Holds.Any(h => h.Id == hold.Id) => Refusal.Conflict("The footage is already held under this hold.", "already held"),
        _ => this with { Holds = [.. Holds, hold], SecondCopy = copy ?? SecondCopy },
    };

    /// <summary>
    /// Art. 16: one hold released; the footage stays held until the last one goes. A hold a case placed goes only with
    /// that case's hold (<paramref name="byCase"/> names the case releasing it), never on its own.
    /// </summary>
    public Outcome<FootageRecord> ReleaseHold(string holdId, string? byCase = null) => Holds.FirstOrDefault(h => h.Id == holdId) switch
    {
        null => Refusal.NotFound("No such footage or hold in your unit."),
        { CaseId: { } caseId } when caseId != byCase => Refusal.Conflict($"The hold was placed on case {caseId}: it is released with the case's hold.", "placed by a case"),
        _ => this with { Holds = [.. Holds.Where(h => h.Id != holdId)] },
    };

    /// <summary>
    /// Art. 16: the head may release a legal hold that storage keeps on this footage or its second copy but no hold of the
    /// record asks for (reconciliation reports it, never releases it). While the record holds the footage, its holds are
    /// released one by one instead.
    /// </summary>
    public Outcome<FootageRecord> AllowsStorageHoldRelease() => this switch
    {
        { Holds.Count: > 0 } => Refusal.Conflict("The record holds this footage: release its holds one by one (DELETE .../holds/{holdId}).", "held by the record"),
        { Status: FootageStatus.Purged } => NotStored("there is nothing held in storage."),
        _ => this,
    };

    /// <summary>Art. 14: raising the level takes effect at once; lowering it needs the head.</summary>
    public Outcome<FootageRecord> Classify(Classification level, string reason, Identity.Caller caller, DateTimeOffset at) =>
        level < Classification && !caller.HasRole(Identity.Roles.Head)
            ? Refusal.Forbidden("Needs the head.", "Lowering a classification needs the head; the keeper can only raise it.", "lowering needs the head")
            : this with { Classification = level, ClassificationChange = new ClassificationChange(Classification, reason, caller.UserId, at) };

    /// <summary>
    /// Linked to <paramref name="activity"/> <paramref name="by"/> the manifest or a keeper: Art. 13's deadline becomes the
    /// activity's end plus <paramref name="allowance"/>, judged against when AvCloud first received the recording. A
    /// tombstone links to nothing.
    /// </summary>
    public Outcome<FootageRecord> LinkTo(Activities.Activity activity, TimeSpan allowance, LinkMethod by)
    {
        if (Status == FootageStatus.Purged)
        {
            return Refusal.NotFound("No such footage in your unit.");
        }

        // Art. 13: away from the unit, the allowance runs from the officers' return (Activity.HandoverFrom).
        var deadline = activity.HandoverFrom + allowance;
        return this with
        {
            ActivityId = activity.Id,
            ActivityKind = activity.Kind,
            LinkedBy = by,
            LinkCandidates = [],
            HandoverDeadline = deadline,
            HandedOverInTime = Uploads.Min(u => u.HandedOverAt) <= deadline,
        };
    }

    /// <summary>
    /// Art. 5, by a keeper with a reason: linked to no activity, a decision the rule then leaves alone. The deadline goes
    /// back to the recording's own end plus <paramref name="allowance"/>. Refused when nothing is linked or waiting for a decision.
    /// </summary>
    public Outcome<FootageRecord> Unlink(TimeSpan allowance) => this switch
    {
        { Status: FootageStatus.Purged } => Refusal.NotFound("No such footage in your unit."),
        { ActivityId: null, LinkCandidates.Count: 0 } => Refusal.Conflict("The recording is linked to no activity and waits for no decision.", "not linked"),
        _ => Unlinked(allowance) with { LinkedBy = LinkMethod.Keeper },
    };

    /// <summary>
    /// Arts. 5 and 8, by AvCloud's rule: <paramref name="candidates"/> are the activities of the recording's officer whose
    /// span overlaps it. One links it; none leaves it unlinked (undoing an earlier rule link that no longer fits); two or
    /// more leave it unlinked with the candidates, for the keeper to decide. A manifest's or keeper's decision is never
    /// overridden, and a rule that would change nothing is refused, so repeating it writes nothing.
    /// </summary>
    public Outcome<FootageRecord> LinkByRule(IReadOnlyList<Activities.Activity> candidates, TimeSpan allowance)
    {
        if (LinkedBy is LinkMethod.Manifest or LinkMethod.Keeper)
        {
            return Refusal.Conflict($"Linked by the {AvCloudJson.Name(LinkedBy.Value)}: a rule never overrides it.", $"linked by {AvCloudJson.Name(LinkedBy.Value)}");
        }

        if (!IsStored)
        {
            return NotStored("it is not linked by rule.");
        }

        var next = candidates.Count switch
        {
            1 => LinkTo(candidates[0], allowance, LinkMethod.Rule).Value!,
            0 => Unlinked(allowance),
            _ => Unlinked(allowance) with { LinkCandidates = [.. candidates.Select(a => a.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] },
        };
        return next.ActivityId == ActivityId && next.LinkedBy == LinkedBy && next.LinkCandidates.SequenceEqual(LinkCandidates, StringComparer.Ordinal)
            ? Refusal.Conflict("The rule changes nothing.", "unchanged")
            : next;
    }

    private FootageRecord Unlinked(TimeSpan allowance)
    {
        var deadline = CorrectedEnd + allowance;
        return this with
        {
            ActivityId = null,
            ActivityKind = null,
            LinkedBy = null,
            LinkCandidates = [],
            HandoverDeadline = deadline,
            HandedOverInTime = Uploads.Min(u => u.HandedOverAt) <= deadline,
        };
    }

    /// <summary>
    /// Art. 15: the categories and the retention date worked out from them. Footage kept longer leaves disposal review;
    /// footage whose date has now passed waits for the next sweep.
    /// </summary>
    public Outcome<FootageRecord> Retain(IReadOnlyList<string> categories, DateTimeOffset until, DateTimeOffset now) =>
        IsStored
            ? this with
            {
                Categories = categories,
                RetentionUntil = until,
                Status = until > now && Status is FootageStatus.DisposalPending or FootageStatus.DisposalApproved ? FootageStatus.Available : Status,
                Disposal = until > now ? null : Disposal,
            }
            : NotStored("it has no retention date to change.");

    /// <summary>Art. 15: a keeper keeps it at least until <paramref name="until"/>, later than its current date; it leaves disposal review.</summary>
    public Outcome<FootageRecord> ExtendRetention(DateTimeOffset until) => this switch
    {
        { IsStored: false } => NotStored("it has no retention date to extend."),
        _ when until <= RetentionUntil => Refusal.Invalid("until", "Retention can only be extended: the new date must be later than the current one."),
        _ => this with { RetentionUntil = until, RetentionExtendedUntil = until, Status = FootageStatus.Available, Disposal = null },
    };

    /// <summary>
    /// Art. 13: the handover deadline judged again from its activity's <see cref="Activities.Activity.HandoverFrom"/> (the
    /// officers' return, for an activity away from the unit), the link itself unchanged. Only a recording still linked to
    /// <paramref name="activity"/> is judged by it.
    /// </summary>
    public Outcome<FootageRecord> HandoverJudgedBy(Activities.Activity activity, TimeSpan allowance) => this switch
    {
        { Status: FootageStatus.Purged } => Refusal.NotFound("No such footage in your unit."),
        _ when ActivityId != activity.Id => Refusal.Conflict("The recording is linked to another activity now.", "linked elsewhere"),
        _ => this with
        {
            HandoverDeadline = activity.HandoverFrom + allowance,
            HandedOverInTime = Uploads.Min(u => u.HandedOverAt) <= activity.HandoverFrom + allowance,
        },
    };

    /// <summary>Art. 15, by the sweep: past its retention date with no hold, it waits for the keeper's review.</summary>
    public Outcome<FootageRecord> OfferForDisposal(DateTimeOffset now) => this switch
    {
        { Status: not FootageStatus.Available } => NotStored("only available footage is offered for disposal."),
        { Holds.Count: > 0 } => Refusal.Conflict("Held footage is kept whatever its date (Art. 16).", "held"),
        _ when RetentionUntil > now => Refusal.Conflict($"The footage is kept until {RetentionUntil:O}.", "retention date not reached"),
        _ => this with { Status = FootageStatus.DisposalPending, Disposal = new Disposal(now) },
    };

    /// <summary>
    /// Art. 15: the keeper approves purging; the head can cancel until <paramref name="window"/> has passed. Arts. 12 and
    /// 17: nobody approves the disposal of a recording they made (the officer of the record or of any upload of it),
    /// whatever roles they hold at once.
    /// </summary>
    public Outcome<FootageRecord> ApproveDisposal(Identity.Caller caller, DateTimeOffset now, TimeSpan window) => this switch
    {
        _ when RecordedBy(caller.UserId) => Refusal.Forbidden("Not your own recording.",
            "Nobody approves the disposal of a recording they made; another keeper decides.", "own recording"),
        { Holds.Count: > 0 } => Refusal.Conflict("The footage is held (Art. 16): it is not disposed of while any hold stands.", "held"),
        { Status: FootageStatus.DisposalPending, Disposal: { } disposal } => this with
        {
            Status = FootageStatus.DisposalApproved,
            Disposal = disposal with { ApprovedBy = caller.UserId, ApprovedAt = now, PurgeAfter = now + window },
        },
        _ => InOtherStep(),
    };

    /// <summary>Whether <paramref name="userId"/> made this recording: the officer the record names, or the officer of any of its uploads.</summary>
    public bool RecordedBy(string userId) => OfficerId == userId || Uploads.Any(u => u.OfficerId == userId);

    /// <summary>Art. 15: the head cancels an approved disposal inside its recovery window; it goes back to review.</summary>
    public Outcome<FootageRecord> CancelDisposal(DateTimeOffset now) => this switch
    {
        { Status: FootageStatus.DisposalApproved, Disposal: { PurgeAfter: { } after } disposal } when after > now =>
            this with { Status = FootageStatus.DisposalPending, Disposal = new Disposal(disposal.PendingSince) },
        { Status: FootageStatus.DisposalApproved } => Refusal.Conflict("The recovery window has ended; the footage is being purged.", "recovery window ended"),
        _ => InOtherStep(),
    };

    /// <summary>An approved disposal that gained a hold meanwhile goes back to being available (Art. 16 wins).</summary>
    public Outcome<FootageRecord> BlockDisposal() =>
        Status == FootageStatus.DisposalApproved && Holds.Count > 0
            ? this with { Status = FootageStatus.Available, Disposal = null }
            : Refusal.Conflict("Only an approved disposal of held footage is blocked.", "not blocked");

    /// <summary>
    /// Art. 15: purged once its blob (and its second copy, which follows the footage's retention) is gone; the record stays
    /// as a tombstone (id, hash, size, times, who approved, when the second copy went).
    /// </summary>
    public Outcome<FootageRecord> Purge(DateTimeOffset now) => this switch
    {
        { Holds.Count: > 0 } => Refusal.Conflict("Held footage is never purged.", "held"),
        { Status: FootageStatus.DisposalApproved, Disposal: { } disposal } => this with
        {
            Status = FootageStatus.Purged,
            Media = null,
            Disposal = disposal with { PurgedAt = now },
            SecondCopy = SecondCopy is null ? null : SecondCopy with { PurgedAt = now },
        },
        _ => InOtherStep(),
    };

    /// <summary>Art. 18: the stored bytes were re-hashed; a mismatch is kept for good, never cleared or repaired.</summary>
    public FootageRecord Verified(DateTimeOffset at, long sizeFound, string sha256Found) =>
        sizeFound == Size && sha256Found == Sha256
            ? this with { LastVerifiedAt = at }
            : this with { LastVerifiedAt = at, IntegrityFailure = IntegrityFailure ?? new IntegrityFailure(at, sha256Found, sizeFound) };

    private Refusal InOtherStep() =>
        Refusal.Conflict("No footage in your unit is in that step of disposal.", $"footage is {AvCloudJson.Name(Status)}");
}

public enum HoldReason
{
    /// <summary>The person recorded disputes the enforcement or may complain.</summary>
    Dispute,

    /// <summary>Obstruction of, insults to or assault on officers.</summary>
    Obstruction,

    /// <summary>A major or sensitive case.</summary>
    MajorCase,

    /// <summary>Anything else, explained in text.</summary>
    Other,
}

/// <summary>
/// Art. 16: one hold on one recording. <paramref name="CaseId"/> names the case whose hold placed it (it goes when that
/// case hold is released); null for a hold placed on the recording itself.
/// </summary>
public sealed record PreservationHold(
    string Id,
    HoldReason Reason,
    string? ReasonText,
    string CaseName,
    string CaseNumber,
    string RequestedBy,
    string PlacedBy,
    DateTimeOffset PlacedAt,
    string? CaseId = null);

public sealed record ClassificationChange(Classification From, string Reason, string ChangedBy, DateTimeOffset ChangedAt);

public sealed record IntegrityFailure(DateTimeOffset DetectedAt, string Sha256Found, long SizeFound);

/// <summary>The second copy (Art. 16); <see cref="PurgedAt"/> is set when it was purged with the footage (Art. 15).</summary>
public sealed record PreservationCopy(string Account, string BlobName, string Sha256, DateTimeOffset VerifiedAt, DateTimeOffset? PurgedAt = null);

/// <summary>
/// One upload that delivered this content: the dock's claimed docking time, and AvCloud's own time of receipt (when the
/// session was opened), by which Art. 13's deadline is judged.
/// </summary>
public sealed record FootageUpload(string SessionId, string FileName, string DockId, string DeviceId, string OfficerId, DateTimeOffset DockedAt, DateTimeOffset CataloguedAt,
    DateTimeOffset? ReceivedAt = null)
{
    /// <summary>When AvCloud received it (uploads recorded before receipt times were kept fall back on the docking time).</summary>
    public DateTimeOffset HandedOverAt => ReceivedAt ?? DockedAt;
}
