using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Access;

/// <summary>What the keeper or head sends to classify footage.</summary>
public sealed record ClassificationBody(string? Level, string? Reason);

/// <summary>
/// <c>PUT /api/footage/{id}/classification</c> (Keeper, Head), Art. 14: raising the level takes effect at once; lowering
/// it needs the head. Both are audited, refusals too. Requests already approved are checked against the new level when
/// links are asked for.
/// </summary>
public sealed class FootageClassification(Database database, AuditTrail audit, TimeProvider time)
{
    [Function("SetFootageClassification")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(ClassificationBody))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    public async Task<IResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "footage/{id}/classification")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ClassificationBody>(request, 8 * 1024, cancellationToken);
        var level = AvCloudJson.Parse<Classification>(body.Level)
            ?? throw ProblemException.Invalid("level", "The level is none, privacy, tradeSecret or stateSecret.");
        var reason = ProblemException.RequireReason(body.Reason, "Classifying footage");
        var footage = database.GetContainer(CosmosContainers.Footage);
        if (await Documents.ReadAsync<FootageRecord>(footage, id, caller.UnitId, cancellationToken) is not { Document: var current })
        {
            return Problems.NoSuchFootage;
        }

        var details = new Dictionary<string, string> { ["from"] = AccessRules.Name(current.Classification), ["to"] = AccessRules.Name(level), ["reason"] = reason };
        if (level < current.Classification && !caller.HasRole(Roles.Head))
        {
            await audit.AppendAsync(AuditEntry.By(caller, "footage.classified", $"footage/{id}", AuditOutcomes.Denied, details),
                cancellationToken);
            throw new ProblemException(StatusCodes.Status403Forbidden, "Needs the head.", "Lowering a classification needs the head; the keeper can only raise it.");
        }

        var now = time.GetUtcNow();
        var changed = await FootageChanges.ChangeAsync(footage, id, caller.UnitId, r => r with
        {
            Classification = level,
            ClassificationChange = new ClassificationChange(r.Classification, reason, caller.UserId, now),
        }, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "footage.classified", $"footage/{id}",
            changed is null ? AuditOutcomes.Failure : AuditOutcomes.Success, details), cancellationToken);
        return changed is null ? Problems.NoSuchFootage : TypedResults.Ok(changed);
    }
}
