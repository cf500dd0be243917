using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Access;

/// <summary>What a requester sends: footage ids or a search, purpose, case, mode and an ISO 8601 duration such as <c>P2D</c>.</summary>
public sealed record AccessRequestBody(
    IReadOnlyList<string>? FootageIds,
    AccessSearch? Search,
    [Required] string? Purpose,
    [Required] string? CaseName,
    [Required] string? CaseNumber,
    [Required] AccessMode? Mode,
    [Required] string? Duration);

/// <summary>An approval, which may narrow the footage, the mode (copy to view) or the duration.</summary>
public sealed record AccessApprovalBody(IReadOnlyList<string>? FootageIds = null, AccessMode? Mode = null, string? Duration = null, string? Reason = null);

/// <summary>A rejection or revocation: the reason is required.</summary>
public sealed record AccessDecisionBody([Required] string? Reason);

public sealed record AccessRequestPage(IReadOnlyList<AccessRequest> Items, string? ContinuationToken);

/// <summary>
/// Access to footage (调阅). <c>POST /api/access-requests</c> (Reviewer, Officer, Keeper) asks to view or copy footage
/// for a purpose and a case; the unit's approval rules (<see cref="AccessRules"/>, data in the unit's settings) say
/// whether the keeper or the head approves; nobody approves their own request; state-secret footage is never copied.
/// <c>GET /api/access-requests</c> lists them (requesters see their own), <c>.../approve</c>, <c>.../reject</c> and
/// <c>.../revoke</c> decide (the rules are on <see cref="AccessRequest"/>). Every step is audited, refusals too; errors
/// change nothing.
/// </summary>
public sealed partial class AccessRequests(RequestStore requests, FootageStore footage, UnitStore units, TimeProvider time,
    IOptions<AccessOptions> options)
{
    private const int MaxBodyBytes = 64 * 1024;

    [GeneratedRegex(@"^[0-9a-f]{64}\z")]
    internal static partial Regex FootageId();

    [Function("CreateAccessRequest")]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper)]
    [Accepts(typeof(AccessRequestBody))]
    [Answers(StatusCodes.Status201Created, typeof(AccessRequest))]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/access-requests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<AccessRequestBody>(request, MaxBodyBytes, cancellationToken, errors);
        var purpose = Fields.Text(body.Purpose, "purpose", 1000, errors);
        var caseName = Fields.Text(body.CaseName, "caseName", 200, errors);
        var caseNumber = Fields.Text(body.CaseNumber, "caseNumber", 100, errors);
        var mode = Fields.Required(body.Mode, "mode", errors);
        var duration = ParseDuration(body.Duration, options.Value.MaxDuration, errors);
        if ((body.FootageIds is null) == (body.Search is null))
        {
            errors["footageIds"] = ["Give either footageIds or a search (activity, caseNumber, officer, from, to), not both."];
        }
        else if (body.FootageIds is { } ids && (ids.Count == 0 || ids.Count > options.Value.MaxItems || ids.Any(i => i is null || !FootageId().IsMatch(i))))
        {
            errors["footageIds"] = [$"Give 1 to {options.Value.MaxItems} footage ids (64 lower-case hexadecimal digits each)."];
        }

        ProblemException.ThrowIfAny(errors);
        var found = body.FootageIds is { } wanted
            ? await StoredAsync(caller.UnitId, wanted, cancellationToken)
            : await SearchAsync(caller, body.Search!, cancellationToken);

        var levels = found.Select(f => f.Classification).ToList();
        if (AccessRules.NeverAllowed(levels, mode!.Value) is { } never)
        {
            throw never.Audited(AuditAction.AccessRequested, "access-requests");
        }

        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        var created = new AccessRequest
        {
            Id = Guid.NewGuid().ToString("N"),
            UnitId = caller.UnitId,
            RequestedBy = caller.UserId,
            RequesterRoles = [.. caller.Roles.Order(StringComparer.Ordinal)],
            RequestedAt = time.GetUtcNow(),
            FootageIds = [.. found.Select(f => f.Id)],
            Search = body.Search,
            Purpose = purpose!,
            CaseName = caseName!,
            CaseNumber = caseNumber!,
            Mode = mode.Value,
            Duration = duration!.Value,
            ApproverRole = AccessRules.RequiredApprover(settings.AccessApprovals, levels, mode.Value, caller.Roles),
        };
        await requests.CreateAsync(created, AuditEntry.By(caller, AuditAction.AccessRequested, Target(created.Id), AuditOutcomes.Success, new Dictionary<string, string>
        {
            ["mode"] = AccessRules.Name(created.Mode),
            ["items"] = created.FootageIds.Count.ToString(CultureInfo.InvariantCulture),
            ["purpose"] = created.Purpose,
            ["case"] = $"{created.CaseName} {created.CaseNumber}",
            ["approverRole"] = created.ApproverRole,
        }), cancellationToken);
        return TypedResults.Created($"/api/access-requests/{created.Id}", created);
    }

    [Function("ListAccessRequests")]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequestPage))]
    [Query("status", "pending, approved, rejected, revoked or expired.")]
    [Query("mine", "true: only the caller's own requests (always so for reviewers and officers).")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/access-requests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var mine = Listing.Flag(request.Query, "mine") ?? false;
        var status = Listing.Enum<AccessStatus>(request.Query, "status");
        var page = await requests.PageAsync(caller.UnitId, mine || !AccessRules.SeesAllRequests(caller) ? caller.UserId : null, status, now,
            request.Query, cancellationToken);
        return TypedResults.Ok(new AccessRequestPage([.. page.Select(r => AccessRules.ShownTo(caller, r.AsOf(now)))], page.ContinuationToken));
    }

    [Function("GetAccessRequest")]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/access-requests/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var found = await VisibleAsync(requests, caller, id, cancellationToken);
        return TypedResults.Ok(AccessRules.ShownTo(caller, found.AsOf(time.GetUtcNow())));
    }

    [Function("ApproveAccessRequest")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(AccessApprovalBody))]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/access-requests/{id}/approve")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<AccessApprovalBody>(request, MaxBodyBytes, cancellationToken);
        var now = time.GetUtcNow();
        var current = (await VisibleAsync(requests, caller, id, cancellationToken)).Decidable(caller, now).OrRefuse(AuditAction.AccessApproved, Target(id));

        var errors = new Dictionary<string, string[]>();
        var duration = body.Duration is null ? current.Duration : ParseDuration(body.Duration, options.Value.MaxDuration, errors) ?? current.Duration;
        Fields.Text(body.Reason, "reason", 500, errors, required: false);
        ProblemException.ThrowIfAny(errors);
        var footageIds = body.FootageIds ?? current.FootageIds;
        var mode = body.Mode ?? current.Mode;

        // The rules are applied again to the footage as it is classified now, and to what is actually approved.
        var found = await StoredAsync(caller.UnitId, footageIds.Where(current.FootageIds.Contains).ToList() is { Count: > 0 } asked ? asked : current.FootageIds,
            cancellationToken);
        var levels = found.Select(f => f.Classification).ToList();
        if (AccessRules.NeverAllowed(levels, mode) is { } never)
        {
            throw never.Audited(AuditAction.AccessApproved, Target(id));
        }

        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        var required = AccessRules.RequiredApprover(settings.AccessApprovals, levels, mode, current.RequesterRoles.ToHashSet());
        var approved = (await requests.ChangeAsync(caller.UnitId, id, r => r.Approve(caller, required, footageIds, mode, duration, body.Reason, now),
            (_, after) => AuditEntry.By(caller, AuditAction.AccessApproved, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
        {
            ["requester"] = after.RequestedBy,
            ["mode"] = AccessRules.Name(after.Mode),
            ["items"] = after.FootageIds.Count.ToString(CultureInfo.InvariantCulture),
            ["expiresAt"] = after.ExpiresAt!.Value.ToString("O", CultureInfo.InvariantCulture),
        }),
            cancellationToken)).OrRefuse(AuditAction.AccessApproved, Target(id));
        return TypedResults.Ok(approved.AsOf(now));
    }

    [Function("RejectAccessRequest")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(AccessDecisionBody))]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Reject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/access-requests/{id}/reject")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<AccessDecisionBody>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Rejecting a request");
        await VisibleAsync(requests, caller, id, cancellationToken);
        var now = time.GetUtcNow();
        var rejected = (await requests.ChangeAsync(caller.UnitId, id, r => r.Reject(caller, reason, now),
            (_, after) => AuditEntry.By(caller, AuditAction.AccessRejected, Target(id), AuditOutcomes.Success, new Dictionary<string, string> { ["reason"] = reason, ["requester"] = after.RequestedBy }),
            cancellationToken)).OrRefuse(AuditAction.AccessRejected, Target(id));
        return TypedResults.Ok(rejected.AsOf(now));
    }

    [Function("RevokeAccessRequest")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(AccessDecisionBody))]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/access-requests/{id}/revoke")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<AccessDecisionBody>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Revoking access");
        await VisibleAsync(requests, caller, id, cancellationToken);
        var now = time.GetUtcNow();
        var revoked = (await requests.ChangeAsync(caller.UnitId, id, r => r.Revoke(caller, reason, now),
            (_, after) => AuditEntry.By(caller, AuditAction.AccessRevoked, Target(id), AuditOutcomes.Success, new Dictionary<string, string> { ["reason"] = reason, ["requester"] = after.RequestedBy }),
            cancellationToken)).OrRefuse(AuditAction.AccessRevoked, Target(id));
        return TypedResults.Ok(revoked.AsOf(now));
    }

    private static string Target(string id) => AccessRequest.TargetOf(id);

    private Task<IReadOnlyList<FootageRecord>> StoredAsync(string unitId, IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        footage.StoredForAccessAsync(unitId, ids, cancellationToken);

    private static async Task<AccessRequest> VisibleAsync(RequestStore store, Caller caller, string id, CancellationToken cancellationToken) =>
        await store.ReadVisibleAsync(caller, id, cancellationToken) ?? throw RequestStore.NotVisible();

    /// <summary>
    /// The stored footage <paramref name="search"/> finds among what <paramref name="caller"/> may see (Art. 14): footage
    /// they may not see takes no part in it, so neither what it finds nor its refusals (none found, too many) say whether
    /// such footage matches. They ask for that footage by id, as the withheld listing gives it.
    /// </summary>
    private async Task<IReadOnlyList<FootageRecord>> SearchAsync(Caller caller, AccessSearch search, CancellationToken cancellationToken)
    {
        if (search is { Activity: null or "", Officer: null or "", CaseNumber: null or "", From: null, To: null })
        {
            throw ProblemException.Invalid("search", "A search needs at least one of activity, caseNumber, officer, from or to.");
        }

        var filter = new FootageFilter(Activity: NullIfEmpty(search.Activity), Officer: NullIfEmpty(search.Officer), Text: NullIfEmpty(search.CaseNumber),
            RecordedFrom: search.From, RecordedTo: search.To, Clearance: AccessRules.ClearanceOf(caller));
        var found = new List<FootageRecord>();
        await foreach (var record in footage.FindStoredAsync(caller.UnitId, filter, cancellationToken))
        {
            found.Add(record);
            if (found.Count > options.Value.MaxItems)
            {
                throw ProblemException.Invalid("search", $"The search finds more than {options.Value.MaxItems} recordings; narrow it.");
            }
        }

        return found.Count > 0 ? found : throw ProblemException.Invalid("search", "The search finds no stored footage in your unit that you may see; ask for footage listed as withheld by its id.");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>An ISO 8601 duration (PT8H, P3D) more than zero and at most <paramref name="max"/>; the problem goes under <c>duration</c>.</summary>
    public static TimeSpan? ParseDuration(string? value, TimeSpan max, Dictionary<string, string[]> errors)
    {
        try
        {
            var duration = XmlConvert.ToTimeSpan(value ?? "");
            if (duration > TimeSpan.Zero && duration <= max)
            {
                return duration;
            }
        }
        catch (FormatException)
        {
        }

        errors["duration"] = [$"The duration is an ISO 8601 duration such as PT8H or P3D, more than zero and at most {XmlConvert.ToString(max)}."];
        return null;
    }
}
