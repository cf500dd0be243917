using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Retention;

public sealed record DisposalExtension(DateTimeOffset? Until, string? Reason);

public sealed record DisposalCancellation(string? Reason);

/// <summary>
/// Art. 15 disposal review. The keeper lists what the sweep found (<c>GET /api/disposals?status=pending</c>), approves
/// it (<c>POST /api/disposals/{id}/approve</c>, which starts the recovery window) or keeps it longer
/// (<c>POST /api/disposals/{id}/extend</c>, with a new date and a reason; the blob's policy is extended too). The head
/// can cancel an approval inside the window (<c>POST /api/disposals/{id}/cancel</c>). Every step is audited.
/// </summary>
public sealed class Disposals(Database database, BlobServiceClient blobs, AuditTrail audit, TimeProvider time, IOptions<RetentionOptions> options)
{
    private Container Footage => database.GetContainer(CosmosContainers.Footage);

    [Function("ListDisposals")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(FootagePage))]
    [Query("status", "pending (default), approved or purged.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disposals")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var status = (Listing.Text(request.Query, "status") ?? "pending") switch
        {
            "pending" => "disposalPending",
            "approved" => "disposalApproved",
            "purged" => "purged",
            _ => throw ProblemException.Invalid("status", "status must be pending, approved or purged."),
        };
        var sql = Listing.Where(["c.type = @type", "c.status = @status"],
            new Dictionary<string, object> { ["@type"] = FootageRecord.DocumentType, ["@status"] = status }, "c.retentionUntil");
        var page = await Listing.PageAsync<FootageRecord>(Footage, sql, caller.UnitId, request.Query, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "disposal.list", "disposals", AuditOutcomes.Success,
            new Dictionary<string, string> { ["status"] = status }), cancellationToken);
        return TypedResults.Ok(new FootagePage([.. page], page.ContinuationToken));
    }

    [Function("ApproveDisposal")]
    [RequiresRole(Roles.Keeper)]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disposals/{id}/approve")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var window = TimeSpan.FromDays((await UnitSettings.ReadAsync(database, caller.UnitId, options.Value, cancellationToken)).RecoveryWindowDays);
        var approved = await FootageChanges.ChangeAsync(Footage, id, caller.UnitId, r => r.Status == FootageStatus.DisposalPending && r.Holds.Count == 0
            ? r with { Status = FootageStatus.DisposalApproved, Disposal = r.Disposal! with { ApprovedBy = caller.UserId, ApprovedAt = now, PurgeAfter = now + window } }
            : null, cancellationToken);
        return await Outcome(caller, id, "disposal.approved", approved, cancellationToken);
    }

    [Function("ExtendRetention")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(DisposalExtension))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Extend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disposals/{id}/extend")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<DisposalExtension>(request, 4096, cancellationToken);
        var now = time.GetUtcNow();
        if (body.Until is not { } until || until <= now)
        {
            throw ProblemException.Invalid("until", "The new retention date must be in the future.");
        }

        var reason = ProblemException.RequireReason(body.Reason, "Keeping footage longer");

        if (await Documents.ReadAsync<FootageRecord>(Footage, id, caller.UnitId, cancellationToken) is not { } current
            || current.Document.Status is not (FootageStatus.DisposalPending or FootageStatus.DisposalApproved or FootageStatus.Available))
        {
            return Problems.NoSuchFootage;
        }

        if (until <= current.Document.RetentionUntil)
        {
            throw ProblemException.Invalid("until", "Retention can only be extended: the new date must be later than the current one.");
        }

        // Storage first: the policy moves later (a Locked policy can only be extended), then the record follows.
        var mode = (await UnitSettings.ReadAsync(database, caller.UnitId, options.Value, cancellationToken)).PolicyMode;
        await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(current.Document.BlobName)
            .SetImmutabilityPolicyAsync(new BlobImmutabilityPolicy
            {
                ExpiresOn = until,
                PolicyMode = mode == PolicyMode.Locked ? BlobImmutabilityPolicyMode.Locked : BlobImmutabilityPolicyMode.Unlocked,
            }, cancellationToken: cancellationToken);
        var extended = await FootageChanges.ChangeAsync(Footage, id, caller.UnitId,
            r => r with { RetentionUntil = until, RetentionExtendedUntil = until, Status = r.Status == FootageStatus.Purged ? r.Status : FootageStatus.Available, Disposal = null }, cancellationToken);
        return await Outcome(caller, id, "disposal.extended", extended, cancellationToken, new Dictionary<string, string>
        {
            ["until"] = until.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["reason"] = reason,
        });
    }

    [Function("CancelDisposal")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(DisposalCancellation))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disposals/{id}/cancel")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<DisposalCancellation>(request, 4096, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Cancelling a disposal");

        var now = time.GetUtcNow();
        var cancelled = await FootageChanges.ChangeAsync(Footage, id, caller.UnitId,
            r => r.Status == FootageStatus.DisposalApproved && r.Disposal?.PurgeAfter > now
                ? r with { Status = FootageStatus.DisposalPending, Disposal = new Disposal(r.Disposal.PendingSince) }
                : null, cancellationToken);
        return await Outcome(caller, id, "disposal.cancelled", cancelled, cancellationToken, new Dictionary<string, string> { ["reason"] = reason });
    }

    private async Task<IResult> Outcome(Caller caller, string id, string action, FootageRecord? changed, CancellationToken cancellationToken,
        Dictionary<string, string>? details = null)
    {
        await audit.AppendAsync(AuditEntry.By(caller, action, $"footage/{id}",
            changed is null ? AuditOutcomes.Denied : AuditOutcomes.Success, details), cancellationToken);
        return changed is null
            ? TypedResults.Problem("No footage in your unit is in that step of disposal.", statusCode: StatusCodes.Status409Conflict, title: "Not possible now.")
            : TypedResults.Ok(changed);
    }
}
