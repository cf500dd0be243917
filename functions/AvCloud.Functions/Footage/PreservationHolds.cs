using System.ComponentModel.DataAnnotations;
using Azure.Storage.Blobs;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Footage;

/// <summary>What the keeper or head sends to place a preservation hold.</summary>
public sealed record HoldRequest([Required] HoldReason? Reason, [Required] string? CaseName, [Required] string? CaseNumber, [Required] string? RequestedBy,
    string? ReasonText = null);

/// <summary>What the head sends to release one.</summary>
public sealed record HoldRelease([Required] string? Reason);

/// <summary>
/// Art. 16: footage that is disputed, records obstruction or assault of officers, or belongs to a major or sensitive
/// case is kept beyond its retention period, in two copies. <c>POST /api/footage/{id}/holds</c> (Keeper, Head) sets
/// the legal hold on the footage blob and makes a second copy in the preservation account, held and labelled, and
/// verified by SHA-256; <c>DELETE /api/footage/{id}/holds/{holdId}</c> (Head, with a reason) releases one hold, and the
/// legal holds come off only when the last is released (the second copy then keeps the footage's retention date);
/// <c>DELETE /api/footage/{id}/holds/storage</c> (Head, with a reason) releases a legal hold storage keeps but no record
/// hold asks for. Every step is audited.
/// </summary>
public sealed class PreservationHolds(
    FootageStore footage,
    BlobServiceClient blobs,
    SecondCopies secondCopies,
    FootageHolds holds,
    AuditTrail audit,
    TimeProvider time)
{
    private const int MaxBodyBytes = 16 * 1024;

    [Function("PlaceHold")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(HoldRequest))]
    [Answers(StatusCodes.Status201Created, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Place(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/footage/{id}/holds")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<HoldRequest>(request, MaxBodyBytes, cancellationToken, errors);
        var hold = Validate(body, caller, time.GetUtcNow(), errors);
        var record = (await holds.PlaceAsync(caller, id, hold, cancellationToken)).OrRefuse(AuditAction.HoldPlaced, Target(id));
        return TypedResults.Created($"/api/footage/{id}/holds/{hold.Id}", record);
    }

    [Function("ReleaseHold")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(HoldRelease))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    public async Task<IResult> Release(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/footage/{id}/holds/{holdId}")] HttpRequest request,
        string id,
        string holdId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<HoldRelease>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Releasing a hold");

        var record = (await holds.ReleaseAsync(caller, id, holdId, reason, cancellationToken))
            .OrRefuse(AuditAction.HoldReleased, Target(id), new Dictionary<string, string> { ["hold"] = holdId });
        return TypedResults.Ok(record);
    }

    /// <summary>
    /// Art. 16: the head releases what storage holds but no record hold asks for (what <c>ReconcilePreservation</c>
    /// reports and never releases itself), with a reason. A hold placed meanwhile gets its legal holds back at once.
    /// </summary>
    [Function("ReleaseStorageHold")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(HoldRelease))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> ReleaseStorage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/footage/{id}/holds/storage")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<HoldRelease>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Releasing a hold storage keeps");
        var record = await footage.ReadAsync(caller.UnitId, id, cancellationToken) ?? throw FootageStore.NoSuchFootage.Audited(AuditAction.StorageHoldReleased, Target(id));
        record.AllowsStorageHoldRelease().OrRefuse(AuditAction.StorageHoldReleased, Target(id));

        var held = new List<BlobClient>();
        var primary = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
        var copy = secondCopies.CopyOf(record);
        foreach (var blob in new[] { primary, copy })
        {
            if (await blob.ExistsAsync(cancellationToken) && (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold)
            {
                held.Add(blob);
            }
        }

        if (held.Count == 0)
        {
            throw Refusal.Conflict("Storage holds nothing on this footage that its record does not.", "no storage-only hold").Audited(AuditAction.StorageHoldReleased, Target(id));
        }

        foreach (var blob in held)
        {
            await blob.SetLegalHoldAsync(false, cancellationToken);
        }

        // Storage last, record checked again: a hold placed while this ran must not lose its legal holds.
        var after = await footage.ReadAsync(caller.UnitId, id, cancellationToken) ?? record;
        if (after.Holds.Count > 0)
        {
            foreach (var blob in held)
            {
                await blob.SetLegalHoldAsync(true, cancellationToken);
            }

            throw Refusal.Conflict("A hold was placed meanwhile: storage keeps its legal holds.", "held by the record").Audited(AuditAction.StorageHoldReleased, Target(id));
        }

        await audit.RecordAsync(caller, AuditAction.StorageHoldReleased, Target(id), new Dictionary<string, string>
        {
            ["reason"] = reason,
            ["released"] = string.Join(", ", held.Select(b => $"{b.AccountName}/{b.BlobContainerName}/{b.Name}")),
        }, cancellationToken);
        return TypedResults.Ok(after);
    }

    private static string Target(string id) => $"footage/{id}";

    /// <summary>Art. 16's grounds of a hold (on a recording or a whole case): why (in text for "other"), and who asked; problems go to <paramref name="errors"/>.</summary>
    public static (HoldReason? Reason, string? ReasonText, string? RequestedBy) Grounds(HoldReason? reason, string? reasonText, string? requestedBy,
        Dictionary<string, string[]> errors)
    {
        var why = Fields.Required(reason, "reason", errors);
        if (why == HoldReason.Other && string.IsNullOrWhiteSpace(reasonText))
        {
            errors["reasonText"] = ["A hold for another reason needs the reason in text."];
        }

        return (why, Fields.Text(reasonText, "reasonText", 1000, errors, required: false), Fields.Text(requestedBy, "requestedBy", 200, errors));
    }

    private static PreservationHold Validate(HoldRequest body, Caller caller, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        var (reason, reasonText, requestedBy) = Grounds(body.Reason, body.ReasonText, body.RequestedBy, errors);
        var caseName = Fields.Text(body.CaseName, "caseName", 200, errors);
        var caseNumber = Fields.Text(body.CaseNumber, "caseNumber", 200, errors);
        if (errors.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "The hold request is not valid.", "See errors for each field.") { Errors = errors };
        }

        return new PreservationHold(Guid.NewGuid().ToString("N"), reason!.Value, reasonText, caseName!, caseNumber!, requestedBy!, caller.UserId, now);
    }
}
