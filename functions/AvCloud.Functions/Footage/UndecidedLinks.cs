using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Footage;

/// <summary>A recording the rule could not link alone, with the activities that fit it.</summary>
public sealed record UndecidedLink(FootageRecord Footage, IReadOnlyList<Activity> Candidates);

public sealed record UndecidedPage(IReadOnlyList<UndecidedLink> Items, string? ContinuationToken);

/// <summary>
/// Art. 5: <c>GET /api/footage/undecided</c> (Keeper, Head): the keeper's list of recordings that need a decision,
/// those for which the rule found two or more activities, each with its candidates, oldest recording first. The keeper
/// decides with <c>PUT /api/footage/{id}/activity</c> (or <c>DELETE</c> for none), with a reason. Footage the caller may
/// not see takes no part in it (Art. 14). Reading it is audited.
/// </summary>
public sealed class UndecidedLinks(FootageStore footage, ActivityStore activities, AuditTrail audit)
{
    [Function("ListUndecidedLinks")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(UndecidedPage))]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/footage/undecided")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var page = await footage.PageUndecidedAsync(caller.UnitId, AccessRules.ClearanceOf(caller), request.Query, cancellationToken);
        var candidates = (await activities.ByIdsAsync(caller.UnitId, [.. page.SelectMany(r => r.LinkCandidates).Distinct(StringComparer.Ordinal)], cancellationToken))
            .ToDictionary(a => a.Id, StringComparer.Ordinal);
        var items = page.Select(r => new UndecidedLink(r, [.. r.LinkCandidates.Where(candidates.ContainsKey).Select(id => candidates[id])])).ToList();
        await audit.RecordAsync(caller, AuditAction.FootageListed, "footage/undecided", new Dictionary<string, string>
        {
            ["query"] = request.QueryString.Value ?? "",
            ["count"] = items.Count.ToString(CultureInfo.InvariantCulture),
        }, cancellationToken);
        return TypedResults.Ok(new UndecidedPage(items, page.ContinuationToken));
    }
}
