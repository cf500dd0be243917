using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Activities;

public sealed record ActivityBody(
    [Required] ActivityKind? Kind,
    [Required] IReadOnlyList<string>? Officers,
    [Required] string? Place,
    [Required] DateTimeOffset? Start,
    [Required] DateTimeOffset? End,
    string? CaseName = null,
    string? CaseNumber = null,
    bool? Urgent = null,
    bool? Away = null);

public sealed record ActivityLinkBody([Required] string? ActivityId, [Required] string? Reason);

public sealed record ActivityPage(IReadOnlyList<Activity> Items, string? ContinuationToken);

/// <summary>A recording linked to an activity, as the activity view shows it.</summary>
public sealed record LinkedRecording(string FootageId, DateTimeOffset Start, DateTimeOffset End, string OfficerId, bool HandedOverInTime);

/// <summary>
/// An activity with what was recorded of it, how much that covers, and the work records that explain the rest;
/// <see cref="Withheld"/> counts the linked recordings its viewer may not see (Art. 14).
/// </summary>
public sealed record ActivityView(Activity Activity, bool RecordingRequired, Coverage Coverage, IReadOnlyList<LinkedRecording> Recordings,
    IReadOnlyList<WorkRecord> WorkRecords)
{
    /// <summary>Linked recordings the viewer may not see: counted only, and left out of the recordings and the coverage.</summary>
    public int Withheld { get; init; }

    /// <summary>
    /// Art. 8: the activity against the recordings linked to it; Art. 6: whether the unit's settings require it recorded.
    /// Art. 14: a viewer whose <paramref name="clearance"/> does not see a recording's level gets only its count; the
    /// coverage and its gaps are worked out from the recordings they may see, so they do not tell when a withheld one
    /// was made.
    /// </summary>
    public static ActivityView Of(Activity activity, UnitSettings settings, IEnumerable<FootageRecord> recordings, IEnumerable<WorkRecord> workRecords,
        Clearance clearance)
    {
        var all = recordings.ToList();
        var linked = all.Where(r => clearance.Sees(r.Classification))
            .Select(r => new LinkedRecording(r.Id, r.CorrectedStart, r.CorrectedEnd, r.OfficerId, r.HandedOverInTime)).ToList();
        return new ActivityView(activity, settings.RecordingRequiredFor.Contains(activity.Kind), Coverage.Of(activity.Start, activity.End, linked.Select(r => (r.Start, r.End))),
            linked, [.. workRecords])
        {
            Withheld = all.Count - linked.Count,
        };
    }
}

/// <summary>
/// Arts. 5, 6 and 8: enforcement activities and the recordings that belong to them. <c>POST /api/activities</c>
/// (Officer, Keeper, Head) records one; <c>GET /api/activities</c> lists them; <c>GET /api/activities/{id}</c> shows
/// its recordings, their coverage of the activity's span with the gaps, and its work records;
/// classified recordings are shown only to those who may see them, and counted for anyone else (Art. 14);
/// <c>PUT /api/footage/{id}/activity</c> (Keeper, Head) links a recording, which moves its handover deadline to the
/// activity's end + 24 hours and works its retention date out again. Every change is audited.
/// </summary>
public sealed class ManageActivities(ActivityStore activities, ActivityViews views, FootageStore footage, UnitStore units, RetentionDates dates, TimeProvider time, IOptions<IngestOptions> ingest)
{
    [Function("CreateActivity")]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ActivityBody))]
    [Answers(StatusCodes.Status201Created, typeof(Activity))]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "activities")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<ActivityBody>(request, 16 * 1024, cancellationToken, errors);
        var kind = Fields.Required(body.Kind, "kind", errors);
        if (body.Officers is not { Count: > 0 and <= 20 } officers || !officers.All(Fields.IsId))
        {
            errors["officers"] = ["Name 1 to 20 officers by id (letters, digits, '.', '_' or '-')."];
        }

        var place = Fields.Text(body.Place, "place", 500, errors);
        var caseName = Fields.Text(body.CaseName, "caseName", 500, errors, required: false);
        var caseNumber = Fields.Text(body.CaseNumber, "caseNumber", 500, errors, required: false);
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
            Place = place!,
            Start = body.Start!.Value.ToUniversalTime(),
            End = body.End!.Value.ToUniversalTime(),
            CaseName = caseName,
            CaseNumber = caseNumber,
            Urgent = body.Urgent ?? false,
            Away = body.Away ?? false,
            CreatedBy = caller.UserId,
            CreatedAt = now,
        };
        await activities.CreateAsync(activity, AuditEntry.By(caller, AuditAction.ActivityCreated, $"activities/{activity.Id}", AuditOutcomes.Success,
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
        var page = await activities.PageAsync(caller.UnitId, Listing.Time(request.Query, "from"), Listing.Time(request.Query, "to"),
            Listing.Flag(request.Query, "urgent") ?? false, request.Query, cancellationToken);
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
        var activity = await activities.ReadAsync(caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such activity in your unit.");
        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        return TypedResults.Ok((await views.ViewsAsync(caller.UnitId, [activity], settings, AccessRules.ClearanceOf(caller), cancellationToken))[0]);
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
        if (body.ActivityId is null || await activities.ReadAsync(caller.UnitId, body.ActivityId, cancellationToken) is not { } activity)
        {
            throw ProblemException.Invalid("activityId", "No such activity in your unit.");
        }

        var linked = (await footage.ChangeAsync(caller.UnitId, id, r => r.LinkTo(activity, ingest.Value.HandoverAllowance),
            (_, after) => AuditEntry.By(caller, AuditAction.FootageLinked, $"footage/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["activity"] = activity.Id,
                ["reason"] = reason,
                ["handoverDeadline"] = after.HandoverDeadline.ToString("O", CultureInfo.InvariantCulture),
            }),
            cancellationToken)).OrRefuse(AuditAction.FootageLinked, $"footage/{id}");

        // The activity's kind may be a longer retention category: the date is worked out again, and storage follows.
        var retained = (await dates.ApplyAsync(caller.UnitId, id, null,
            change => AuditEntry.By(caller, AuditAction.RetentionRecomputed, $"footage/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["retentionFrom"] = change.Before.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                ["retentionTo"] = change.After.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                ["reason"] = $"Linked to activity {activity.Id} ({AvCloudJson.Name(activity.Kind)}).",
            }), cancellationToken)).Value?.After ?? linked;
        return TypedResults.Ok(retained);
    }
}
