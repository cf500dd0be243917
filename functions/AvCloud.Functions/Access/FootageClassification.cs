using System.ComponentModel.DataAnnotations;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Access;

/// <summary>What the keeper or head sends to classify footage.</summary>
public sealed record ClassificationBody([Required] Classification? Level, [Required] string? Reason);

/// <summary>
/// <c>PUT /api/footage/{id}/classification</c> (Keeper, Head), Art. 14: raising the level takes effect at once; lowering
/// it needs the head. Both are audited, refusals too. Requests already approved are checked against the new level when
/// links are asked for.
/// </summary>
public sealed class FootageClassification(FootageStore footage, TimeProvider time)
{
    [Function("SetFootageClassification")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ClassificationBody))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    public async Task<IResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/footage/{id}/classification")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<ClassificationBody>(request, 8 * 1024, cancellationToken, errors);
        var level = Fields.Required(body.Level, "level", errors);
        ProblemException.ThrowIfAny(errors);
        var reason = ProblemException.RequireReason(body.Reason, "Classifying footage");

        var now = time.GetUtcNow();
        var asked = new Dictionary<string, string> { ["to"] = AccessRules.Name(level!.Value), ["reason"] = reason };
        var changed = (await footage.ChangeAsync(caller.UnitId, id, r => r.Classify(level.Value, reason, caller, now),
            (before, _) => AuditEntry.By(caller, AuditAction.FootageClassified, $"footage/{id}", AuditOutcomes.Success,
                new Dictionary<string, string>(asked) { ["from"] = AccessRules.Name(before.Classification) }),
            cancellationToken)).OrRefuse(AuditAction.FootageClassified, $"footage/{id}", asked);
        return TypedResults.Ok(changed);
    }
}
