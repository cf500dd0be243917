using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Activities;

/// <summary>Arts. 8 to 11: what the recording showed. <see cref="Wording"/> is left out when the unit's standard wording was used.</summary>
public sealed record ConductBody([Required] bool? OpeningStatement, [Required] bool? PartyInformed, [Required] IReadOnlyList<string>? Parties,
    [Required] IReadOnlyList<string>? EvidenceItems, [Required] bool? KeyMomentsPhotographed, string? Wording = null);

/// <summary>Art. 13: when the officers of an activity away from the unit returned to it.</summary>
public sealed record ReturnBody([Required] DateTimeOffset? ReturnedAt);

/// <summary>
/// What an activity must show beyond its recordings: <c>PUT /api/activities/{id}/conduct</c> (its officers, the keeper,
/// the head) records the opening statement (Art. 8), that the party was told, in the unit's standard words (Art. 9), the
/// parties and evidence (Art. 10) and the photographs of key moments (Art. 11); <c>PUT /api/activities/{id}/return</c>
/// marks it away from the unit with the officers' return, from which Art. 13's 24 hours run, and moves the handover
/// deadline of its recordings with it. Audited; the compliance report lists required activities missing any of it.
/// </summary>
public sealed class RecordActivityObligations(ActivityStore activities, FootageStore footage, UnitStore units, TimeProvider time, IOptions<IngestOptions> ingest)
{
    [Function("RecordActivityConduct")]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ConductBody))]
    [Answers(StatusCodes.Status200OK, typeof(Activity))]
    public async Task<IResult> Conduct(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/activities/{id}/conduct")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<ConductBody>(request, 32 * 1024, cancellationToken, errors);
        var opening = Given(body.OpeningStatement, "openingStatement", errors);
        var informed = Given(body.PartyInformed, "partyInformed", errors);
        var photographed = Given(body.KeyMomentsPhotographed, "keyMomentsPhotographed", errors);
        var parties = Items(body.Parties, "parties", errors);
        var evidence = Items(body.EvidenceItems, "evidenceItems", errors);
        var wording = Fields.Text(body.Wording, "wording", 2000, errors, required: false);
        ProblemException.ThrowIfAny(errors);

        // Art. 9: told in the unit's standard words unless other words are given.
        var standard = (await units.SettingsAsync(caller.UnitId, cancellationToken)).Obligations.NoticeWording;
        var conduct = new ActivityConduct(opening!.Value, informed!.Value, informed.Value ? wording ?? standard : null, informed.Value && (wording is null || wording == standard),
            parties!, evidence!, photographed!.Value, caller.UserId, time.GetUtcNow());
        var target = $"activities/{id}";
        var changed = (await activities.ChangeAsync(caller.UnitId, id, a => a.RecordConduct(caller, conduct),
            (_, _) => AuditEntry.By(caller, AuditAction.ActivityConductRecorded, target, AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["openingStatement"] = Flag(conduct.OpeningStatement),
                ["partyInformed"] = Flag(conduct.PartyInformed),
                ["standardWording"] = Flag(conduct.StandardWording),
                ["parties"] = conduct.Parties.Count.ToString(CultureInfo.InvariantCulture),
                ["evidenceItems"] = conduct.EvidenceItems.Count.ToString(CultureInfo.InvariantCulture),
                ["keyMomentsPhotographed"] = Flag(conduct.KeyMomentsPhotographed),
                ["missing"] = string.Join(", ", conduct.Missing),
            }),
            cancellationToken)).OrRefuse(AuditAction.ActivityConductRecorded, target);
        return TypedResults.Ok(changed);
    }

    [Function("RecordActivityReturn")]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ReturnBody))]
    [Answers(StatusCodes.Status200OK, typeof(Activity))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Return(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/activities/{id}/return")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<ReturnBody>(request, 4096, cancellationToken, errors);
        var at = Given(body.ReturnedAt, "returnedAt", errors);
        ProblemException.ThrowIfAny(errors);

        var target = $"activities/{id}";
        var now = time.GetUtcNow();
        var changed = (await activities.ChangeAsync(caller.UnitId, id,
            a => caller.HasRole(Roles.Keeper) || caller.HasRole(Roles.Head) || a.Officers.Contains(caller.UserId)
                ? a.ReturnedToUnit(at!.Value.ToUniversalTime(), now)
                : Refusal.Forbidden("Not your activity.", "The return is recorded by the activity's officers, the keeper or the head.", "not an officer of the activity"),
            (_, after) => AuditEntry.By(caller, AuditAction.ActivityReturnRecorded, target, AuditOutcomes.Success,
                new Dictionary<string, string> { ["returnedAt"] = after.ReturnedAt!.Value.ToString("O", CultureInfo.InvariantCulture) }),
            cancellationToken)).OrRefuse(AuditAction.ActivityReturnRecorded, target);

        // Art. 13: the recordings already linked are judged again against the deadline that runs from the return.
        await foreach (var record in footage.FindAsync(caller.UnitId, new FootageFilter(Activities: [id]), cancellationToken))
        {
            await footage.ChangeAsync(caller.UnitId, record.Id, r => r.HandoverJudgedBy(changed, ingest.Value.HandoverAllowance),
                (before, after) => AuditEntry.By(caller, AuditAction.HandoverDeadlineMoved, $"footage/{record.Id}", AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["activity"] = id,
                    ["from"] = before.HandoverDeadline.ToString("O", CultureInfo.InvariantCulture),
                    ["to"] = after.HandoverDeadline.ToString("O", CultureInfo.InvariantCulture),
                    ["handedOverInTime"] = Flag(after.HandedOverInTime),
                }),
                cancellationToken);
        }

        return TypedResults.Ok(changed);
    }

    private static IReadOnlyList<string>? Items(IReadOnlyList<string>? items, string field, Dictionary<string, string[]> errors)
    {
        if (items is null || items.Count > 100 || items.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > 500))
        {
            errors[field] = ["Up to 100 entries of up to 500 characters each (an empty list for none)."];
            return null;
        }

        return [.. items.Select(i => i.Trim())];
    }

    private static T? Given<T>(T? value, string field, Dictionary<string, string[]> errors)
        where T : struct
    {
        if (value is null)
        {
            errors[field] = [$"The {field} is required."];
        }

        return value;
    }

    private static string Flag(bool value) => value ? "true" : "false";
}
