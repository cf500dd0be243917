using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Activities;

public sealed record WorkRecordBody(string? Reason, string? Explanation);

public sealed record WorkRecordDecision(string? Reason);

/// <summary>
/// Art. 12: when recording stopped or never started (device fault, low battery or full storage; bad weather;
/// obstruction; other force majeure), an officer of the activity files a work record
/// (<c>POST /api/activities/{id}/work-records</c>); only the unit head approves or rejects it
/// (<c>.../work-records/{recordId}/approve</c>, <c>.../reject</c>). An approved record explains the activity's gap in the
/// reports and is archived like footage: written once to the footage store under a retention policy, with its SHA-256.
/// </summary>
public sealed class WorkRecords(Database database, BlobServiceClient blobs, AuditTrail audit, TimeProvider time, StorageClock storageClock,
    IOptions<RetentionOptions> retention)
{
    private Container Activities => database.GetContainer(CosmosContainers.Activities);

    [Function("SubmitWorkRecord")]
    [RequiresRole(Roles.Officer)]
    [Accepts(typeof(WorkRecordBody))]
    [Answers(StatusCodes.Status201Created, typeof(WorkRecord))]
    public async Task<IResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "activities/{id}/work-records")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<WorkRecordBody>(request, 16 * 1024, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var reason = AvCloudJson.Parse<WorkRecordReason>(body.Reason);
        if (reason is null)
        {
            errors["reason"] = [$"The reason is one of: {AvCloudJson.Names<WorkRecordReason>()}."];
        }

        if (string.IsNullOrWhiteSpace(body.Explanation) || body.Explanation.Length > 4000)
        {
            errors["explanation"] = ["Explain what happened (up to 4000 characters)."];
        }

        ProblemException.ThrowIfAny(errors);
        var activity = await ManageActivities.ReadAsync(database, caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such activity in your unit.");
        if (!activity.Officers.Contains(caller.UserId))
        {
            await audit.AppendAsync(AuditEntry.By(caller, "workrecord.submitted", $"activities/{id}", AuditOutcomes.Denied, new Dictionary<string, string> { ["reason"] = "not an officer of the activity" }), cancellationToken);
            throw new ProblemException(StatusCodes.Status403Forbidden, "Not your activity.", "Work records are filed by the officers of the activity.");
        }

        var record = new WorkRecord
        {
            Id = Guid.NewGuid().ToString("N"),
            UnitId = caller.UnitId,
            ActivityId = id,
            OfficerId = caller.UserId,
            Reason = reason!.Value,
            Explanation = body.Explanation!.Trim(),
            SubmittedAt = time.GetUtcNow(),
        };
        await Activities.CreateItemAsync(record, new PartitionKey(caller.UnitId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "workrecord.submitted", Target(record), AuditOutcomes.Success, new Dictionary<string, string> { ["activity"] = id, ["reason"] = AvCloudJson.Name(record.Reason) }),
            cancellationToken);
        return TypedResults.Created($"/api/activities/{id}/work-records/{record.Id}", record);
    }

    [Function("ApproveWorkRecord")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(WorkRecordDecision))]
    [Answers(StatusCodes.Status200OK, typeof(WorkRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "activities/{id}/work-records/{recordId}/approve")] HttpRequest request,
        string id,
        string recordId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<WorkRecordDecision>(request, 4096, cancellationToken);
        var current = await PendingAsync(caller, id, recordId, cancellationToken);
        var activity = (await ManageActivities.ReadAsync(database, caller.UnitId, id, cancellationToken))!;
        var now = time.GetUtcNow();
        var approved = current with { Status = WorkRecordStatus.Approved, DecidedBy = caller.UserId, DecidedAt = now, DecisionReason = body.Reason };
        var (blobName, sha256) = await ArchiveAsync(approved, activity, cancellationToken);
        var stored = await Documents.ChangeAsync<WorkRecord>(Activities, recordId, caller.UnitId,
            r => r.Status == WorkRecordStatus.Pending ? approved with { ArchiveBlob = blobName, ArchiveSha256 = sha256 } : null, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", "The work record was decided meanwhile.");
        await audit.AppendAsync(AuditEntry.By(caller, "workrecord.approved", Target(stored), AuditOutcomes.Success, new Dictionary<string, string> { ["activity"] = id, ["archive"] = blobName, ["sha256"] = sha256 }),
            cancellationToken);
        return TypedResults.Ok(stored);
    }

    [Function("RejectWorkRecord")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(WorkRecordDecision))]
    [Answers(StatusCodes.Status200OK, typeof(WorkRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Reject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "activities/{id}/work-records/{recordId}/reject")] HttpRequest request,
        string id,
        string recordId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<WorkRecordDecision>(request, 4096, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Rejecting a work record");
        await PendingAsync(caller, id, recordId, cancellationToken);
        var now = time.GetUtcNow();
        var stored = await Documents.ChangeAsync<WorkRecord>(Activities, recordId, caller.UnitId, r => r.Status == WorkRecordStatus.Pending
            ? r with { Status = WorkRecordStatus.Rejected, DecidedBy = caller.UserId, DecidedAt = now, DecisionReason = reason }
            : null, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", "The work record was decided meanwhile.");
        await audit.AppendAsync(AuditEntry.By(caller, "workrecord.rejected", Target(stored), AuditOutcomes.Success, new Dictionary<string, string> { ["activity"] = id, ["reason"] = reason }), cancellationToken);
        return TypedResults.Ok(stored);
    }

    private async Task<WorkRecord> PendingAsync(Caller caller, string activityId, string recordId, CancellationToken cancellationToken)
    {
        var found = (await Documents.ReadAsync<WorkRecord>(Activities, recordId, caller.UnitId, cancellationToken))?.Document;
        if (found is not { Type: WorkRecord.DocumentType } record || record.ActivityId != activityId)
        {
            throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such work record for that activity in your unit.");
        }

        return record.Status == WorkRecordStatus.Pending
            ? record
            : throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", $"The work record is already {AvCloudJson.Name(record.Status)}.");
    }

    // Written once, under the unit's retention and policy mode, like the footage it stands in for. A retry finds the
    // same bytes already there (the name is the record's id) and keeps them.
    private async Task<(string BlobName, string Sha256)> ArchiveAsync(WorkRecord record, Activity activity, CancellationToken cancellationToken)
    {
        var settings = await UnitSettings.ReadAsync(database, record.UnitId, retention.Value, cancellationToken);
        var content = JsonSerializer.SerializeToUtf8Bytes(new { workRecord = record, activity }, AvCloudJson.Options);
        var blobName = string.Create(CultureInfo.InvariantCulture, $"{record.UnitId}/work-records/{activity.Start.UtcDateTime:yyyy}/{record.Id}.json");
        var blob = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(blobName);
        var until = RetentionRule.RetainUntil(activity.Start, settings.MonthsFor([AvCloudJson.Name(activity.Kind)]));
        try
        {
            await blob.UploadAsync(new BinaryData(content), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                ImmutabilityPolicy = until > storageClock.GetUtcNow().AddMinutes(1)
                    ? new BlobImmutabilityPolicy
                    {
                        ExpiresOn = until,
                        PolicyMode = settings.PolicyMode == PolicyMode.Locked ? BlobImmutabilityPolicyMode.Locked : BlobImmutabilityPolicyMode.Unlocked,
                    }
                    : null,
            }, cancellationToken);
            return (blobName, Convert.ToHexStringLower(SHA256.HashData(content)));
        }
        catch (RequestFailedException exception) when (exception.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
        {
            var existing = (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
            return (blobName, Convert.ToHexStringLower(SHA256.HashData(existing)));
        }
    }

    private static string Target(WorkRecord record) => $"activities/{record.ActivityId}/work-records/{record.Id}";

}
