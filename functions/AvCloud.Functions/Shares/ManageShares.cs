using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Shares;

/// <summary>What a keeper or reviewer sends to share footage outside the agency: the recipient, the footage (ids or an approved request), the mode, a duration (ISO 8601) and the purpose.</summary>
public sealed record ShareBody(
    [Required] string? RecipientName,
    [Required] RecipientKind? RecipientKind,
    [Required] string? RecipientOrganisation,
    IReadOnlyList<string>? FootageIds,
    string? RequestId,
    [Required] ShareMode? Mode,
    [Required] string? Duration,
    [Required] string? Purpose);

/// <summary>A revocation: the reason is required.</summary>
public sealed record ShareRevocationBody([Required] string? Reason);

public sealed record SharePage(IReadOnlyList<ExternalShare> Items, string? ContinuationToken);

/// <summary>
/// What the approving head is given, once: the share page's link and, apart from it, the passcode. AvCloud keeps only
/// the passcode's salted hash, so it cannot be shown again; give the two to the recipient by different channels.
/// </summary>
public sealed record ShareApproval(ExternalShare Share, Uri Link, string Passcode);

/// <summary>
/// External shares (prosecutor, court, a party's lawyer). <c>POST /api/shares</c> (Keeper, Reviewer) names the recipient
/// and the footage, by ids or as an approved access request's; <c>.../approve</c> (a Head who did not make it) makes the
/// passcode and answers the link; <c>.../revoke</c> (the Head or its maker) ends it at the recipient's next request.
/// State-secret footage is never shared outside the agency (Art. 14), nor footage of another unit. Every step, refusals
/// too, is audited; the recipient's side is <see cref="ServeShares"/>.
/// </summary>
public sealed class ManageShares(ShareStore shares, RequestStore requests, FootageStore footage, TimeProvider time, IOptions<ShareOptions> options)
{
    private const int MaxBodyBytes = 64 * 1024;

    [Function("CreateShare")]
    [RequiresRole(Roles.Keeper, Roles.Reviewer)]
    [Accepts(typeof(ShareBody))]
    [Answers(StatusCodes.Status201Created, typeof(ExternalShare))]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/shares")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<ShareBody>(request, MaxBodyBytes, cancellationToken, errors);
        var name = Fields.Text(body.RecipientName, "recipientName", 200, errors);
        var kind = Fields.Required(body.RecipientKind, "recipientKind", errors);
        var organisation = Fields.Text(body.RecipientOrganisation, "recipientOrganisation", 200, errors);
        var purpose = Fields.Text(body.Purpose, "purpose", 1000, errors);
        var mode = Fields.Required(body.Mode, "mode", errors);
        var duration = AccessRequests.ParseDuration(body.Duration, options.Value.MaxDuration, errors);
        if ((body.FootageIds is null) == (body.RequestId is null))
        {
            errors["footageIds"] = ["Give either footageIds or the requestId of an approved access request, not both."];
        }
        else if (body.FootageIds is { } ids && (ids.Count == 0 || ids.Count > options.Value.MaxItems || ids.Any(i => i is null || !AccessRequests.FootageId().IsMatch(i))))
        {
            errors["footageIds"] = [$"Give 1 to {options.Value.MaxItems} footage ids (64 lower-case hexadecimal digits each)."];
        }
        else if (body.RequestId is { } requestId && !Fields.IsId(requestId))
        {
            errors["requestId"] = ["The requestId is an access request's id."];
        }

        ProblemException.ThrowIfAny(errors);
        var recipient = new ShareRecipient(name!, kind!.Value, organisation!);
        var asked = new Dictionary<string, string> { ["recipient"] = recipient.Name, ["organisation"] = recipient.Organisation };
        var footageIds = body.FootageIds ?? await ApprovedRequestFootageAsync(caller, body.RequestId!, now, asked, cancellationToken);
        var found = await SharableAsync(caller.UnitId, footageIds, AccessRules.ClearanceOf(caller), AuditAction.ShareCreated, "shares", asked, cancellationToken);

        var created = new ExternalShare
        {
            Id = NewShareId(),
            UnitId = caller.UnitId,
            CreatedBy = caller.UserId,
            CreatedAt = now,
            Recipient = recipient,
            Purpose = purpose!,
            FootageIds = [.. found.Select(f => f.Id)],
            RequestId = body.RequestId,
            Mode = mode!.Value,
            Duration = duration!.Value,
        };
        await shares.CreateAsync(created, AuditEntry.By(caller, AuditAction.ShareCreated, ExternalShare.TargetOf(created.Id), AuditOutcomes.Success,
            new Dictionary<string, string>(created.Details())
            {
                ["items"] = created.FootageIds.Count.ToString(CultureInfo.InvariantCulture),
                ["purpose"] = created.Purpose,
                ["request"] = created.RequestId ?? "",
            }), cancellationToken);
        return TypedResults.Created($"/api/shares/{created.Id}", created.Shown(now));
    }

    [Function("ListShares")]
    [RequiresRole(Roles.Keeper, Roles.Reviewer, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(SharePage))]
    [Query("mine", "true: only the shares the caller made (always so for reviewers).")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/shares")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var mine = (Listing.Flag(request.Query, "mine") ?? false) || !AccessRules.SeesAllRequests(caller);
        var page = await shares.PageAsync(caller.UnitId, mine ? caller.UserId : null, request.Query, cancellationToken);
        return TypedResults.Ok(new SharePage([.. page.Select(s => s.Shown(now))], page.ContinuationToken));
    }

    [Function("GetShare")]
    [RequiresRole(Roles.Keeper, Roles.Reviewer, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ExternalShare))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/shares/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        return TypedResults.Ok((await VisibleAsync(caller, id, cancellationToken)).Shown(time.GetUtcNow()));
    }

    [Function("ApproveShare")]
    [RequiresRole(Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ShareApproval))]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/shares/{id}/approve")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var target = ExternalShare.TargetOf(id);
        var current = await VisibleAsync(caller, id, cancellationToken);
        // Who may approve, and in what state, before anything about the footage is looked at again.
        current.Approvable(caller, now).OrRefuse(AuditAction.ShareApproved, target, current.Details());
        await SharableAsync(caller.UnitId, current.FootageIds, Clearance.Everything, AuditAction.ShareApproved, target, current.Details(), cancellationToken);

        var passcode = Passcodes.Generate();
        var hash = Passcodes.Hash(passcode);
        var approved = (await shares.ChangeAsync(caller.UnitId, id, s => s.Approve(caller, hash, now),
            (_, after) => AuditEntry.By(caller, AuditAction.ShareApproved, target, AuditOutcomes.Success, new Dictionary<string, string>(after.Details())
            {
                ["creator"] = after.CreatedBy,
                ["expiresAt"] = after.ExpiresAt!.Value.ToString("O", CultureInfo.InvariantCulture),
            }),
            cancellationToken)).OrRefuse(AuditAction.ShareApproved, target, current.Details());
        var link = new Uri($"{request.Scheme}://{request.Host}/api/shared/{approved.Id}");
        return TypedResults.Ok(new ShareApproval(approved.Shown(now), link, passcode));
    }

    [Function("RevokeShare")]
    [RequiresRole(Roles.Keeper, Roles.Reviewer, Roles.Head)]
    [Accepts(typeof(ShareRevocationBody))]
    [Answers(StatusCodes.Status200OK, typeof(ExternalShare))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/shares/{id}/revoke")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ShareRevocationBody>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Revoking a share");
        var current = await VisibleAsync(caller, id, cancellationToken);
        var now = time.GetUtcNow();
        var revoked = (await shares.ChangeAsync(caller.UnitId, id, s => s.Revoke(caller, reason, now),
            (_, after) => AuditEntry.By(caller, AuditAction.ShareRevoked, ExternalShare.TargetOf(id), AuditOutcomes.Success,
                new Dictionary<string, string>(after.Details()) { ["reason"] = reason }),
            cancellationToken)).OrRefuse(AuditAction.ShareRevoked, ExternalShare.TargetOf(id), current.Details());
        return TypedResults.Ok(revoked.Shown(now));
    }

    /// <summary>A share's id, which is also its link: 256 random bits, base64url.</summary>
    private static string NewShareId() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task<ExternalShare> VisibleAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await shares.ReadVisibleAsync(caller, id, cancellationToken) ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such share in your unit.");

    /// <summary>The footage of an approved, unexpired access request the caller may see (theirs, or any for the keeper).</summary>
    private async Task<IReadOnlyList<string>> ApprovedRequestFootageAsync(Caller caller, string requestId, DateTimeOffset now, IReadOnlyDictionary<string, string> asked,
        CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string>(asked) { ["request"] = requestId };
        var found = await requests.ReadVisibleAsync(caller, requestId, cancellationToken)
            ?? throw RequestStore.NoSuchRequest.Audited(AuditAction.ShareCreated, "shares", details);
        return found.AsOf(now).Status == AccessStatus.Approved
            ? found.FootageIds
            : throw Refusal.Conflict($"The access request is {AvCloudJson.Name(found.AsOf(now).Status)}: only an approved request's footage is shared.",
                $"request is {AvCloudJson.Name(found.AsOf(now).Status)}").Audited(AuditAction.ShareCreated, "shares", details);
    }

    /// <summary>
    /// The recordings <paramref name="ids"/>, each stored in the unit, at a level <paramref name="clearance"/> sees, and
    /// none state-secret (Art. 14: it never leaves the agency); otherwise an audited refusal of <paramref name="action"/>.
    /// </summary>
    private async Task<IReadOnlyList<FootageRecord>> SharableAsync(string unitId, IReadOnlyList<string> ids, Clearance clearance, AuditAction action, string target,
        IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var found = await footage.ByIdsAsync(unitId, distinct, cancellationToken);
        var missing = distinct.Where(i => !found.TryGetValue(i, out var record) || !record.IsStored).ToList();
        if (missing.Count > 0)
        {
            throw Refusal.Invalid("footageIds", $"No stored footage in your unit with these ids: {string.Join(", ", missing)}.").Audited(action, target, details);
        }

        var records = distinct.Select(i => found[i]).ToList();
        if (records.Any(r => !clearance.Sees(r.Classification)))
        {
            throw Refusal.Forbidden("Classified.", "Some of this footage is classified at a level you may not see; the keeper shares it.", "classified beyond the caller")
                .Audited(action, target, details);
        }

        return records.Any(r => r.Classification == Classification.StateSecret)
            ? throw StateSecret.Audited(action, target, details)
            : records;
    }

    /// <summary>Art. 14: state-secret footage never leaves the agency, so it is never shared outside it.</summary>
    public static Refusal StateSecret { get; } =
        Refusal.Never("State-secret footage is never shared outside the agency, whoever approves.", "state-secret footage shared externally");
}
