using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Reports;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Activities;

/// <summary>
/// The <c>activities</c> container: each unit's enforcement activities (<see cref="Activity"/>), the work records that
/// explain their gaps (<see cref="WorkRecord"/>), the annual reviews of its recordings (<see cref="Review"/>) and the
/// cases that group activities (<see cref="Cases.EnforcementCase"/>).
/// </summary>
public sealed class ActivityStore(Database database, Audit.AuditTrail audit) : CosmosStore(database, CosmosContainers.Activities, audit)
{
    private static readonly Refusal NoSuchWorkRecord = Refusal.NotFound("No such work record for that activity in your unit.");

    private static readonly Refusal NoSuchReview = Refusal.NotFound("No such review in your unit.");

    public Task<Activity?> ReadAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<Activity>(unitId, id, Activity.DocumentType, cancellationToken);

    public Task<bool> CreateAsync(Activity activity, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync<Activity>(activity, audited, cancellationToken);

    private static readonly Refusal NoSuchActivity = Refusal.NotFound("No such activity in your unit.");

    /// <summary>The activity changed by <paramref name="transition"/>, with the audit event <paramref name="audited"/> makes of it (before, after).</summary>
    public Task<Outcome<Activity>> ChangeAsync(string unitId, string id, Func<Activity, Outcome<Activity>> transition, Func<Activity, Activity, Audit.AuditEntry> audited,
        CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, Activity.DocumentType, NoSuchActivity, transition, audited, cancellationToken);

    /// <summary>The activities among <paramref name="ids"/> in the unit, by start (missing ones are absent).</summary>
    public Task<List<Activity>> ByIdsAsync(string unitId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        ListAsync<Activity>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(@ids, c.id) ORDER BY c.start")
            .WithParameter("@type", Activity.DocumentType).WithParameter("@ids", ids), cancellationToken);

    /// <summary>Arts. 5 and 8: the unit's activities of <paramref name="officer"/> whose span overlaps <paramref name="from"/> to <paramref name="to"/>.</summary>
    public Task<List<Activity>> OfOfficerOverlappingAsync(string unitId, string officer, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ListAsync<Activity>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(c.officers, @officer) AND c.start <= @to AND c.end >= @from ORDER BY c.start")
            .WithParameter("@type", Activity.DocumentType).WithParameter("@officer", officer).WithParameter("@from", from).WithParameter("@to", to), cancellationToken);

    /// <summary>One page of the unit's activities by start, from <paramref name="from"/> to <paramref name="to"/>, only urgent ones when asked.</summary>
    public Task<FeedResponse<Activity>> PageAsync(string unitId, DateTimeOffset? from, DateTimeOffset? to, bool urgentOnly, IQueryCollection request,
        CancellationToken cancellationToken)
    {
        var conditions = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = Activity.DocumentType };
        if (from is { } start)
        {
            conditions.Add("c.start >= @from");
            parameters["@from"] = start;
        }

        if (to is { } end)
        {
            conditions.Add("c.start <= @to");
            parameters["@to"] = end;
        }

        if (urgentOnly)
        {
            conditions.Add("c.urgent = true");
        }

        return PageAsync<Activity>(unitId, Http.Listing.Where(conditions, parameters, "c.start"), request, cancellationToken);
    }

    /// <summary>The unit's activities that started in the period, by start.</summary>
    public Task<List<Activity>> StartedInAsync(string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ListAsync<Activity>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.start >= @from AND c.start <= @to ORDER BY c.start")
            .WithParameter("@type", Activity.DocumentType).WithParameter("@from", from).WithParameter("@to", to), cancellationToken);

    /// <summary>The work record <paramref name="id"/> of activity <paramref name="activityId"/>, or null.</summary>
    public async Task<WorkRecord?> ReadWorkRecordAsync(string unitId, string activityId, string id, CancellationToken cancellationToken) =>
        await ReadAsync<WorkRecord>(unitId, id, WorkRecord.DocumentType, cancellationToken) is { } record && record.ActivityId == activityId ? record : null;

    public Task<bool> CreateAsync(WorkRecord record, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync<WorkRecord>(record, audited, cancellationToken);

    public Task<Outcome<WorkRecord>> ChangeWorkRecordAsync(string unitId, string activityId, string id, Func<WorkRecord, Outcome<WorkRecord>> transition,
        Func<WorkRecord, WorkRecord, Audit.AuditEntry> audited, CancellationToken cancellationToken) =>
        ChangeAsync<WorkRecord>(unitId, id, WorkRecord.DocumentType, NoSuchWorkRecord, r => r.ActivityId == activityId ? transition(r) : NoSuchWorkRecord, audited,
            cancellationToken);

    /// <summary>The work records of the activities <paramref name="activityIds"/>, by activity, oldest first.</summary>
    public async Task<ILookup<string, WorkRecord>> WorkRecordsOfAsync(string unitId, IReadOnlyList<string> activityIds, CancellationToken cancellationToken) =>
        (await ListAsync<WorkRecord>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(@activities, c.activityId) ORDER BY c.submittedAt")
            .WithParameter("@type", WorkRecord.DocumentType).WithParameter("@activities", activityIds), cancellationToken))
            .ToLookup(w => w.ActivityId, StringComparer.Ordinal);

    /// <summary>Art. 12: one page of the unit's work records in <paramref name="status"/>, oldest filed first (what waits longest is decided first).</summary>
    public Task<FeedResponse<WorkRecord>> PageWorkRecordsAsync(string unitId, WorkRecordStatus status, IQueryCollection request, CancellationToken cancellationToken) =>
        PageAsync<WorkRecord>(unitId, Http.Listing.Where(["c.type = @type", "c.status = @status"],
            new Dictionary<string, object> { ["@type"] = WorkRecord.DocumentType, ["@status"] = AvCloudJson.Name(status) }, "c.submittedAt"), request, cancellationToken);

    /// <summary>All units: audit events a writer left on Art. 5 resolutions and Art. 18 cases older than <paramref name="before"/>, appended now.</summary>
    public async Task<int> CompleteAccountabilityPendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        await CompletePendingAsync<Accountability.FlagResolution>(Accountability.FlagResolution.DocumentType, before, cancellationToken)
        + await CompletePendingAsync<Accountability.MisconductCase>(Accountability.MisconductCase.DocumentType, before, cancellationToken);

    private static readonly Refusal NoSuchMisconductCase = Refusal.NotFound("No such misconduct case in your unit.");

    /// <summary>Art. 18: records a case with its audit event.</summary>
    public Task<bool> CreateAsync(Accountability.MisconductCase opened, Audit.AuditEntry audited, CancellationToken cancellationToken) =>
        CreateAsync<Accountability.MisconductCase>(opened, audited, cancellationToken);

    public Task<Accountability.MisconductCase?> ReadMisconductCaseAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<Accountability.MisconductCase>(unitId, id, Accountability.MisconductCase.DocumentType, cancellationToken);

    public Task<Outcome<Accountability.MisconductCase>> ChangeMisconductCaseAsync(string unitId, string id, Func<Accountability.MisconductCase, Outcome<Accountability.MisconductCase>> transition,
        Func<Accountability.MisconductCase, Accountability.MisconductCase, Audit.AuditEntry> audited, CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, Accountability.MisconductCase.DocumentType, NoSuchMisconductCase, transition, audited, cancellationToken);

    /// <summary>Art. 18: the unit's misconduct cases, newest first.</summary>
    public Task<List<Accountability.MisconductCase>> MisconductCasesAsync(string unitId, CancellationToken cancellationToken) =>
        ListAsync<Accountability.MisconductCase>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type ORDER BY c.openedAt DESC")
            .WithParameter("@type", Accountability.MisconductCase.DocumentType), cancellationToken);

    /// <summary>Art. 5: the keeper's resolution of flagged recording <paramref name="footageId"/>, or null.</summary>
    public Task<Accountability.FlagResolution?> ReadResolutionAsync(string unitId, string footageId, CancellationToken cancellationToken) =>
        ReadAsync<Accountability.FlagResolution>(unitId, Accountability.FlagResolution.IdFor(footageId), Accountability.FlagResolution.DocumentType, cancellationToken);

    /// <summary>Art. 5: records a resolution with its audit event; false when the recording was resolved already.</summary>
    public Task<bool> CreateAsync(Accountability.FlagResolution resolution, Audit.AuditEntry audited, CancellationToken cancellationToken) =>
        CreateAsync<Accountability.FlagResolution>(resolution, audited, cancellationToken);

    /// <summary>Art. 5: the resolutions of the recordings <paramref name="footageIds"/>, by recording.</summary>
    public async Task<Dictionary<string, Accountability.FlagResolution>> ResolutionsOfAsync(string unitId, IReadOnlyList<string> footageIds, CancellationToken cancellationToken) =>
        footageIds.Count == 0 ? []
            : (await ListAsync<Accountability.FlagResolution>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(@footage, c.footageId)")
                .WithParameter("@type", Accountability.FlagResolution.DocumentType).WithParameter("@footage", footageIds), cancellationToken))
                .ToDictionary(r => r.FootageId, StringComparer.Ordinal);

    public Task<Review?> ReadReviewAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<Review>(unitId, id, Review.DocumentType, cancellationToken);

    public Task<bool> CreateAsync(Review review, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync<Review>(review, audited, cancellationToken);

    /// <summary>The ids of the unit's reviews whose sample holds <paramref name="footageId"/> (Art. 17: who scores them may see it).</summary>
    public Task<List<string>> ReviewsSamplingAsync(string unitId, string footageId, CancellationToken cancellationToken) =>
        ListAsync<string>(unitId, new QueryDefinition("SELECT VALUE c.id FROM c WHERE c.type = @type AND ARRAY_CONTAINS(c.footageIds, @footage)")
            .WithParameter("@type", Review.DocumentType).WithParameter("@footage", footageId), cancellationToken);

    /// <summary>
    /// Art. 17: a review of the unit that sampled <paramref name="footageId"/> and that <paramref name="caller"/> may score,
    /// under which they see it without an access request; null when there is none.
    /// </summary>
    public async Task<string?> ReviewSamplingAsync(Identity.Caller caller, string footageId, CancellationToken cancellationToken) =>
        Access.AccessRules.ScoresReviews(caller) ? (await ReviewsSamplingAsync(caller.UnitId, footageId, cancellationToken)).Order(StringComparer.Ordinal).FirstOrDefault() : null;

    /// <summary>Art. 17: the unit's reviews, newest first.</summary>
    public Task<List<Review>> ReviewsAsync(string unitId, CancellationToken cancellationToken) =>
        ListAsync<Review>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type ORDER BY c.createdAt DESC").WithParameter("@type", Review.DocumentType), cancellationToken);

    public Task<Outcome<Review>> ChangeReviewAsync(string unitId, string id, Func<Review, Outcome<Review>> transition, Func<Review, Review, Audit.AuditEntry> audited,
        CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, Review.DocumentType, NoSuchReview, transition, audited, cancellationToken);

    private static readonly Refusal NoSuchCase = Refusal.NotFound("No such case in your unit.");

    public Task<Cases.EnforcementCase?> ReadCaseAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<Cases.EnforcementCase>(unitId, id, Cases.EnforcementCase.DocumentType, cancellationToken);

    /// <summary>Creates the case with its audit event; false when the unit has a case of its number already (its id is the number's).</summary>
    public Task<bool> CreateAsync(Cases.EnforcementCase enforcementCase, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync<Cases.EnforcementCase>(enforcementCase, audited, cancellationToken);

    public Task<Outcome<Cases.EnforcementCase>> ChangeCaseAsync(string unitId, string id, Func<Cases.EnforcementCase, Outcome<Cases.EnforcementCase>> transition,
        Func<Cases.EnforcementCase, Cases.EnforcementCase, Audit.AuditEntry> audited, CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, Cases.EnforcementCase.DocumentType, NoSuchCase, transition, audited, cancellationToken);

    /// <summary>One page of the unit's cases by number, those whose number or name contains <paramref name="text"/> when it is set.</summary>
    public Task<FeedResponse<Cases.EnforcementCase>> PageCasesAsync(string unitId, string? text, IQueryCollection request, CancellationToken cancellationToken)
    {
        var conditions = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = Cases.EnforcementCase.DocumentType };
        if (text is not null)
        {
            conditions.Add("CONTAINS(c.searchText, @q)");
            parameters["@q"] = text.Trim().ToLowerInvariant();
        }

        return PageAsync<Cases.EnforcementCase>(unitId, Http.Listing.Where(conditions, parameters, "c.number"), request, cancellationToken);
    }

    /// <summary>The unit's cases whose number or name contains <paramref name="text"/> (what a footage search by case finds).</summary>
    public Task<List<Cases.EnforcementCase>> CasesMatchingAsync(string unitId, string text, CancellationToken cancellationToken) =>
        ListAsync<Cases.EnforcementCase>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND CONTAINS(c.searchText, @q)")
            .WithParameter("@type", Cases.EnforcementCase.DocumentType).WithParameter("@q", text.Trim().ToLowerInvariant()), cancellationToken);

    /// <summary>The unit's cases that group <paramref name="activityId"/>, by number.</summary>
    public Task<List<Cases.EnforcementCase>> CasesOfAsync(string unitId, string activityId, CancellationToken cancellationToken) =>
        ListAsync<Cases.EnforcementCase>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(c.activityIds, @activity) ORDER BY c.number")
            .WithParameter("@type", Cases.EnforcementCase.DocumentType).WithParameter("@activity", activityId), cancellationToken);

    /// <summary>Art. 16: the unit's cases that group <paramref name="activityId"/> and are held.</summary>
    public Task<List<Cases.EnforcementCase>> HeldCasesOfAsync(string unitId, string activityId, CancellationToken cancellationToken) =>
        ListAsync<Cases.EnforcementCase>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(c.activityIds, @activity) AND ARRAY_LENGTH(c.holds) > 0")
            .WithParameter("@type", Cases.EnforcementCase.DocumentType).WithParameter("@activity", activityId), cancellationToken);

    /// <summary>All units: audit events a writer left on activities, work records, reviews and cases older than <paramref name="before"/>, appended now.</summary>
    public async Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        await CompletePendingAsync<Activity>(Activity.DocumentType, before, cancellationToken)
        + await CompletePendingAsync<WorkRecord>(WorkRecord.DocumentType, before, cancellationToken)
        + await CompletePendingAsync<Review>(Review.DocumentType, before, cancellationToken)
        + await CompletePendingAsync<Cases.EnforcementCase>(Cases.EnforcementCase.DocumentType, before, cancellationToken);
}
