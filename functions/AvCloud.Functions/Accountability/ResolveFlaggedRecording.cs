using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Accountability;

public sealed record FlagResolutionBody([Required] FlagResolutionKind? Resolution, [Required] string? Reason, string? ActivityId = null, string? MisconductCaseId = null);

/// <summary>
/// Art. 5: <c>POST /api/footage/{id}/resolution</c> (Keeper, Head) settles a recording flagged as linked to no activity
/// or made while its device was not checked out: explained, linked (through the same link transition and audit as
/// <c>PUT /api/footage/{id}/activity</c>), or referred for misconduct; once, with a reason, audited. The compliance
/// report shows what is still unresolved, by age.
/// </summary>
public sealed class ResolveFlaggedRecording(FootageStore footage, ActivityStore activities, ActivityLinker linker, TimeProvider time, IOptions<IngestOptions> ingest)
{
    [Function("ResolveFlaggedRecording")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(FlagResolutionBody))]
    [Answers(StatusCodes.Status201Created, typeof(FlagResolution))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Resolve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/footage/{id}/resolution")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<FlagResolutionBody>(request, 8 * 1024, cancellationToken, errors);
        var resolution = Fields.Required(body.Resolution, "resolution", errors);
        var reason = Fields.Text(body.Reason, "reason", 2000, errors);
        var caseId = body.MisconductCaseId is null ? null : Fields.Id(body.MisconductCaseId, "misconductCaseId", "misconduct case id", errors);
        if (resolution == FlagResolutionKind.Linked && body.ActivityId is null)
        {
            errors["activityId"] = ["Name the activity the recording is linked to."];
        }

        ProblemException.ThrowIfAny(errors);
        var target = $"footage/{id}";
        // Art. 14: a recording the caller may not see is "not found" to them, like any other.
        if (await footage.ReadAsync(caller.UnitId, id, cancellationToken) is not { } record || !AccessRules.ClearanceOf(caller).Sees(record.Classification))
        {
            throw FootageStore.NoSuchFootage.Audited(AuditAction.FlagResolved, target);
        }

        var now = time.GetUtcNow();
        var resolved = FlagResolution.Of(record, resolution!.Value, reason!, body.ActivityId, caseId, caller.UserId, now).OrRefuse(AuditAction.FlagResolved, target);
        if (await activities.ReadResolutionAsync(caller.UnitId, id, cancellationToken) is not null)
        {
            throw Refusal.Conflict("The recording is already resolved.", "already resolved").Audited(AuditAction.FlagResolved, target);
        }

        if (caseId is not null && await activities.ReadMisconductCaseAsync(caller.UnitId, caseId, cancellationToken) is null)
        {
            throw Refusal.Invalid("misconductCaseId", "No such misconduct case in your unit.").Audited(AuditAction.FlagResolved, target);
        }

        if (resolution == FlagResolutionKind.Linked)
        {
            await LinkAsync(caller, record, body.ActivityId!, reason!, cancellationToken);
        }

        if (!await activities.CreateAsync(resolved, AuditEntry.By(caller, AuditAction.FlagResolved, target, AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["resolution"] = AvCloudJson.Name(resolved.Resolution),
                ["flags"] = string.Join(", ", resolved.Flags),
                ["reason"] = resolved.Reason,
                ["activity"] = resolved.ActivityId ?? "",
                ["misconductCase"] = resolved.MisconductCaseId ?? "",
            }), cancellationToken))
        {
            throw Refusal.Conflict("The recording is already resolved.", "already resolved").Audited(AuditAction.FlagResolved, target);
        }

        return TypedResults.Created($"/api/footage/{id}/resolution", resolved);
    }

    // The link of PUT /api/footage/{id}/activity: the record's link transition by a keeper and its audit event, then what follows a link
    // (the retention date worked out again, the holds of a held case).
    private async Task LinkAsync(Caller caller, FootageRecord record, string activityId, string reason, CancellationToken cancellationToken)
    {
        var target = $"footage/{record.Id}";
        var activity = await activities.ReadAsync(caller.UnitId, activityId, cancellationToken)
            ?? throw Refusal.Invalid("activityId", "No such activity in your unit.").Audited(AuditAction.FlagResolved, target);
        var linked = (await footage.ChangeAsync(caller.UnitId, record.Id, r => r.ActivityId is null ? r.LinkTo(activity, ingest.Value.HandoverAllowance, LinkMethod.Keeper)
                : Refusal.Conflict("The recording was linked meanwhile.", "already linked"),
            (_, after) => AuditEntry.By(caller, AuditAction.FootageLinked, target, AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["activity"] = activity.Id,
                ["by"] = AvCloudJson.Name(LinkMethod.Keeper),
                ["reason"] = reason,
                ["handoverDeadline"] = after.HandoverDeadline.ToString("O", CultureInfo.InvariantCulture),
            }),
            cancellationToken)).OrRefuse(AuditAction.FootageLinked, target);
        await linker.LinkedAsync(caller, linked, record.ActivityKind, $"Linked to activity {activity.Id} by a keeper.", cancellationToken);
    }
}
