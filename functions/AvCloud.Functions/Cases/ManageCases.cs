using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Cases;

public sealed record CaseBody([Required] string? Number, [Required] string? Name);

public sealed record CaseActivityBody([Required] string? ActivityId, string? Reason = null);

public sealed record CaseActivityRemoval([Required] string? Reason);

/// <summary>What the keeper or head sends to hold a whole case (the case gives the hold its name and number).</summary>
public sealed record CaseHoldRequest([Required] HoldReason? Reason, [Required] string? RequestedBy, string? ReasonText = null);

public sealed record CasePage(IReadOnlyList<EnforcementCase> Items, string? ContinuationToken);

/// <summary>An access request made under the case's number, without its recordings or search (Art. 14: the view shows no recording the reader may not see).</summary>
public sealed record CaseRequest(string Id, string RequestedBy, DateTimeOffset RequestedAt, AccessMode Mode, AccessStatus Status, string Purpose);

/// <summary>
/// A case as people read it: its activities (each with its coverage and work records), the recordings of those activities
/// the reader may see (with their holds), the access requests made under its number, and the coverage of all its
/// activities together; <see cref="Withheld"/> counts its recordings the reader may not see (Art. 14).
/// </summary>
public sealed record CaseView(EnforcementCase Case, IReadOnlyList<ActivityView> Activities, IReadOnlyList<FootageRecord> Footage, IReadOnlyList<CaseRequest> Requests,
    Coverage Coverage)
{
    public int Withheld { get; init; }
}

/// <summary>
/// Cases (案件): <c>POST /api/cases</c> (Keeper, Head) opens one under a number unique in the unit; <c>GET /api/cases</c>
/// lists them (search by number or name with <c>q</c>); <c>GET /api/cases/{id}</c> shows its activities, recordings,
/// holds, requests and coverage; <c>POST /api/cases/{id}/activities</c> and <c>DELETE .../activities/{activityId}</c>
/// (Keeper, Head) group and ungroup activities; <c>POST /api/cases/{id}/holds</c> (Keeper, Head) holds the whole case
/// (Art. 16) and <c>DELETE .../holds/{holdId}</c> (Head, with a reason) releases the holds it placed. Reading follows the
/// catalogue's rules (keeper, supervisors, head; classified recordings only for those cleared). Every change is audited;
/// another unit's case is "not found" and nothing changes.
/// </summary>
public sealed class ManageCases(ActivityStore activities, ActivityViews views, FootageStore footage, RequestStore requests, UnitStore units, CaseHolds caseHolds,
    AuditTrail audit, TimeProvider time)
{
    private const int MaxBodyBytes = 16 * 1024;

    [Function("CreateCase")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(CaseBody))]
    [Answers(StatusCodes.Status201Created, typeof(EnforcementCase))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<CaseBody>(request, MaxBodyBytes, cancellationToken, errors);
        var number = Fields.Text(body.Number, "number", 100, errors);
        var name = Fields.Text(body.Name, "name", 500, errors);
        ProblemException.ThrowIfAny(errors);
        var enforcementCase = new EnforcementCase
        {
            Id = EnforcementCase.IdFor(number!),
            UnitId = caller.UnitId,
            Number = number!,
            Name = name!,
            CreatedBy = caller.UserId,
            CreatedAt = time.GetUtcNow(),
        };
        if (!await activities.CreateAsync(enforcementCase, AuditEntry.By(caller, AuditAction.CaseCreated, Target(enforcementCase.Id), AuditOutcomes.Success,
            new Dictionary<string, string> { ["number"] = enforcementCase.Number, ["name"] = enforcementCase.Name }), cancellationToken))
        {
            throw Refusal.Conflict($"The unit already has a case numbered {number}.", "case number taken").Audited(AuditAction.CaseCreated, Target(enforcementCase.Id));
        }

        return TypedResults.Created($"/api/cases/{enforcementCase.Id}", enforcementCase);
    }

    [Function("ListCases")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(CasePage))]
    [Query("q", "Text in the case's number or name.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/cases")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        if (Listing.Text(request.Query, "q") is { Length: > 200 })
        {
            throw ProblemException.Invalid("q", "The search text may be at most 200 characters.");
        }

        var page = await activities.PageCasesAsync(caller.UnitId, Listing.Text(request.Query, "q"), request.Query, cancellationToken);
        return TypedResults.Ok(new CasePage([.. page], page.ContinuationToken));
    }

    [Function("GetCase")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(CaseView))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/cases/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var enforcementCase = await activities.ReadCaseAsync(caller.UnitId, id, cancellationToken)
            ?? throw Refusal.NotFound("No such case in your unit.").Audited(AuditAction.CaseRead, Target(id));
        var clearance = AccessRules.ClearanceOf(caller);
        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        var grouped = await views.ViewsAsync(caller.UnitId, await activities.ByIdsAsync(caller.UnitId, enforcementCase.ActivityIds, cancellationToken), settings, clearance,
            cancellationToken);
        // Art. 14: recordings the reader may not see are left out by the query, and only counted (as each activity's view counts them).
        var recordings = new List<FootageRecord>();
        if (enforcementCase.ActivityIds.Count > 0)
        {
            await foreach (var record in footage.FindAsync(caller.UnitId, new FootageFilter(Activities: enforcementCase.ActivityIds, Clearance: clearance), cancellationToken))
            {
                recordings.Add(record);
            }
        }

        var asked = (await requests.OfCaseAsync(caller.UnitId, enforcementCase.Number, cancellationToken))
            .Select(r => new CaseRequest(r.Id, r.RequestedBy, r.RequestedAt, r.Mode, r.AsOf(time.GetUtcNow()).Status, r.Purpose)).ToList();
        var coverage = new Coverage(grouped.Sum(v => v.Coverage.SpanSeconds), grouped.Sum(v => v.Coverage.CoveredSeconds),
            [.. grouped.SelectMany(v => v.Coverage.Gaps).OrderBy(g => g.From)]);
        await audit.RecordAsync(caller, AuditAction.CaseRead, Target(id), new Dictionary<string, string>
        {
            ["footage"] = recordings.Count.ToString(CultureInfo.InvariantCulture),
        }, cancellationToken);
        return TypedResults.Ok(new CaseView(enforcementCase, grouped, recordings, asked, coverage) { Withheld = grouped.Sum(v => v.Withheld) });
    }

    [Function("AddCaseActivity")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(CaseActivityBody))]
    [Answers(StatusCodes.Status200OK, typeof(EnforcementCase))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> AddActivity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/activities")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<CaseActivityBody>(request, MaxBodyBytes, cancellationToken);
        if (body.ActivityId is null || await activities.ReadAsync(caller.UnitId, body.ActivityId, cancellationToken) is not { } activity)
        {
            throw ProblemException.Invalid("activityId", "No such activity in your unit.");
        }

        var enforcementCase = (await activities.ChangeCaseAsync(caller.UnitId, id, c => c.AddActivity(activity.Id),
            (_, _) => AuditEntry.By(caller, AuditAction.CaseActivityAdded, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["activity"] = activity.Id,
                ["reason"] = body.Reason ?? "",
            }), cancellationToken)).OrRefuse(AuditAction.CaseActivityAdded, Target(id), new Dictionary<string, string> { ["activity"] = activity.Id });
        // Art. 16: the activity's recordings come under the case's standing holds as it joins.
        await caseHolds.HoldRecordingsAsync(caller, enforcementCase, enforcementCase.Holds, [activity.Id], cancellationToken);
        return TypedResults.Ok(enforcementCase);
    }

    [Function("RemoveCaseActivity")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(CaseActivityRemoval))]
    [Answers(StatusCodes.Status200OK, typeof(EnforcementCase))]
    public async Task<IResult> RemoveActivity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/cases/{id}/activities/{activityId}")] HttpRequest request,
        string id,
        string activityId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<CaseActivityRemoval>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Taking an activity out of a case");
        var enforcementCase = (await activities.ChangeCaseAsync(caller.UnitId, id, c => c.RemoveActivity(activityId),
            (_, _) => AuditEntry.By(caller, AuditAction.CaseActivityRemoved, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["activity"] = activityId,
                ["reason"] = reason,
            }), cancellationToken)).OrRefuse(AuditAction.CaseActivityRemoved, Target(id), new Dictionary<string, string> { ["activity"] = activityId });
        return TypedResults.Ok(enforcementCase);
    }

    [Function("PlaceCaseHold")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(CaseHoldRequest))]
    [Answers(StatusCodes.Status201Created, typeof(EnforcementCase))]
    public async Task<IResult> PlaceHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cases/{id}/holds")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<CaseHoldRequest>(request, MaxBodyBytes, cancellationToken, errors);
        var (reason, reasonText, requestedBy) = PreservationHolds.Grounds(body.Reason, body.ReasonText, body.RequestedBy, errors);
        ProblemException.ThrowIfAny(errors);
        var hold = new CaseHold(Guid.NewGuid().ToString("N"), reason!.Value, reasonText, requestedBy!, caller.UserId, time.GetUtcNow());
        // The case says it is held before its recordings are: a recording linked meanwhile is held at its link.
        var enforcementCase = (await activities.ChangeCaseAsync(caller.UnitId, id, c => c.PlaceHold(hold),
            (_, _) => AuditEntry.By(caller, AuditAction.CaseHoldPlaced, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["hold"] = hold.Id,
                ["reason"] = hold.Reason.ToString(),
                ["requestedBy"] = hold.RequestedBy,
            }), cancellationToken)).OrRefuse(AuditAction.CaseHoldPlaced, Target(id));
        await caseHolds.HoldRecordingsAsync(caller, enforcementCase, [hold], enforcementCase.ActivityIds, cancellationToken);
        return TypedResults.Created($"/api/cases/{id}/holds/{hold.Id}", enforcementCase);
    }

    [Function("ReleaseCaseHold")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(HoldRelease))]
    [Answers(StatusCodes.Status200OK, typeof(EnforcementCase))]
    public async Task<IResult> ReleaseHold(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/cases/{id}/holds/{holdId}")] HttpRequest request,
        string id,
        string holdId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<HoldRelease>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Releasing a case hold");
        // The case lets go first, so no recording linked meanwhile is held again under a hold that no longer stands.
        var enforcementCase = (await activities.ChangeCaseAsync(caller.UnitId, id, c => c.ReleaseHold(holdId),
            (_, _) => AuditEntry.By(caller, AuditAction.CaseHoldReleased, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["hold"] = holdId,
                ["reason"] = reason,
            }), cancellationToken)).OrRefuse(AuditAction.CaseHoldReleased, Target(id), new Dictionary<string, string> { ["hold"] = holdId });
        await caseHolds.ReleaseRecordingsAsync(caller, id, holdId, reason, cancellationToken);
        return TypedResults.Ok(enforcementCase);
    }

    private static string Target(string id) => $"cases/{id}";
}
