using AvCloud.Functions.Identity;

namespace AvCloud.Functions.Activities;

/// <summary>Arts. 6 and 8: the kinds of enforcement activity; the unit's settings say which must be recorded.</summary>
public enum ActivityKind
{
    OnSiteEnforcement,
    Investigation,
    Hearing,
    ServiceByLeaving,
    ServiceByNotice,
    Other,
}

/// <summary>
/// An enforcement activity, in the <c>activities</c> container (partition <c>/unitId</c>). Recordings link to it (by the
/// dock manifest, AvCloud's rule or the keeper; see <see cref="Footage.ActivityLinker"/>), which sets their handover deadline (the activity's end + 24 hours) and lets the
/// activity's kind count as a retention category.
/// </summary>
public sealed record Activity : Audit.IAudited<Activity>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public Activity WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "activity";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required ActivityKind Kind { get; init; }

    public required IReadOnlyList<string> Officers { get; init; }

    public required string Place { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public string? CaseName { get; init; }

    public string? CaseNumber { get; init; }

    /// <summary>The dock uploads recordings of urgent activities first.</summary>
    public bool Urgent { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// A keeper's correction of the span or the officers (what is not given stays), checked as a new activity is. The
    /// rule then links the activity's recordings again (Arts. 5 and 8).
    /// </summary>
    public Outcome<Activity> Change(IReadOnlyList<string>? officers, DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        var (from, to) = ((start ?? Start).ToUniversalTime(), (end ?? End).ToUniversalTime());
        CheckSpan(from, to, now, errors);
        if (officers is not null)
        {
            CheckOfficers(officers, errors);
        }

        if (errors.Count > 0)
        {
            return Refusal.Invalid(errors);
        }

        var changed = this with { Start = from, End = to, Officers = officers is null ? Officers : [.. officers.Distinct(StringComparer.Ordinal)] };
        return changed.Start == Start && changed.End == End && changed.Officers.SequenceEqual(Officers, StringComparer.Ordinal)
            ? Refusal.Conflict("The activity already has that span and those officers.", "unchanged")
            : changed;
    }

    /// <summary>An activity's span: the end is not before the start, it lasts at most 7 days and starts at most 30 days ahead.</summary>
    public static void CheckSpan(DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (start is not { } from || end is not { } to || to < from || to - from > TimeSpan.FromDays(7))
        {
            errors["end"] = ["Give the start and the end; the end is not before the start, and an activity lasts at most 7 days."];
        }
        else if (from > now.AddDays(30))
        {
            errors["start"] = ["An activity starts at most 30 days ahead."];
        }
    }

    /// <summary>An activity's officers: 1 to 20, by id.</summary>
    public static void CheckOfficers(IReadOnlyList<string>? officers, Dictionary<string, string[]> errors)
    {
        if (officers is not { Count: > 0 and <= 20 } named || !named.All(Http.Fields.IsId))
        {
            errors["officers"] = ["Name 1 to 20 officers by id (letters, digits, '.', '_' or '-')."];
        }
    }

    /// <summary>Art. 12: a work record is filed by an officer of the activity.</summary>
    public Outcome<Activity> AcceptsWorkRecordFrom(Caller caller) =>
        Officers.Contains(caller.UserId)
            ? this
            : Refusal.Forbidden("Not your activity.", "Work records are filed by the officers of the activity.", "not an officer of the activity");

    /// <summary>Art. 13: the activity took place away from the unit (remote, on water, out of town, or back to back).</summary>
    public bool Away { get; init; }

    /// <summary>Art. 13: when the officers of an activity away from the unit returned to it.</summary>
    public DateTimeOffset? ReturnedAt { get; init; }

    /// <summary>
    /// Art. 13: from when the handover allowance runs: the activity's end, or for one away from the unit the officers'
    /// return ("在返回单位后24小时内予以储存"), once it is recorded.
    /// </summary>
    public DateTimeOffset HandoverFrom => Away && ReturnedAt is { } returned ? returned : End;

    /// <summary>Arts. 8 to 11: what the recording of the activity showed, as its officers or the keeper recorded it.</summary>
    public ActivityConduct? Conduct { get; init; }

    /// <summary>Arts. 8 to 11: recorded by an officer of the activity, the keeper or the head; a later account replaces an earlier one (the audit trail keeps both).</summary>
    public Outcome<Activity> RecordConduct(Caller caller, ActivityConduct conduct) =>
        Officers.Contains(caller.UserId) || caller.HasRole(Roles.Keeper) || caller.HasRole(Roles.Head)
            ? this with { Conduct = conduct }
            : Refusal.Forbidden("Not your activity.", "What an activity's recording showed is recorded by its officers, the keeper or the head.", "not an officer of the activity");

    /// <summary>
    /// Art. 13: marked as away from the unit, with when its officers returned: not before the activity ended, not in the
    /// future, within 30 days. Once recorded, the return stays (the deadlines of its recordings were judged on it).
    /// </summary>
    public Outcome<Activity> ReturnedToUnit(DateTimeOffset at, DateTimeOffset now) => this switch
    {
        { ReturnedAt: { } returned } when returned != at => Refusal.Conflict($"The return was recorded already ({returned:O}).", "return already recorded"),
        _ when at < End => Refusal.Invalid("returnedAt", "The officers return after the activity ends."),
        _ when at > now.AddMinutes(5) => Refusal.Invalid("returnedAt", "The return cannot be in the future."),
        _ when at - End > TimeSpan.FromDays(30) => Refusal.Invalid("returnedAt", "The return is at most 30 days after the activity."),
        _ => this with { Away = true, ReturnedAt = at },
    };
}

/// <summary>
/// Arts. 8 to 11: what the recording of an activity showed: the spoken opening statement (Art. 8: purpose, task,
/// officers); that the party was told it was being recorded, and in which words (Art. 9: the unit's standard wording);
/// the parties and the evidence items recorded (Art. 10); whether the evidence and key moments were photographed (Art. 11).
/// </summary>
public sealed record ActivityConduct(bool OpeningStatement, bool PartyInformed, string? Wording, bool StandardWording, IReadOnlyList<string> Parties,
    IReadOnlyList<string> EvidenceItems, bool KeyMomentsPhotographed, string RecordedBy, DateTimeOffset RecordedAt)
{
    /// <summary>The articles whose requirement this account shows unmet: art8, art9 (not told, or not in the standard words), art10 (no party), art11.</summary>
    public IReadOnlyList<string> Missing =>
    [
        .. OpeningStatement ? Array.Empty<string>() : ["art8"],
        .. PartyInformed && StandardWording ? Array.Empty<string>() : ["art9"],
        .. Parties.Count > 0 ? Array.Empty<string>() : ["art10"],
        .. KeyMomentsPhotographed ? Array.Empty<string>() : ["art11"],
    ];

    /// <summary>An activity with no account at all misses every one of them.</summary>
    public static IReadOnlyList<string> NotRecorded { get; } = ["art8", "art9", "art10", "art11"];
}

/// <summary>A stretch of an activity no linked recording covers.</summary>
public sealed record Gap(DateTimeOffset From, DateTimeOffset To)
{
    public double Seconds => (To - From).TotalSeconds;
}

/// <summary>How much of an activity's start-to-end span its recordings cover, and the gaps.</summary>
public sealed record Coverage(double SpanSeconds, double CoveredSeconds, IReadOnlyList<Gap> Gaps)
{
    /// <summary>Covered share of the span, 0 to 1 (1 for an activity of no length).</summary>
    public double Ratio => SpanSeconds <= 0 ? 1 : CoveredSeconds / SpanSeconds;

    /// <summary>
    /// Art. 8: the activity from <paramref name="start"/> to <paramref name="end"/> against recordings that may overlap,
    /// start before it or run past it. Overlaps count once; what lies outside the span does not count.
    /// </summary>
    public static Coverage Of(DateTimeOffset start, DateTimeOffset end, IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> recordings)
    {
        var gaps = new List<Gap>();
        var covered = TimeSpan.Zero;
        var cursor = start;
        foreach (var (from, to) in recordings.Select(r => (From: Max(r.Start, start), To: Min(r.End, end))).Where(r => r.To > r.From).OrderBy(r => r.From))
        {
            if (from > cursor)
            {
                gaps.Add(new Gap(cursor, from));
            }

            if (to > cursor)
            {
                covered += to - Max(from, cursor);
                cursor = to;
            }
        }

        if (cursor < end)
        {
            gaps.Add(new Gap(cursor, end));
        }

        return new Coverage(Math.Max(0, (end - start).TotalSeconds), covered.TotalSeconds, gaps);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>Art. 12: why recording stopped or never started.</summary>
public enum WorkRecordReason
{
    /// <summary>Device fault or damage, low battery or full storage.</summary>
    DeviceFault,

    /// <summary>Bad weather or other natural causes.</summary>
    BadWeather,

    /// <summary>The person concerned or others obstructed the enforcement.</summary>
    Obstruction,

    /// <summary>Other force majeure.</summary>
    ForceMajeure,
}

public enum WorkRecordStatus
{
    Pending,
    Approved,
    Rejected,
}

/// <summary>
/// Art. 12: an officer's written account of why an activity was not (fully) recorded, approved or rejected by the unit
/// head. Approved records are archived like footage: an immutable copy in the footage store, kept for the retention
/// period, with its SHA-256.
/// </summary>
public sealed record WorkRecord : Audit.IAudited<WorkRecord>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public WorkRecord WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "workRecord";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string ActivityId { get; init; }

    public required string OfficerId { get; init; }

    public required WorkRecordReason Reason { get; init; }

    public required string Explanation { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    public WorkRecordStatus Status { get; init; } = WorkRecordStatus.Pending;

    public string? DecidedBy { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public string? DecisionReason { get; init; }

    /// <summary>The archived copy in the footage store, once approved.</summary>
    public string? ArchiveBlob { get; init; }

    public string? ArchiveSha256 { get; init; }

    /// <summary>Art. 12: approved by the unit head, never by the officer who filed it, and only while pending.</summary>
    public Outcome<WorkRecord> Approve(Caller caller, string? reason, DateTimeOffset at) =>
        Decidable(caller).Then(r => r with { Status = WorkRecordStatus.Approved, DecidedBy = caller.UserId, DecidedAt = at, DecisionReason = reason });

    /// <summary>The approved record with its archived copy in the footage store.</summary>
    public Outcome<WorkRecord> Archived(Caller caller, string? reason, DateTimeOffset at, string blobName, string sha256) =>
        Approve(caller, reason, at).Then(r => r with { ArchiveBlob = blobName, ArchiveSha256 = sha256 });

    /// <summary>Art. 12: rejected by the unit head with the reason, never by the officer who filed it, and only while pending.</summary>
    public Outcome<WorkRecord> Reject(Caller caller, string reason, DateTimeOffset at) =>
        Decidable(caller).Then(r => r with { Status = WorkRecordStatus.Rejected, DecidedBy = caller.UserId, DecidedAt = at, DecisionReason = reason });

    private Outcome<WorkRecord> Decidable(Caller caller) => this switch
    {
        _ when OfficerId == caller.UserId => Refusal.Forbidden("Not yours to decide.", "Nobody decides their own work record.", "own work record"),
        { Status: WorkRecordStatus.Pending } => this,
        _ => Refusal.Conflict($"The work record is already {AvCloudJson.Name(Status)}.", $"work record is {AvCloudJson.Name(Status)}"),
    };
}
