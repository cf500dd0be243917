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
public sealed record FootageRecord
{
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

    /// <summary>Art. 13: the recording's end (the activity's, once activities exist) plus 24 hours.</summary>
    public required DateTimeOffset HandoverDeadline { get; init; }

    /// <summary>Whether the recorder was docked by the deadline; false is a late upload.</summary>
    public required bool HandedOverInTime { get; init; }

    public required double DockedToCataloguedSeconds { get; init; }

    public string? ActivityId { get; init; }

    /// <summary>The linked activity's kind: it counts as a retention category (a unit may keep hearings longer, say).</summary>
    public Activities.ActivityKind? ActivityKind { get; init; }

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

public sealed record PreservationHold(
    string Id,
    HoldReason Reason,
    string? ReasonText,
    string CaseName,
    string CaseNumber,
    string RequestedBy,
    string PlacedBy,
    DateTimeOffset PlacedAt);

public sealed record ClassificationChange(Classification From, string Reason, string ChangedBy, DateTimeOffset ChangedAt);

public sealed record IntegrityFailure(DateTimeOffset DetectedAt, string Sha256Found, long SizeFound);

public sealed record PreservationCopy(string Account, string BlobName, string Sha256, DateTimeOffset VerifiedAt);

/// <summary>One upload that delivered this content.</summary>
public sealed record FootageUpload(string SessionId, string FileName, string DockId, string DeviceId, string OfficerId, DateTimeOffset DockedAt, DateTimeOffset CataloguedAt);
