using AvCloud.Functions.Access;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Ingest;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Footage;

/// <summary>
/// What a footage listing asks for; each field that is set narrows it. <paramref name="Clearance"/> (Art. 14) keeps
/// footage its holder may not see out of the query itself, so nothing a person asks for depends on it.
/// </summary>
public sealed record FootageFilter(
    string? Device = null,
    string? Activity = null,
    string? Officer = null,
    MediaKind? Kind = null,
    FootageStatus? Status = null,
    bool? HandedOverInTime = null,
    DateTimeOffset? RecordedFrom = null,
    DateTimeOffset? RecordedTo = null,
    string? Text = null,
    IReadOnlyList<string>? Activities = null,
    Clearance? Clearance = null);

/// <summary>How a catalogue record write went: a new record, this upload added to the record of the same bytes, or already noted.</summary>
public enum RecordWrite
{
    Created,
    UploadAdded,
    AlreadyNoted,
}

/// <summary>
/// The <c>footage</c> container: one <see cref="FootageRecord"/> per recording (id = its SHA-256), tombstones included.
/// Every query a person makes is scoped to their unit; the timers' queries run across units.
/// </summary>
public sealed class FootageStore(Database database, Audit.AuditTrail audit) : CosmosStore(database, CosmosContainers.Footage, audit)
{
    public static Refusal NoSuchFootage { get; } = Refusal.NotFound("No such footage in your unit.");

    public Task<FootageRecord?> ReadAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<FootageRecord>(unitId, id, FootageRecord.DocumentType, cancellationToken);

    /// <summary>A change no audit event tells of (the time of the last integrity check).</summary>
    public Task<Outcome<FootageRecord>> ChangeAsync(string unitId, string id, Func<FootageRecord, Outcome<FootageRecord>> transition,
        CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, FootageRecord.DocumentType, NoSuchFootage, transition, cancellationToken);

    /// <summary>The record changed by <paramref name="transition"/>, with the audit event <paramref name="audited"/> makes of it (before, after).</summary>
    public Task<Outcome<FootageRecord>> ChangeAsync(string unitId, string id, Func<FootageRecord, Outcome<FootageRecord>> transition,
        Func<FootageRecord, FootageRecord, Audit.AuditEntry> audited, CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, FootageRecord.DocumentType, NoSuchFootage, transition, audited, cancellationToken);

    /// <summary>All units: audit events a writer left on catalogue records older than <paramref name="before"/>, appended now.</summary>
    public Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        CompletePendingAsync<FootageRecord>(FootageRecord.DocumentType, before, cancellationToken);

    /// <summary>
    /// Content addressing: the record's id is the SHA-256, so the same bytes from another upload add that upload to the
    /// record already there, and the same upload again changes nothing.
    /// </summary>
    public async Task<(FootageRecord Record, RecordWrite Write)> RecordAsync(FootageRecord candidate, FootageUpload upload,
        Func<FootageRecord, RecordWrite, Audit.AuditEntry> audited, CancellationToken cancellationToken)
    {
        var (record, write) = (candidate, RecordWrite.Created);
        var written = await PutAsync<FootageRecord>(candidate.UnitId, candidate.Id, existing =>
        {
            (record, write) = existing is null ? (candidate, RecordWrite.Created)
                : existing.Uploads.Any(u => u.SessionId == upload.SessionId && u.FileName == upload.FileName) ? (existing, RecordWrite.AlreadyNoted)
                : (existing with { Uploads = [.. existing.Uploads, upload] }, RecordWrite.UploadAdded);
            return write == RecordWrite.AlreadyNoted ? null : record;
        }, r => audited(r, write), cancellationToken);
        return (written ?? record, write);
    }

    /// <summary>The records among <paramref name="ids"/> in the unit, by id (missing ones are absent).</summary>
    public async Task<Dictionary<string, FootageRecord>> ByIdsAsync(string unitId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(@ids, c.id)")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@ids", ids);
        return (await ListAsync<FootageRecord>(unitId, query, cancellationToken)).ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    /// <summary>One page of the unit's catalogue, newest recording first.</summary>
    public Task<FeedResponse<FootageRecord>> PageAsync(string unitId, FootageFilter filter, IQueryCollection request, CancellationToken cancellationToken) =>
        PageAsync<FootageRecord>(unitId, Where(filter, "c.correctedStart DESC"), request, cancellationToken);

    /// <summary>The unit's stored recordings (neither purged nor quarantined) that <paramref name="filter"/> finds, oldest first.</summary>
    public IAsyncEnumerable<FootageRecord> FindStoredAsync(string unitId, FootageFilter filter, CancellationToken cancellationToken) =>
        QueryAsync<FootageRecord>(unitId, Where(filter, "c.correctedStart", "c.status != 'purged'", "c.status != 'quarantined'"), cancellationToken);

    /// <summary>
    /// The ids of the unit's stored recordings made in the period that <paramref name="clearance"/> sees (the population
    /// an annual review samples).
    /// </summary>
    public Task<List<string>> StoredIdsRecordedInAsync(string unitId, DateTimeOffset from, DateTimeOffset to, Clearance clearance, CancellationToken cancellationToken) =>
        ListAsync<string>(unitId, new QueryDefinition("SELECT VALUE c.id FROM c WHERE c.type = @type AND c.correctedStart >= @from AND c.correctedStart <= @to AND c.status != 'purged' AND c.status != 'quarantined'"
            + Shown(clearance, " AND "))
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@from", from).WithParameter("@to", to), cancellationToken);

    /// <summary>
    /// Art. 14: one page of the unit's stored recordings that <paramref name="clearance"/> does not see (only
    /// <paramref name="officer"/>'s when set), by id: a SHA-256, so neither the order nor a page's edges say anything
    /// about when or by whom they were recorded.
    /// </summary>
    public Task<FeedResponse<FootageRecord>> PageWithheldAsync(string unitId, string? officer, Clearance clearance, IQueryCollection request,
        CancellationToken cancellationToken)
    {
        var conditions = new List<string> { "c.type = @type", "c.status != 'purged'", "c.status != 'quarantined'", $"NOT ({Shown(clearance) ?? "true"})" };
        var parameters = new Dictionary<string, object> { ["@type"] = FootageRecord.DocumentType };
        if (officer is not null)
        {
            conditions.Add("c.officerId = @officer");
            parameters["@officer"] = officer;
        }

        return PageAsync<FootageRecord>(unitId, Http.Listing.Where(conditions, parameters, "c.id"), request, cancellationToken);
    }

    /// <summary>
    /// Arts. 5 and 8: the unit's stored recordings the rule may have to link again when an activity's span or officers
    /// change: those the ledger attributes to one of <paramref name="officers"/> made between <paramref name="from"/> and
    /// <paramref name="to"/>, and those linked to <paramref name="activityId"/> or waiting with it among their candidates.
    /// </summary>
    public Task<List<string>> RelinkableIdsAsync(string unitId, string activityId, IReadOnlyCollection<string> officers, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken) =>
        ListAsync<string>(unitId, new QueryDefinition("SELECT VALUE c.id FROM c WHERE c.type = @type AND c.status != 'purged' AND c.status != 'quarantined'"
            + " AND ((ARRAY_CONTAINS(@officers, c.attribution.holder) AND c.correctedStart <= @to AND c.correctedEnd >= @from)"
            + " OR c.activityId = @activity OR ARRAY_CONTAINS(c.linkCandidates, @activity))")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@officers", officers).WithParameter("@from", from).WithParameter("@to", to)
            .WithParameter("@activity", activityId), cancellationToken);

    /// <summary>Art. 5: one page of the unit's recordings, seen by <paramref name="clearance"/>, that the rule could not link alone (two or more candidates), oldest first.</summary>
    public Task<FeedResponse<FootageRecord>> PageUndecidedAsync(string unitId, Clearance clearance, IQueryCollection request, CancellationToken cancellationToken) =>
        PageAsync<FootageRecord>(unitId, Where(new FootageFilter(Clearance: clearance), "c.correctedStart", "ARRAY_LENGTH(c.linkCandidates) > 0"), request, cancellationToken);

    /// <summary>The unit's records in a disposal step (pending, approved or purged), oldest retention date first.</summary>
    public Task<FeedResponse<FootageRecord>> PageInDisposalAsync(string unitId, FootageStatus status, IQueryCollection request, CancellationToken cancellationToken) =>
        PageAsync<FootageRecord>(unitId, Where(new FootageFilter(Status: status), "c.retentionUntil"), request, cancellationToken);

    /// <summary>Art. 15, all units: available records whose retention date has passed (held ones included; the sweep skips them).</summary>
    public IAsyncEnumerable<FootageRecord> PastRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync<FootageRecord>(null, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status = @status AND c.retentionUntil <= @now")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@status", AvCloudJson.Name(FootageStatus.Available)).WithParameter("@now", now),
            cancellationToken);

    /// <summary>All units: approved disposals whose recovery window has ended.</summary>
    public IAsyncEnumerable<FootageRecord> DueForPurgeAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync<FootageRecord>(null, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status = @status AND c.disposal.purgeAfter <= @now")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@status", AvCloudJson.Name(FootageStatus.DisposalApproved)).WithParameter("@now", now),
            cancellationToken);

    /// <summary>All units: stored records that are held or have a second copy (what preservation reconciles).</summary>
    public IAsyncEnumerable<FootageRecord> HeldOrCopiedAsync(CancellationToken cancellationToken) =>
        QueryAsync<FootageRecord>(null, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status != @purged AND (ARRAY_LENGTH(c.holds) > 0 OR IS_DEFINED(c.secondCopy))")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@purged", AvCloudJson.Name(FootageStatus.Purged)), cancellationToken);

    /// <summary>Art. 16: the ids of the unit's records that hold <paramref name="holdId"/> (a case hold is one id on each recording it holds).</summary>
    public async Task<List<string>> HeldUnderAsync(string unitId, string holdId, CancellationToken cancellationToken)
    {
        var held = new List<string>();
        await foreach (var record in QueryAsync<FootageRecord>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_LENGTH(c.holds) > 0")
            .WithParameter("@type", FootageRecord.DocumentType), cancellationToken))
        {
            if (record.Holds.Any(h => h.Id == holdId))
            {
                held.Add(record.Id);
            }
        }

        return held;
    }

    /// <summary>All units: stored records last verified before <paramref name="since"/>, oldest-verified first.</summary>
    public IAsyncEnumerable<FootageRecord> DueForVerificationAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        QueryAsync<FootageRecord>(null, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.status != @purged AND c.lastVerifiedAt < @since ORDER BY c.lastVerifiedAt")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@purged", AvCloudJson.Name(FootageStatus.Purged)).WithParameter("@since", since),
            cancellationToken);

    /// <summary>The unit's records that <paramref name="clearance"/> sees whose stored bytes no longer match (never cleared), oldest recording first.</summary>
    public IAsyncEnumerable<FootageRecord> IntegrityFailuresAsync(string unitId, Clearance clearance, CancellationToken cancellationToken) =>
        QueryAsync<FootageRecord>(unitId, new QueryDefinition($"SELECT * FROM c WHERE c.type = @type AND IS_DEFINED(c.integrityFailure){Shown(clearance, " AND ")} ORDER BY c.correctedStart")
            .WithParameter("@type", FootageRecord.DocumentType), cancellationToken);

    public Task<int> CountDisposalsPendingAsync(string unitId, Clearance clearance, CancellationToken cancellationToken) =>
        CountAsync(unitId, $"c.type = '{FootageRecord.DocumentType}' AND c.status = '{AvCloudJson.Name(FootageStatus.DisposalPending)}'{Shown(clearance, " AND ")}", cancellationToken);

    public Task<int> CountHeldAsync(string unitId, Clearance clearance, CancellationToken cancellationToken) =>
        CountAsync(unitId, $"c.type = '{FootageRecord.DocumentType}' AND ARRAY_LENGTH(c.holds) > 0{Shown(clearance, " AND ")}", cancellationToken);

    /// <summary>The unit's records (tombstones and quarantined ones too) that <paramref name="filter"/> finds, oldest recording first.</summary>
    public IAsyncEnumerable<FootageRecord> FindAsync(string unitId, FootageFilter filter, CancellationToken cancellationToken) =>
        QueryAsync<FootageRecord>(unitId, Where(filter, "c.correctedStart"), cancellationToken);

    /// <summary>Art. 14: the ids of the unit's recordings at levels <paramref name="clearance"/> does not see (none when it sees every level).</summary>
    public async Task<List<string>> WithheldIdsAsync(string unitId, Clearance clearance, CancellationToken cancellationToken) =>
        Shown(clearance) is not { } shown ? []
        : await ListAsync<string>(unitId, new QueryDefinition($"SELECT VALUE c.id FROM c WHERE c.type = @type AND NOT ({shown})")
            .WithParameter("@type", FootageRecord.DocumentType), cancellationToken);

    /// <summary>
    /// Art. 14: the condition that keeps to the levels <paramref name="clearance"/> sees (null when it sees every level),
    /// after <paramref name="prefix"/>. The levels are the enum's own names, never a caller's text, so they are written
    /// into the query as they are.
    /// </summary>
    private static string? Shown(Clearance? clearance, string prefix = "") =>
        clearance is null || clearance.SeesEverything ? null
        : $"{prefix}c.classification IN ({string.Join(", ", clearance.Levels.Select(l => $"'{AvCloudJson.Name(l)}'"))})";

    private static QueryDefinition Where(FootageFilter filter, string orderBy, params string[] more)
    {
        var conditions = new List<string> { "c.type = @type" };
        conditions.AddRange(more);
        if (Shown(filter.Clearance) is { } shown)
        {
            conditions.Add(shown);
        }

        var parameters = new Dictionary<string, object> { ["@type"] = FootageRecord.DocumentType };
        void Add(string condition, string name, object? value)
        {
            if (value is not null)
            {
                conditions.Add(condition);
                parameters[name] = value;
            }
        }

        Add("c.deviceId = @device", "@device", filter.Device);
        Add("c.activityId = @activity", "@activity", filter.Activity);
        Add("ARRAY_CONTAINS(@activities, c.activityId)", "@activities", filter.Activities);
        Add("c.officerId = @officer", "@officer", filter.Officer);
        Add("c.kind = @kind", "@kind", filter.Kind is { } kind ? AvCloudJson.Name(kind) : null);
        Add("c.status = @status", "@status", filter.Status is { } status ? AvCloudJson.Name(status) : null);
        Add("c.handedOverInTime = @inTime", "@inTime", filter.HandedOverInTime);
        Add("c.correctedStart >= @from", "@from", filter.RecordedFrom);
        Add("c.correctedStart <= @to", "@to", filter.RecordedTo);
        Add("CONTAINS(c.labelText, @q)", "@q", filter.Text?.Trim().ToLowerInvariant());
        return Http.Listing.Where(conditions, parameters, orderBy);
    }
}
