using Azure.Storage.Blobs;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Functions.Footage;

/// <summary>What the keeper or head sends to place a preservation hold.</summary>
public sealed record HoldRequest(string? Reason, string? ReasonText, string? CaseName, string? CaseNumber, string? RequestedBy);

/// <summary>What the head sends to release one.</summary>
public sealed record HoldRelease(string? Reason);

/// <summary>
/// Art. 16: footage that is disputed, records obstruction or assault of officers, or belongs to a major or sensitive
/// case is kept beyond its retention period, in two copies. <c>POST /api/footage/{id}/holds</c> (Keeper, Head) sets
/// the legal hold on the footage blob and makes a second copy in the preservation account, held and labelled, and
/// verified by SHA-256; <c>DELETE /api/footage/{id}/holds/{holdId}</c> (Head, with a reason) releases one hold, and the
/// legal holds come off only when the last is released. Every step is audited.
/// </summary>
public sealed class PreservationHolds(
    Database database,
    BlobServiceClient blobs,
    [FromKeyedServices(BlobContainers.PreservationAccount)] BlobServiceClient preservation,
    SecondCopies secondCopies,
    AuditTrail audit,
    TimeProvider time)
{
    private const int MaxBodyBytes = 16 * 1024;

    private Container Footage => database.GetContainer(CosmosContainers.Footage);

    [Function("PlaceHold")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(HoldRequest))]
    [Answers(StatusCodes.Status201Created, typeof(FootageRecord))]
    public async Task<IResult> Place(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "footage/{id}/holds")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<HoldRequest>(request, MaxBodyBytes, cancellationToken);
        var hold = Validate(body, caller, time.GetUtcNow());
        var found = await Documents.ReadAsync<FootageRecord>(Footage, id, caller.UnitId, cancellationToken);
        if (found is not { } current)
        {
            return NotFound();
        }

        // Storage first, record second: a record never claims a hold the blob does not have.
        var footageBlob = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(current.Document.BlobName);
        await footageBlob.SetLegalHoldAsync(true, cancellationToken);
        var copy = await secondCopies.EnsureAsync(current.Document, hold.CaseName, hold.CaseNumber, cancellationToken);

        var record = await UpdateAsync(id, caller.UnitId, r => r with { Holds = [.. r.Holds, hold], SecondCopy = copy }, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "hold.placed", $"footage/{id}", AuditOutcomes.Success,
            new Dictionary<string, string>
            {
                ["hold"] = hold.Id,
                ["reason"] = hold.Reason.ToString(),
                ["case"] = $"{hold.CaseName} ({hold.CaseNumber})",
                ["requestedBy"] = hold.RequestedBy,
                ["secondCopy"] = $"{copy.Account}/{copy.BlobName}",
                ["secondCopySha256"] = copy.Sha256,
            }), cancellationToken);
        return TypedResults.Created($"/api/footage/{id}/holds/{hold.Id}", record);
    }

    [Function("ReleaseHold")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(HoldRelease))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    public async Task<IResult> Release(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "footage/{id}/holds/{holdId}")] HttpRequest request,
        string id,
        string holdId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<HoldRelease>(request, MaxBodyBytes, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Releasing a hold");

        var found = await Documents.ReadAsync<FootageRecord>(Footage, id, caller.UnitId, cancellationToken);
        if (found is not { } current || current.Document.Holds.All(h => h.Id != holdId))
        {
            return NotFound();
        }

        var record = await UpdateAsync(id, caller.UnitId, r => r with { Holds = [.. r.Holds.Where(h => h.Id != holdId)] }, cancellationToken);
        if (record.Holds.Count == 0)
        {
            // The last hold is gone: both copies go back to retention alone.
            await blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName).SetLegalHoldAsync(false, cancellationToken);
            if (record.SecondCopy is { } copy)
            {
                await preservation.GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(copy.BlobName).SetLegalHoldAsync(false, cancellationToken);
            }
        }

        await audit.AppendAsync(AuditEntry.By(caller, "hold.released", $"footage/{id}", AuditOutcomes.Success,
            new Dictionary<string, string>
            {
                ["hold"] = holdId,
                ["reason"] = reason,
                ["holdsRemaining"] = record.Holds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }), cancellationToken);
        return TypedResults.Ok(record);
    }

    private static PreservationHold Validate(HoldRequest body, Caller caller, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.Reason is null || !Enum.TryParse<HoldReason>(body.Reason, ignoreCase: true, out var reason) || !Enum.IsDefined(reason) || int.TryParse(body.Reason, out _))
        {
            errors["reason"] = ["The reason must be dispute, obstruction, majorCase or other."];
            reason = default;
        }
        else if (reason == HoldReason.Other && string.IsNullOrWhiteSpace(body.ReasonText))
        {
            errors["reasonText"] = ["A hold for another reason needs the reason in text."];
        }

        foreach (var (field, value) in new[] { ("caseName", body.CaseName), ("caseNumber", body.CaseNumber), ("requestedBy", body.RequestedBy) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Length > 200 || value.Any(char.IsControl))
            {
                errors[field] = [$"The {field} is required (up to 200 characters, no control characters)."];
            }
        }

        if (body.ReasonText is { Length: > 1000 })
        {
            errors["reasonText"] = ["The reason text may be at most 1000 characters."];
        }

        if (errors.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "The hold request is not valid.", "See errors for each field.") { Errors = errors };
        }

        return new PreservationHold(Guid.NewGuid().ToString("N"), reason, body.ReasonText, body.CaseName!, body.CaseNumber!, body.RequestedBy!,
            caller.UserId, now);
    }

    private async Task<FootageRecord> UpdateAsync(string id, string unitId, Func<FootageRecord, FootageRecord> change, CancellationToken cancellationToken) =>
        await FootageChanges.ChangeAsync(Footage, id, unitId, change, cancellationToken)
            ?? throw new InvalidOperationException($"Footage {id} disappeared.");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound() =>
        Problems.NotFound("No such footage or hold in your unit.");
}
