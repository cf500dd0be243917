using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Access;

/// <summary>What a requester sends: footage ids or a search, purpose, case, mode and an ISO 8601 duration such as <c>P2D</c>.</summary>
public sealed record AccessRequestBody(
    IReadOnlyList<string>? FootageIds,
    AccessSearch? Search,
    string? Purpose,
    string? CaseName,
    string? CaseNumber,
    string? Mode,
    string? Duration);

/// <summary>An approval, which may narrow the footage, the mode (copy to view) or the duration.</summary>
public sealed record AccessApprovalBody(IReadOnlyList<string>? FootageIds, string? Mode, string? Duration, string? Reason);

/// <summary>A rejection or revocation: the reason is required.</summary>
public sealed record AccessDecisionBody(string? Reason);

public sealed record AccessRequestPage(IReadOnlyList<AccessRequest> Items, string? ContinuationToken);

/// <summary>
/// Access to footage (调阅). <c>POST /api/access-requests</c> (Reviewer, Officer, Keeper) asks to view or copy footage
/// for a purpose and a case; the unit's approval rules (<see cref="AccessRules"/>, data in the unit's settings) say
/// whether the keeper or the head approves; nobody approves their own request; state-secret footage is never copied.
/// <c>GET /api/access-requests</c> lists them (requesters see their own), <c>.../approve</c>, <c>.../reject</c> and
/// <c>.../revoke</c> decide. Every step is audited; errors change nothing.
/// </summary>
public sealed partial class AccessRequests(Database database, AuditTrail audit, TimeProvider time, IOptions<AccessOptions> options,
    IOptions<RetentionOptions> retention)
{
    private const int MaxBodyBytes = 64 * 1024;

    private Container Requests => database.GetContainer(CosmosContainers.Requests);

    private Container Footage => database.GetContainer(CosmosContainers.Footage);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FootageId();

    [Function("CreateAccessRequest")]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper)]
    [Accepts(typeof(AccessRequestBody))]
    [Answers(StatusCodes.Status201Created, typeof(AccessRequest))]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "access-requests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<AccessRequestBody>(request, MaxBodyBytes, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var purpose = Fields.Text(body.Purpose, "purpose", 1000, errors);
        var caseName = Fields.Text(body.CaseName, "caseName", 200, errors);
        var caseNumber = Fields.Text(body.CaseNumber, "caseNumber", 100, errors);
        var mode = ParseMode(body.Mode, errors);
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
        var footage = body.FootageIds is { } wanted
            ? await ByIdsAsync(caller.UnitId, wanted, cancellationToken)
            : await BySearchAsync(caller.UnitId, body.Search!, cancellationToken);

        var levels = footage.Select(f => f.Classification).ToList();
        if (AccessRules.NeverAllowed(levels, mode!.Value))
        {
            throw await RefusedAsync(caller, "access.requested", "access-requests", "copy of state-secret footage", StateSecretCopy(), cancellationToken);
        }

        var settings = await UnitSettings.ReadAsync(database, caller.UnitId, retention.Value, cancellationToken);
        var created = new AccessRequest
        {
            Id = Guid.NewGuid().ToString("N"),
            UnitId = caller.UnitId,
            RequestedBy = caller.UserId,
            RequesterRoles = [.. caller.Roles.Order(StringComparer.Ordinal)],
            RequestedAt = time.GetUtcNow(),
            FootageIds = [.. footage.Select(f => f.Id)],
            Search = body.Search,
            Purpose = purpose!,
            CaseName = caseName!,
            CaseNumber = caseNumber!,
            Mode = mode.Value,
            Duration = duration!.Value,
            ApproverRole = AccessRules.RequiredApprover(settings.AccessApprovals, levels, mode.Value, caller.Roles),
        };
        await Requests.CreateItemAsync(created, new PartitionKey(caller.UnitId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "access.requested", $"access-requests/{created.Id}", AuditOutcomes.Success, new Dictionary<string, string>
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
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "access-requests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var conditions = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = AccessRequest.DocumentType };
        var mine = Listing.Text(request.Query, "mine") is { } text
            ? bool.TryParse(text, out var flag) ? flag : throw ProblemException.Invalid("mine", "mine must be true or false.")
            : false;
        if (mine || !SeesAll(caller))
        {
            conditions.Add("c.requestedBy = @me");
            parameters["@me"] = caller.UserId;
        }

        if (Listing.Text(request.Query, "status") is { } status)
        {
            if (!Enum.TryParse<AccessStatus>(status, ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted) || int.TryParse(status, out _))
            {
                throw ProblemException.Invalid("status", "status must be pending, approved, rejected, revoked or expired.");
            }

            // Expired is approved with its window over: stored as approved.
            conditions.Add(wanted switch
            {
                AccessStatus.Expired => "c.status = 'approved' AND c.expiresAt <= @now",
                AccessStatus.Approved => "c.status = 'approved' AND c.expiresAt > @now",
                _ => "c.status = @status",
            });
            parameters["@status"] = AvCloudJson.Name(wanted);
            parameters["@now"] = now;
        }

        var page = await Listing.PageAsync<AccessRequest>(Requests, Listing.Where(conditions, parameters, "c.requestedAt DESC"), caller.UnitId, request.Query, cancellationToken);
        return TypedResults.Ok(new AccessRequestPage([.. page.Select(r => r.AsOf(now))], page.ContinuationToken));
    }

    [Function("GetAccessRequest")]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "access-requests/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var found = await ReadAsync(caller, id, cancellationToken);
        return TypedResults.Ok(found.AsOf(time.GetUtcNow()));
    }

    [Function("ApproveAccessRequest")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(AccessApprovalBody))]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "access-requests/{id}/approve")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<AccessApprovalBody>(request, MaxBodyBytes, cancellationToken);
        var current = await PendingForDeciderAsync(caller, id, "access.approved", cancellationToken);

        var errors = new Dictionary<string, string[]>();
        var footageIds = body.FootageIds ?? current.FootageIds;
        if (footageIds.Count == 0 || footageIds.Any(f => !current.FootageIds.Contains(f)))
        {
            errors["footageIds"] = ["An approval may only narrow the footage: give a non-empty subset of the request's footage ids."];
        }

        var mode = body.Mode is null ? current.Mode : ParseMode(body.Mode, errors) ?? current.Mode;
        if (mode == AccessMode.Copy && current.Mode == AccessMode.View)
        {
            errors["mode"] = ["An approval may narrow copy to view, never widen view to copy."];
        }

        var duration = body.Duration is null ? current.Duration : ParseDuration(body.Duration, current.Duration, errors) ?? current.Duration;
        if (body.Reason is { Length: > 500 })
        {
            errors["reason"] = ["The reason may be at most 500 characters."];
        }

        ProblemException.ThrowIfAny(errors);

        // The rules are applied again to the footage as it is classified now, and to what is actually approved.
        var footage = await ByIdsAsync(caller.UnitId, footageIds, cancellationToken);
        var levels = footage.Select(f => f.Classification).ToList();
        if (AccessRules.NeverAllowed(levels, mode))
        {
            throw await RefusedAsync(caller, "access.approved", $"access-requests/{id}", "copy of state-secret footage", StateSecretCopy(), cancellationToken);
        }

        var settings = await UnitSettings.ReadAsync(database, caller.UnitId, retention.Value, cancellationToken);
        var required = AccessRules.RequiredApprover(settings.AccessApprovals, levels, mode, current.RequesterRoles.ToHashSet());
        var role = ApprovingRole(caller, required);
        if (role is null)
        {
            throw await RefusedAsync(caller, "access.approved", $"access-requests/{id}", $"needs {required}",
                Forbidden("Not yours to approve.", $"By the unit's rules this request needs approval by the {required}."), cancellationToken);
        }

        var now = time.GetUtcNow();
        var approved = await Documents.ChangeAsync<AccessRequest>(Requests, id, caller.UnitId, r => r.Status != AccessStatus.Pending ? null : r with
        {
            Status = AccessStatus.Approved,
            FootageIds = footageIds,
            Mode = mode,
            Duration = duration,
            ApproverRole = required,
            Approval = new AccessDecision(caller.UserId, role, now, body.Reason),
            ExpiresAt = now + duration,
        }, cancellationToken);
        return await DecidedAsync(caller, id, "access.approved", approved, new Dictionary<string, string>
        {
            ["requester"] = current.RequestedBy,
            ["mode"] = AccessRules.Name(mode),
            ["items"] = footageIds.Count.ToString(CultureInfo.InvariantCulture),
            ["expiresAt"] = (now + duration).ToString("O", CultureInfo.InvariantCulture),
        }, cancellationToken);
    }

    [Function("RejectAccessRequest")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(AccessDecisionBody))]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Reject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "access-requests/{id}/reject")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<AccessDecisionBody>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Rejecting a request");
        var current = await PendingForDeciderAsync(caller, id, "access.rejected", cancellationToken);
        if (ApprovingRole(caller, current.ApproverRole) is not { } role)
        {
            throw await RefusedAsync(caller, "access.rejected", $"access-requests/{id}", $"needs {current.ApproverRole}",
                Forbidden("Not yours to decide.", $"This request is decided by the {current.ApproverRole}."), cancellationToken);
        }

        var now = time.GetUtcNow();
        var rejected = await Documents.ChangeAsync<AccessRequest>(Requests, id, caller.UnitId, r => r.Status != AccessStatus.Pending ? null : r with
        {
            Status = AccessStatus.Rejected,
            Rejection = new AccessDecision(caller.UserId, role, now, reason),
        }, cancellationToken);
        return await DecidedAsync(caller, id, "access.rejected", rejected, new Dictionary<string, string> { ["reason"] = reason, ["requester"] = current.RequestedBy }, cancellationToken);
    }

    [Function("RevokeAccessRequest")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(AccessDecisionBody))]
    [Answers(StatusCodes.Status200OK, typeof(AccessRequest))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "access-requests/{id}/revoke")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<AccessDecisionBody>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Revoking access");
        var current = await ReadAsync(caller, id, cancellationToken);
        if (!caller.HasRole(Roles.Head) && current.Approval?.By != caller.UserId)
        {
            throw await RefusedAsync(caller, "access.revoked", $"access-requests/{id}", "neither its approver nor the head",
                Forbidden("Not yours to revoke.", "Access is revoked by the person who approved it or by the head."), cancellationToken);
        }

        var now = time.GetUtcNow();
        var revoked = await Documents.ChangeAsync<AccessRequest>(Requests, id, caller.UnitId,
            r => r.AsOf(now).Status is not (AccessStatus.Pending or AccessStatus.Approved) ? null : r with
            {
                Status = AccessStatus.Revoked,
                Revocation = new AccessDecision(caller.UserId, caller.HasRole(Roles.Head) ? Roles.Head : Roles.Keeper, now, reason),
            }, cancellationToken);
        return await DecidedAsync(caller, id, "access.revoked", revoked, new Dictionary<string, string> { ["reason"] = reason, ["requester"] = current.RequestedBy }, cancellationToken);
    }

    /// <summary>
    /// The request <paramref name="id"/> as <paramref name="caller"/> may see it: their own, or any in their unit for
    /// the keeper, supervisors and the head. Anything else is "not found".
    /// </summary>
    internal async Task<AccessRequest> ReadAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var found = await Documents.ReadAsync<AccessRequest>(Requests, id, caller.UnitId, cancellationToken);
        return found is { Document: var request } && (SeesAll(caller) || request.RequestedBy == caller.UserId)
            ? request
            : throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such access request in your unit.");
    }

    /// <summary>The catalogue records <paramref name="ids"/> in the unit, all of them still stored; a 400 problem naming any that are not.</summary>
    internal async Task<IReadOnlyList<FootageRecord>> ByIdsAsync(string unitId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(@ids, c.id)")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@ids", distinct);
        var found = new Dictionary<string, FootageRecord>(StringComparer.Ordinal);
        await foreach (var record in Footage.QueryAllAsync<FootageRecord>(query, new QueryRequestOptions { PartitionKey = new PartitionKey(unitId) }, cancellationToken))
        {
            found[record.Id] = record;
        }

        var missing = distinct.Where(i => !found.TryGetValue(i, out var record) || !Stored(record)).ToList();
        if (missing.Count > 0)
        {
            throw ProblemException.Invalid("footageIds", $"No stored footage in your unit with these ids: {string.Join(", ", missing)}.");
        }

        return [.. distinct.Select(i => found[i])];
    }

    private async Task<IReadOnlyList<FootageRecord>> BySearchAsync(string unitId, AccessSearch search, CancellationToken cancellationToken)
    {
        var conditions = new List<string> { "c.type = @type", "c.status != 'purged'", "c.status != 'quarantined'" };
        var parameters = new Dictionary<string, object> { ["@type"] = FootageRecord.DocumentType };
        if (search.Activity is { Length: > 0 } activity)
        {
            conditions.Add("c.activityId = @activity");
            parameters["@activity"] = activity;
        }

        if (search.Officer is { Length: > 0 } officer)
        {
            conditions.Add("c.officerId = @officer");
            parameters["@officer"] = officer;
        }

        if (search.CaseNumber is { Length: > 0 } caseNumber)
        {
            conditions.Add("CONTAINS(c.labelText, @case)");
            parameters["@case"] = caseNumber.ToLowerInvariant();
        }

        if (search.From is { } from)
        {
            conditions.Add("c.correctedStart >= @from");
            parameters["@from"] = from;
        }

        if (search.To is { } to)
        {
            conditions.Add("c.correctedStart <= @to");
            parameters["@to"] = to;
        }

        if (conditions.Count == 3)
        {
            throw ProblemException.Invalid("search", "A search needs at least one of activity, caseNumber, officer, from or to.");
        }

        var found = new List<FootageRecord>();
        var query = Listing.Where(conditions, parameters, "c.correctedStart");
        await foreach (var record in Footage.QueryAllAsync<FootageRecord>(query, new QueryRequestOptions { PartitionKey = new PartitionKey(unitId) }, cancellationToken))
        {
            found.Add(record);
            if (found.Count > options.Value.MaxItems)
            {
                throw ProblemException.Invalid("search", $"The search finds more than {options.Value.MaxItems} recordings; narrow it.");
            }
        }

        return found.Count > 0 ? found : throw ProblemException.Invalid("search", "The search finds no stored footage in your unit.");
    }

    private async Task<AccessRequest> PendingForDeciderAsync(Caller caller, string id, string action, CancellationToken cancellationToken)
    {
        var current = (await ReadAsync(caller, id, cancellationToken)).AsOf(time.GetUtcNow());
        if (current.RequestedBy == caller.UserId)
        {
            throw await RefusedAsync(caller, action, $"access-requests/{id}", "own request",
                Forbidden("Not yours to decide.", "Nobody decides their own request."), cancellationToken);
        }

        if (current.Status != AccessStatus.Pending)
        {
            throw await RefusedAsync(caller, action, $"access-requests/{id}", $"request is {AvCloudJson.Name(current.Status)}",
                new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", $"The request is {AvCloudJson.Name(current.Status)}, not pending."), cancellationToken);
        }

        return current;
    }

    private async Task<IResult> DecidedAsync(Caller caller, string id, string action, AccessRequest? changed, Dictionary<string, string> details,
        CancellationToken cancellationToken)
    {
        await audit.AppendAsync(AuditEntry.By(caller, action, $"access-requests/{id}", changed is null ? AuditOutcomes.Denied : AuditOutcomes.Success, details), cancellationToken);
        return changed is null
            ? TypedResults.Problem("The request changed state meanwhile, or is no longer open.", statusCode: StatusCodes.Status409Conflict, title: "Not possible now.")
            : TypedResults.Ok(changed.AsOf(time.GetUtcNow()));
    }

    /// <summary>Audits a refusal and gives back the problem to answer with.</summary>
    internal async Task<ProblemException> RefusedAsync(Caller caller, string action, string target, string reason, ProblemException problem,
        CancellationToken cancellationToken)
    {
        await audit.AppendAsync(AuditEntry.By(caller, action, target, AuditOutcomes.Denied, new Dictionary<string, string> { ["reason"] = reason }), cancellationToken);
        return problem;
    }

    /// <summary>The role in which <paramref name="caller"/> can give what needs <paramref name="required"/>, if any (the head can always).</summary>
    internal static string? ApprovingRole(Caller caller, string required) =>
        caller.HasRole(Roles.Head) ? Roles.Head
        : caller.HasRole(Roles.Keeper) && AccessRules.Satisfies(Roles.Keeper, required) ? Roles.Keeper
        : null;

    private static bool SeesAll(Caller caller) => caller.HasRole(Roles.Keeper) || caller.HasRole(Roles.Supervisor) || caller.HasRole(Roles.Head);

    private static bool Stored(FootageRecord record) => record.Status is not (FootageStatus.Purged or FootageStatus.Quarantined);

    private static ProblemException Forbidden(string title, string detail) => new(StatusCodes.Status403Forbidden, title, detail);

    internal static ProblemException StateSecretCopy() =>
        new(StatusCodes.Status422UnprocessableEntity, "Never allowed.", "State-secret footage never leaves the unit: it can be viewed with the head's approval, never copied.");

    private static AccessMode? ParseMode(string? value, Dictionary<string, string[]> errors)
    {
        if (value is "view" or "copy")
        {
            return value == "view" ? AccessMode.View : AccessMode.Copy;
        }

        errors["mode"] = ["The mode is view or copy."];
        return null;
    }

    private static TimeSpan? ParseDuration(string? value, TimeSpan max, Dictionary<string, string[]> errors)
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
