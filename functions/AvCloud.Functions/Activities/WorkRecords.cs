using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Activities;

public sealed record WorkRecordBody([Required] WorkRecordReason? Reason, [Required] string? Explanation);

public sealed record WorkRecordDecision(string? Reason = null);

public sealed record WorkRecordPage(IReadOnlyList<WorkRecord> Items, string? ContinuationToken);

/// <summary>
/// Art. 12: when recording stopped or never started (device fault, low battery or full storage; bad weather;
/// obstruction; other force majeure), an officer of the activity files a work record
/// (<c>POST /api/activities/{id}/work-records</c>); only the unit head approves or rejects it
/// (<c>.../work-records/{recordId}/approve</c>, <c>.../reject</c>). An approved record explains the activity's gap in the
/// reports and is archived like footage: written once to the footage store under a retention policy, with its SHA-256.
/// </summary>
public sealed class WorkRecords(ActivityStore activities, UnitStore units, BlobServiceClient blobs, TimeProvider time, StorageClock storageClock)
{
    [Function("SubmitWorkRecord")]
    [RequiresRole(Roles.Officer)]
    [Accepts(typeof(WorkRecordBody))]
    [Answers(StatusCodes.Status201Created, typeof(WorkRecord))]
    public async Task<IResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/activities/{id}/work-records")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<WorkRecordBody>(request, 16 * 1024, cancellationToken, errors);
        var reason = Fields.Required(body.Reason, "reason", errors);
        if (string.IsNullOrWhiteSpace(body.Explanation) || body.Explanation.Length > 4000)
        {
            errors["explanation"] = ["Explain what happened (up to 4000 characters)."];
        }

        ProblemException.ThrowIfAny(errors);
        var activity = await activities.ReadAsync(caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such activity in your unit.");
        activity.AcceptsWorkRecordFrom(caller).OrRefuse(AuditAction.WorkRecordSubmitted, $"activities/{id}");

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
        await activities.CreateAsync(record, AuditEntry.By(caller, AuditAction.WorkRecordSubmitted, Target(record), AuditOutcomes.Success,
            new Dictionary<string, string> { ["activity"] = id, ["reason"] = AvCloudJson.Name(record.Reason) }), cancellationToken);
        return TypedResults.Created($"/api/activities/{id}/work-records/{record.Id}", record);
    }

    [Function("ListWorkRecords")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(WorkRecordPage))]
    [Query("status", "pending (default), approved or rejected.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/work-records")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var status = Listing.Enum<WorkRecordStatus>(request.Query, "status") ?? WorkRecordStatus.Pending;
        var page = await activities.PageWorkRecordsAsync(caller.UnitId, status, request.Query, cancellationToken);
        return TypedResults.Ok(new WorkRecordPage([.. page], page.ContinuationToken));
    }

    [Function("ApproveWorkRecord")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(WorkRecordDecision))]
    [Answers(StatusCodes.Status200OK, typeof(WorkRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/activities/{id}/work-records/{recordId}/approve")] HttpRequest request,
        string id,
        string recordId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<WorkRecordDecision>(request, 4096, cancellationToken);
        var target = $"activities/{id}/work-records/{recordId}";
        var current = await activities.ReadWorkRecordAsync(caller.UnitId, id, recordId, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such work record for that activity in your unit.");
        var now = time.GetUtcNow();
        var approved = current.Approve(caller, body.Reason, now).OrRefuse(AuditAction.WorkRecordApproved, target);

        // The archive first (written once, named by the record), then the record: an approved record always has its copy.
        var activity = (await activities.ReadAsync(caller.UnitId, id, cancellationToken))!;
        var (blobName, sha256) = await ArchiveAsync(approved, activity, cancellationToken);
        var stored = (await activities.ChangeWorkRecordAsync(caller.UnitId, id, recordId, r => r.Archived(caller, body.Reason, now, blobName, sha256),
            (_, after) => AuditEntry.By(caller, AuditAction.WorkRecordApproved, target, AuditOutcomes.Success, new Dictionary<string, string> { ["activity"] = id, ["archive"] = blobName, ["sha256"] = sha256 }),
            cancellationToken)).OrRefuse(AuditAction.WorkRecordApproved, target);
        return TypedResults.Ok(stored);
    }

    [Function("RejectWorkRecord")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(WorkRecordDecision))]
    [Answers(StatusCodes.Status200OK, typeof(WorkRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Reject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/activities/{id}/work-records/{recordId}/reject")] HttpRequest request,
        string id,
        string recordId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<WorkRecordDecision>(request, 4096, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Rejecting a work record");
        var target = $"activities/{id}/work-records/{recordId}";
        var now = time.GetUtcNow();
        var stored = (await activities.ChangeWorkRecordAsync(caller.UnitId, id, recordId, r => r.Reject(caller, reason, now),
            (_, after) => AuditEntry.By(caller, AuditAction.WorkRecordRejected, target, AuditOutcomes.Success, new Dictionary<string, string> { ["activity"] = id, ["reason"] = reason }),
            cancellationToken)).OrRefuse(AuditAction.WorkRecordRejected, target);
        return TypedResults.Ok(stored);
    }

    // Written once, under the unit's retention and policy mode, like the footage it stands in for. A retry finds the
    // same bytes already there (the name is the record's id) and keeps them.
    private async Task<(string BlobName, string Sha256)> ArchiveAsync(WorkRecord record, Activity activity, CancellationToken cancellationToken)
    {
        var settings = await units.SettingsAsync(record.UnitId, cancellationToken);
        var content = JsonSerializer.SerializeToUtf8Bytes(new { workRecord = record, activity }, AvCloudJson.Options);
        var blobName = string.Create(CultureInfo.InvariantCulture, $"{record.UnitId}/work-records/{activity.Start.UtcDateTime:yyyy}/{record.Id}.json");
        var blob = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(blobName);
        var until = RetentionRule.RetainUntil(activity.Start, settings.MonthsFor([AvCloudJson.Name(activity.Kind)]));
        if (!await Immutability.WriteOnceAsync(blob, content, until, settings.PolicyMode, storageClock, cancellationToken))
        {
            content = (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }

        return (blobName, Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    private static string Target(WorkRecord record) => $"activities/{record.ActivityId}/work-records/{record.Id}";
}
