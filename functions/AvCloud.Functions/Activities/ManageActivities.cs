using System.Globalization;
using System.Text.RegularExpressions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Activities;

public sealed record ActivityBody(
    string? Kind,
    IReadOnlyList<string>? Officers,
    string? Place,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    string? CaseName,
    string? CaseNumber,
    bool? Urgent);

public sealed record ActivityLinkBody(string? ActivityId, string? Reason);

public sealed record ActivityPage(IReadOnlyList<Activity> Items, string? ContinuationToken);

/// <summary>A recording linked to an activity, as the activity view shows it.</summary>
public sealed record LinkedRecording(string FootageId, DateTimeOffset Start, DateTimeOffset End, string OfficerId, bool HandedOverInTime);

/// <summary>An activity with what was recorded of it, how much that covers, and the work records that explain the rest.</summary>
public sealed record ActivityView(Activity Activity, bool RecordingRequired, Coverage Coverage, IReadOnlyList<LinkedRecording> Recordings,
    IReadOnlyList<WorkRecord> WorkRecords);

/// <summary>
/// Arts. 5, 6 and 8: enforcement activities and the recordings that belong to them. <c>POST /api/activities</c>
/// (Officer, Keeper, Head) records one; <c>GET /api/activities</c> lists them; <c>GET /api/activities/{id}</c> shows
/// its recordings, their coverage of the activity's span with the gaps, and its work records;
/// <c>PUT /api/footage/{id}/activity</c> (Keeper, Head) links a recording, which moves its handover deadline to the
/// activity's end + 24 hours and works its retention date out again. Every change is audited.
/// </summary>
public sealed partial class ManageActivities(Database database, RetentionDates dates, AuditTrail audit, TimeProvider time,
    IOptions<IngestOptions> ingest, IOptions<RetentionOptions> retention)
{
    private Container Activities => database.GetContainer(CosmosContainers.Activities);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex SafeId();

    [Function("CreateActivity")]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ActivityBody))]
    [Answers(StatusCodes.Status201Created, typeof(Activity))]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "activities")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ActivityBody>(request, 16 * 1024, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var kind = AvCloudJson.Parse<ActivityKind>(body.Kind);
        if (kind is null)
        {
            errors["kind"] = [$"The kind is one of: {AvCloudJson.Names<ActivityKind>()}."];
        }

        if (body.Officers is not { Count: > 0 and <= 20 } officers || officers.Any(o => o is null || !SafeId().IsMatch(o)))
        {
            errors["officers"] = ["Name 1 to 20 officers by id (letters, digits, '.', '_' or '-')."];
        }

        Fields.Text(body.Place, "place", 500, errors);
        Fields.Text(body.CaseName, "caseName", 500, errors, required: false);
        Fields.Text(body.CaseNumber, "caseNumber", 500, errors, required: false);
        var now = time.GetUtcNow();
        if (body.Start is not { } start || body.End is not { } end || end < start || end - start > TimeSpan.FromDays(7))
        {
            errors["end"] = ["Give the start and the end; the end is not before the start, and an activity lasts at most 7 days."];
        }
        else if (start > now.AddDays(30))
        {
            errors["start"] = ["An activity starts at most 30 days ahead."];
        }

        ProblemException.ThrowIfAny(errors);
        var activity = new Activity
        {
            Id = Guid.NewGuid().ToString("N"),
            UnitId = caller.UnitId,
            Kind = kind!.Value,
            Officers = [.. body.Officers!.Distinct(StringComparer.Ordinal)],
            Place = body.Place!.Trim(),
            Start = body.Start!.Value.ToUniversalTime(),
            End = body.End!.Value.ToUniversalTime(),
            CaseName = body.CaseName?.Trim(),
            CaseNumber = body.CaseNumber?.Trim(),
            Urgent = body.Urgent ?? false,
            CreatedBy = caller.UserId,
            CreatedAt = now,
        };
        await Activities.CreateItemAsync(activity, new PartitionKey(caller.UnitId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "activity.created", $"activities/{activity.Id}", AuditOutcomes.Success,
            new Dictionary<string, string> { ["kind"] = AvCloudJson.Name(activity.Kind), ["officers"] = string.Join(", ", activity.Officers) }), cancellationToken);
        return TypedResults.Created($"/api/activities/{activity.Id}", activity);
    }

    [Function("ListActivities")]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head, Roles.Dock)]
    [Answers(StatusCodes.Status200OK, typeof(ActivityPage))]
    [Query("from", "Activities starting from (ISO 8601).")]
    [Query("to", "Activities starting up to (ISO 8601).")]
    [Query("urgent", "true: only urgent activities (the dock uploads their recordings first).")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "activities")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var conditions = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = Activity.DocumentType };
        if (Listing.Time(request.Query, "from") is { } from)
        {
            conditions.Add("c.start >= @from");
            parameters["@from"] = from.ToUniversalTime();
        }

        if (Listing.Time(request.Query, "to") is { } to)
        {
            conditions.Add("c.start <= @to");
            parameters["@to"] = to.ToUniversalTime();
        }

        if (Listing.Text(request.Query, "urgent") is "true")
        {
            conditions.Add("c.urgent = true");
        }

        var page = await Listing.PageAsync<Activity>(Activities, Listing.Where(conditions, parameters, "c.start"), caller.UnitId, request.Query, cancellationToken);
        return TypedResults.Ok(new ActivityPage([.. page], page.ContinuationToken));
    }

    [Function("GetActivity")]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ActivityView))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "activities/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var activity = await ReadAsync(database, caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such activity in your unit.");
        var settings = await UnitSettings.ReadAsync(database, caller.UnitId, retention.Value, cancellationToken);
        return TypedResults.Ok(await ViewAsync(database, activity, settings, cancellationToken));
    }

    [Function("LinkFootageToActivity")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ActivityLinkBody))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Link(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "footage/{id}/activity")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ActivityLinkBody>(request, 4096, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Linking a recording to an activity");
        if (body.ActivityId is null || await ReadAsync(database, caller.UnitId, body.ActivityId, cancellationToken) is not { } activity)
        {
            throw ProblemException.Invalid("activityId", "No such activity in your unit.");
        }

        var footage = database.GetContainer(CosmosContainers.Footage);
        var linked = await FootageChanges.ChangeAsync(footage, id, caller.UnitId, r => r.Status is FootageStatus.Purged ? null : Linked(r, activity, ingest.Value.HandoverAllowance),
            cancellationToken);
        if (linked is null)
        {
            return Problems.NoSuchFootage;
        }

        // The activity's kind may be a longer retention category: the date is worked out again, and storage follows.
        var change = await dates.ApplyAsync(caller.UnitId, id, null, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "footage.linked", $"footage/{id}", AuditOutcomes.Success,
            new Dictionary<string, string>
            {
                ["activity"] = activity.Id,
                ["reason"] = reason,
                ["handoverDeadline"] = linked.HandoverDeadline.ToString("O", CultureInfo.InvariantCulture),
                ["retentionUntil"] = (change?.After ?? linked).RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
            }), cancellationToken);
        return TypedResults.Ok(change?.After ?? linked);
    }

    /// <summary>
    /// <paramref name="record"/> linked to <paramref name="activity"/>: Art. 13's deadline becomes the activity's end plus
    /// <paramref name="allowance"/>, judged against when the recording was first docked.
    /// </summary>
    public static FootageRecord Linked(FootageRecord record, Activity activity, TimeSpan allowance)
    {
        var deadline = activity.End + allowance;
        return record with
        {
            ActivityId = activity.Id,
            ActivityKind = activity.Kind,
            HandoverDeadline = deadline,
            HandedOverInTime = record.Uploads.Min(u => u.DockedAt) <= deadline,
        };
    }

    public static async Task<Activity?> ReadAsync(Database database, string unitId, string id, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<Activity>(database.GetContainer(CosmosContainers.Activities), id, unitId, cancellationToken))?.Document is
            { Type: Activity.DocumentType } activity ? activity : null;

    /// <summary>The activity with its recordings, their coverage and its work records.</summary>
    public static async Task<ActivityView> ViewAsync(Database database, Activity activity, UnitSettings settings, CancellationToken cancellationToken) =>
        (await ViewsAsync(database, activity.UnitId, [activity], settings, cancellationToken))[0];

    /// <summary>
    /// The views of <paramref name="activities"/> of one unit, with two queries whatever their number: their recordings
    /// and their work records, each fetched for all of them at once.
    /// </summary>
    public static async Task<IReadOnlyList<ActivityView>> ViewsAsync(Database database, string unitId, IReadOnlyList<Activity> activities, UnitSettings settings,
        CancellationToken cancellationToken)
    {
        if (activities.Count == 0)
        {
            return [];
        }

        var ids = activities.Select(a => a.Id).ToList();
        var recordings = await LinkedAsync<FootageRecord>(database.GetContainer(CosmosContainers.Footage), FootageRecord.DocumentType, "c.correctedStart",
            r => r.ActivityId!, unitId, ids, cancellationToken);
        var workRecords = await LinkedAsync<WorkRecord>(database.GetContainer(CosmosContainers.Activities), WorkRecord.DocumentType, "c.submittedAt",
            w => w.ActivityId, unitId, ids, cancellationToken);
        return [.. activities.Select(activity =>
        {
            var linked = recordings[activity.Id].Select(r => new LinkedRecording(r.Id, r.CorrectedStart, r.CorrectedEnd, r.OfficerId, r.HandedOverInTime)).ToList();
            var coverage = Coverage.Of(activity.Start, activity.End, linked.Select(r => (r.Start, r.End)));
            return new ActivityView(activity, settings.RecordingRequiredFor.Contains(activity.Kind), coverage, linked, [.. workRecords[activity.Id]]);
        })];
    }

    private static async Task<ILookup<string, T>> LinkedAsync<T>(Container container, string type, string orderBy, Func<T, string> activityOf, string unitId,
        IReadOnlyList<string> activityIds, CancellationToken cancellationToken)
        where T : class
    {
        var query = new QueryDefinition($"SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(@activities, c.activityId) ORDER BY {orderBy}")
            .WithParameter("@type", type).WithParameter("@activities", activityIds);
        var found = new List<T>();
        await foreach (var item in container.QueryAllAsync<T>(query, new QueryRequestOptions { PartitionKey = new PartitionKey(unitId) }, cancellationToken))
        {
            found.Add(item);
        }

        return found.ToLookup(activityOf, StringComparer.Ordinal);
    }
}
