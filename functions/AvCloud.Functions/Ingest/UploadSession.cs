using System.Text.Json.Serialization;

namespace AvCloud.Functions.Ingest;

public enum MediaKind
{
    Video,
    Audio,
    Photo,
}

public enum FileState
{
    /// <summary>Announced in the manifest; not uploaded yet.</summary>
    Awaiting,

    /// <summary>Committed to <c>ingest</c>; being verified.</summary>
    Received,

    /// <summary>Verified, copied to immutable storage and catalogued.</summary>
    Catalogued,

    /// <summary>Verified; the same content was already catalogued, and this upload is noted on that record.</summary>
    Duplicate,

    /// <summary>Size or SHA-256 did not match the manifest, or the file could not be read; moved to <c>quarantine</c>.</summary>
    Quarantined,

    /// <summary>The upload window closed without the file arriving (reported by <c>WatchUploads</c>).</summary>
    Missing,
}

/// <summary>
/// One docking's upload: what the dock announced (device, officer, clocks, files with sizes and hashes) and what has
/// become of each file. Stored in the <c>uploads</c> container, partition <c>/unitId</c>.
/// </summary>
public sealed record UploadSession : Audit.IAudited<UploadSession>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public UploadSession WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "uploadSession";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string DockId { get; init; }

    public required string DeviceId { get; init; }

    public required string OfficerId { get; init; }

    /// <summary>When the recorder was docked, by the dock's clock (trusted).</summary>
    public required DateTimeOffset DockedAt { get; init; }

    /// <summary>What the recorder's own clock said at that moment (Art. 7: the device clock may be wrong).</summary>
    public required DateTimeOffset DeviceClockAtDocking { get; init; }

    /// <summary>Dock clock minus device clock: add it to device times to correct them.</summary>
    public double ClockDriftSeconds { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public required string OpenedBy { get; init; }

    public required DateTimeOffset UploadExpiresAt { get; init; }

    /// <summary>Set once WatchUploads has reported files that never arrived.</summary>
    public bool MissingReported { get; init; }

    public required IReadOnlyList<UploadFile> Files { get; init; }

    [JsonIgnore]
    public TimeSpan ClockDrift => TimeSpan.FromSeconds(ClockDriftSeconds);

    /// <summary>The position of <paramref name="fileName"/> in the manifest (its status document is named by it).</summary>
    public int IndexOf(string fileName) => Files.Select((f, i) => (f.Name, i)).First(f => f.Name == fileName).i;

    /// <summary>Blob names in <c>ingest</c> start with the unit and session, so the catalogue finds both from the name.</summary>
    public static string IngestBlobName(string unitId, string sessionId, string fileName) => $"{unitId}/{sessionId}/{fileName}";
}

/// <summary>
/// Where one file of a session stands. Kept as a document of its own (id <c>{session}.{index}</c>) rather than inside
/// the session, so the files of a large docking are catalogued concurrently without contending for one document.
/// </summary>
public sealed record UploadFileStatus : Cosmos.IUnitDocument
{
    public const string DocumentType = "uploadFile";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public required string SessionId { get; init; }

    public required string Name { get; init; }

    public required FileState State { get; init; }

    public string? Reason { get; init; }

    public string? FootageId { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public static string IdFor(string sessionId, int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sessionId}.{index:D4}");

    /// <summary>
    /// Whether this state may be written over <paramref name="current"/> (null: nothing written yet). Deliveries of one
    /// file can overlap (a redelivered event, WatchUploads): one only starting never moves the file back out of the
    /// outcome another reached, a file is reported missing only while nothing has arrived, and a catalogued file stays
    /// catalogued; the dock wipes on the outcome.
    /// </summary>
    public bool Follows(FileState? current) => State switch
    {
        FileState.Received => current is not (FileState.Catalogued or FileState.Duplicate or FileState.Quarantined),
        FileState.Missing => current is null or FileState.Awaiting,
        // Once the manifest's bytes are catalogued, other bytes written to the same name later (the upload URL can create
        // the blob again after the cataloguer removed it) are quarantined and audited without unsaying that.
        FileState.Quarantined => current is not (FileState.Catalogued or FileState.Duplicate),
        _ => true,
    };
}

public sealed record UploadFile
{
    public required string Name { get; init; }

    public required string BlobName { get; init; }

    public required MediaKind Kind { get; init; }

    public required long Size { get; init; }

    public required string Sha256 { get; init; }

    public required DateTimeOffset RecordedStart { get; init; }

    public required DateTimeOffset RecordedEnd { get; init; }

    public string? ActivityId { get; init; }

    /// <summary>The record category the dock gave (one of the unit's); it sets the retention period.</summary>
    public string? Category { get; init; }

    public FileState State { get; init; } = FileState.Awaiting;

    public string? Reason { get; init; }

    public string? FootageId { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }
}
