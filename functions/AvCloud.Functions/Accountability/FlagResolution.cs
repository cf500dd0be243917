using AvCloud.Functions.Footage;

namespace AvCloud.Functions.Accountability;

/// <summary>Art. 5: how the keeper settled a recording that looked unrelated to work.</summary>
public enum FlagResolutionKind
{
    /// <summary>Work after all, for the reason given (a test recording, say, or an activity that was never entered).</summary>
    Explained,

    /// <summary>Linked to the activity it belongs to.</summary>
    Linked,

    /// <summary>Possible misuse of the recorder (Art. 18, item 3): referred for a misconduct case.</summary>
    ReferredForMisconduct,
}

/// <summary>
/// Art. 5: "禁止摄录存储与工作无关的内容，禁止在非执法工作中使用执法记录仪". A recording linked to no activity, or made while
/// its device was checked out to nobody, is flagged; the keeper resolves it once, with a reason. Kept in the
/// <c>activities</c> container (id <c>{footageId}.resolution</c>, so a recording is resolved at most once).
/// </summary>
public sealed record FlagResolution : Audit.IAudited<FlagResolution>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public FlagResolution WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "flagResolution";

    public const string Unlinked = "unlinked";

    public const string NotCheckedOut = "notCheckedOut";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string FootageId { get; init; }

    /// <summary>What the recording was flagged for when it was resolved (<see cref="Unlinked"/>, <see cref="NotCheckedOut"/>).</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    public required FlagResolutionKind Resolution { get; init; }

    public required string Reason { get; init; }

    /// <summary>The activity it was linked to, for <see cref="FlagResolutionKind.Linked"/>.</summary>
    public string? ActivityId { get; init; }

    /// <summary>The Art. 18 misconduct case it was referred to, when one is named.</summary>
    public string? MisconductCaseId { get; init; }

    public required string ResolvedBy { get; init; }

    public required DateTimeOffset ResolvedAt { get; init; }

    public static string IdFor(string footageId) => $"{footageId}.resolution";

    /// <summary>Art. 5: why <paramref name="record"/> may be unrelated to work; none when it is not flagged.</summary>
    public static IReadOnlyList<string> FlagsOf(FootageRecord record) =>
    [
        .. record.ActivityId is null ? [Unlinked] : Array.Empty<string>(),
        .. record.Attribution is { CheckedOut: false } ? [NotCheckedOut] : Array.Empty<string>(),
    ];

    /// <summary>
    /// Art. 5: the keeper's resolution of a flagged recording. A recording that is not flagged has nothing to resolve,
    /// and only one linked to no activity can be resolved by linking it.
    /// </summary>
    public static Outcome<FlagResolution> Of(FootageRecord record, FlagResolutionKind resolution, string reason, string? activityId, string? misconductCaseId, string by,
        DateTimeOffset at)
    {
        var flags = FlagsOf(record);
        if (flags.Count == 0 || record.Status is FootageStatus.Purged or FootageStatus.Quarantined)
        {
            return Refusal.Conflict("The recording is not flagged (it is linked to an activity and was made while its device was checked out).", "not flagged");
        }

        if (resolution == FlagResolutionKind.Linked && !flags.Contains(Unlinked))
        {
            return Refusal.Conflict("The recording is already linked to an activity; explain it or refer it instead.", "already linked");
        }

        return new FlagResolution
        {
            Id = IdFor(record.Id),
            UnitId = record.UnitId,
            FootageId = record.Id,
            Flags = flags,
            Resolution = resolution,
            Reason = reason,
            ActivityId = resolution == FlagResolutionKind.Linked ? activityId : null,
            MisconductCaseId = misconductCaseId,
            ResolvedBy = by,
            ResolvedAt = at,
        };
    }
}
