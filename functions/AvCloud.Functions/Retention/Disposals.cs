using System.ComponentModel.DataAnnotations;
using AvCloud.Functions.Audit;
using System.Globalization;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Retention;

public sealed record DisposalExtension([Required] DateTimeOffset? Until, [Required] string? Reason);

public sealed record DisposalCancellation([Required] string? Reason);

/// <summary>
/// Art. 15 disposal review. The keeper lists what the sweep found (<c>GET /api/disposals?status=pending</c>), approves
/// it (<c>POST /api/disposals/{id}/approve</c>, which starts the recovery window) or keeps it longer
/// (<c>POST /api/disposals/{id}/extend</c>, with a new date and a reason; the blob's policy is extended too). The head
/// can cancel an approval inside the window (<c>POST /api/disposals/{id}/cancel</c>). Every step is audited.
/// </summary>
public sealed class Disposals(FootageStore footage, UnitStore units, BlobServiceClient blobs, SecondCopies secondCopies, AuditTrail audit, TimeProvider time)
{
    [Function("ListDisposals")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(FootagePage))]
    [Query("status", "pending (default), approved or purged.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/disposals")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var status = (Listing.Text(request.Query, "status")?.ToLowerInvariant() ?? "pending") switch
        {
            "pending" => FootageStatus.DisposalPending,
            "approved" => FootageStatus.DisposalApproved,
            "purged" => FootageStatus.Purged,
            _ => throw ProblemException.Invalid("status", "status must be pending, approved or purged."),
        };
        var page = await footage.PageInDisposalAsync(caller.UnitId, status, request.Query, cancellationToken);
        await audit.RecordAsync(caller, AuditAction.DisposalsListed, "disposals",
            new Dictionary<string, string> { ["status"] = AvCloudJson.Name(status) }, cancellationToken);
        return TypedResults.Ok(new FootagePage([.. page], page.ContinuationToken));
    }

    [Function("ApproveDisposal")]
    [RequiresRole(Roles.Keeper)]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/disposals/{id}/approve")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var window = TimeSpan.FromDays((await units.SettingsAsync(caller.UnitId, cancellationToken)).RecoveryWindowDays);
        var approved = (await footage.ChangeAsync(caller.UnitId, id, r => r.ApproveDisposal(caller, now, window),
            (_, after) => AuditEntry.By(caller, AuditAction.DisposalApproved, Target(id), AuditOutcomes.Success, new Dictionary<string, string> { ["purgeAfter"] = after.Disposal!.PurgeAfter!.Value.ToString("O", CultureInfo.InvariantCulture) }),
            cancellationToken)).OrRefuse(AuditAction.DisposalApproved, Target(id));
        return TypedResults.Ok(approved);
    }

    [Function("ExtendRetention")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(DisposalExtension))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Extend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/disposals/{id}/extend")] HttpRequest request,
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
        var current = await footage.ReadAsync(caller.UnitId, id, cancellationToken) ?? throw FootageStore.NoSuchFootage.Audited(AuditAction.DisposalExtended, Target(id));
        current.ExtendRetention(until).OrRefuse(AuditAction.DisposalExtended, Target(id));

        // Storage first: the policy moves later (a Locked policy can only be extended), then the record follows.
        var mode = (await units.SettingsAsync(caller.UnitId, cancellationToken)).PolicyMode;
        await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(current.BlobName)
            .SetImmutabilityPolicyAsync(Immutability.Until(until, mode), cancellationToken: cancellationToken);
        var extended = (await footage.ChangeAsync(caller.UnitId, id, r => r.ExtendRetention(until),
            (_, after) => AuditEntry.By(caller, AuditAction.DisposalExtended, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
        {
            ["until"] = until.ToString("O", CultureInfo.InvariantCulture),
            ["reason"] = reason,
        }),
            cancellationToken)).OrRefuse(AuditAction.DisposalExtended, Target(id));
        // Art. 16: the second copy keeps the footage's date.
        await secondCopies.FollowRetentionAsync(extended, cancellationToken);
        return TypedResults.Ok(extended);
    }

    [Function("CancelDisposal")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(DisposalCancellation))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/disposals/{id}/cancel")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<DisposalCancellation>(request, 4096, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Cancelling a disposal");
        var now = time.GetUtcNow();
        var cancelled = (await footage.ChangeAsync(caller.UnitId, id, r => r.CancelDisposal(now),
            (_, after) => AuditEntry.By(caller, AuditAction.DisposalCancelled, Target(id), AuditOutcomes.Success, new Dictionary<string, string> { ["reason"] = reason }),
            cancellationToken)).OrRefuse(AuditAction.DisposalCancelled, Target(id));
        return TypedResults.Ok(cancelled);
    }

    private static string Target(string id) => $"footage/{id}";
}
