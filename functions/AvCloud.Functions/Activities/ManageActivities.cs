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

/// <summary>Why a keeper unlinks a recording (required).</summary>
public sealed record ActivityUnlinkBody([Required] string? Reason);

/// <summary>A keeper's change to an activity's span or officers (each optional; at least one), with the reason.</summary>
public sealed record ActivityChangeBody(IReadOnlyList<string>? Officers, DateTimeOffset? Start, DateTimeOffset? End, [Required] string? Reason);

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
/// <c>PATCH /api/activities/{id}</c> (Keeper, Head, with a reason) changes its span or officers, after which the rule
/// links its recordings again (<see cref="ActivityLinker"/>); <c>PUT /api/footage/{id}/activity</c> (Keeper, Head, with
/// a reason) links or relinks a recording, which moves its handover deadline to the activity's end + 24 hours and works
/// its retention date out again, and <c>DELETE</c> of it unlinks one (a keeper's decision the rule leaves alone). Every
/// change is audited.
/// </summary>
public sealed class ManageActivities(ActivityStore activities, ActivityViews views, FootageStore footage, UnitStore units, ActivityLinker linker, TimeProvider time,
    IOptions<IngestOptions> ingest)
{
    [Function("CreateActivity")]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ActivityBody))]
    [Answers(StatusCodes.Status201Created, typeof(Activity))]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/activities")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<ActivityBody>(request, 16 * 1024, cancellationToken, errors);
        var kind = Fields.Required(body.Kind, "kind", errors);
        Activity.CheckOfficers(body.Officers, errors);
        var place = Fields.Text(body.Place, "place", 500, errors);
        var caseName = Fields.Text(body.CaseName, "caseName", 500, errors, required: false);
        var caseNumber = Fields.Text(body.CaseNumber, "caseNumber", 500, errors, required: false);
        var now = time.GetUtcNow();
        Activity.CheckSpan(body.Start, body.End, now, errors);
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
        // Arts. 5 and 8: recordings already catalogued that belong to it are linked by the rule.
        await linker.RelinkForAsync(null, activity, cancellationToken);
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
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/activities")] HttpRequest request,
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
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/activities/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var activity = await activities.ReadAsync(caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such activity in your unit.");
        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        return TypedResults.Ok((await views.ViewsAsync(caller.UnitId, [activity], settings, AccessRules.ClearanceOf(caller), cancellationToken))[0]);
    }

    [Function("ChangeActivity")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ActivityChangeBody))]
    [Answers(StatusCodes.Status200OK, typeof(Activity))]
    public async Task<IResult> Change(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/activities/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ActivityChangeBody>(request, 16 * 1024, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Changing an activity");
        if (body is { Officers: null, Start: null, End: null })
        {
            throw ProblemException.Invalid("start", "Give the new start, end or officers.");
        }

        var now = time.GetUtcNow();
        Activity? before = null;
        var changed = (await activities.ChangeAsync(caller.UnitId, id, a => (before = a).Change(body.Officers, body.Start, body.End, now),
            (was, after) => AuditEntry.By(caller, AuditAction.ActivityChanged, $"activities/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["reason"] = reason,
                ["span"] = $"{was.Start:O}..{was.End:O} -> {after.Start:O}..{after.End:O}",
                ["officers"] = $"{string.Join(", ", was.Officers)} -> {string.Join(", ", after.Officers)}",
            }), cancellationToken)).OrRefuse(AuditAction.ActivityChanged, $"activities/{id}");
        // Arts. 5 and 8: what the rule linked follows the new span and officers; manifest and keeper links stay.
        await linker.RelinkForAsync(before, changed, cancellationToken);
        return TypedResults.Ok(changed);
    }

    [Function("LinkFootageToActivity")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ActivityLinkBody))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Link(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/footage/{id}/activity")] HttpRequest request,
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

        ActivityKind? kindBefore = null;
        var linked = (await footage.ChangeAsync(caller.UnitId, id, r => r.LinkTo(activity, ingest.Value.HandoverAllowance, LinkMethod.Keeper),
            (before, after) =>
            {
                kindBefore = before.ActivityKind;
                return AuditEntry.By(caller, AuditAction.FootageLinked, $"footage/{id}", AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["activity"] = activity.Id,
                    ["by"] = AvCloudJson.Name(LinkMethod.Keeper),
                    ["reason"] = reason,
                    ["previous"] = before.ActivityId ?? "",
                    ["handoverDeadline"] = after.HandoverDeadline.ToString("O", CultureInfo.InvariantCulture),
                });
            },
            cancellationToken)).OrRefuse(AuditAction.FootageLinked, $"footage/{id}");

        // The activity's kind may be a longer retention category, and its case may be held (Art. 16).
        return TypedResults.Ok(await linker.LinkedAsync(caller, linked, kindBefore, $"Linked to activity {activity.Id} by a keeper.", cancellationToken));
    }

    [Function("UnlinkFootage")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ActivityUnlinkBody))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Unlink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/footage/{id}/activity")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ActivityUnlinkBody>(request, 4096, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Unlinking a recording");
        ActivityKind? kindBefore = null;
        var unlinked = (await footage.ChangeAsync(caller.UnitId, id, r => r.Unlink(ingest.Value.HandoverAllowance),
            (before, _) =>
            {
                kindBefore = before.ActivityKind;
                return AuditEntry.By(caller, AuditAction.FootageUnlinked, $"footage/{id}", AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["by"] = AvCloudJson.Name(LinkMethod.Keeper),
                    ["reason"] = reason,
                    ["previous"] = before.ActivityId ?? "",
                    ["candidates"] = string.Join(", ", before.LinkCandidates),
                });
            },
            cancellationToken)).OrRefuse(AuditAction.FootageUnlinked, $"footage/{id}");
        return TypedResults.Ok(await linker.LinkedAsync(caller, unlinked, kindBefore, "Unlinked from its activity by a keeper.", cancellationToken));
    }
}
