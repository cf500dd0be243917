using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Audit;

/// <summary>
/// <c>GET /api/audit?target=&amp;actor=&amp;action=&amp;from=&amp;to=&amp;pageSize=&amp;continuationToken=</c>: the caller's
/// unit's audit events, newest first, paged. For supervisors and the unit head; the reading is itself audited.
/// </summary>
public sealed class ReadAuditTrail(AuditTrail audit, Footage.FootageStore footage)
{
    [Function(nameof(ReadAuditTrail))]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(AuditPage))]
    [Query("action", "Action, e.g. access.link.")]
    [Query("actor", "User id.")]
    [Query("target", "e.g. footage/{id}.")]
    [Query("from", "From (ISO 8601).")]
    [Query("to", "To (ISO 8601).")]
    [Paged]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var query = request.Query;
        // Art. 14: events about recordings at a level the caller may not see are not theirs to read (a supervisor inspects
        // the trail; the keeper and the head see it whole).
        // Events that name such a recording only in their details (a score, a misconduct case, a share's play) are left
        // out of the page too, which may then hold fewer than pageSize events; the continuation goes on from the same place.
        var withheld = (await footage.WithheldIdsAsync(caller.UnitId, Access.AccessRules.ClearanceOf(caller), cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var page = await audit.PageAsync(caller.UnitId, Listing.Text(query, "target"), Listing.Text(query, "actor"), Listing.Text(query, "action"),
            Listing.Time(query, "from"), Listing.Time(query, "to"), [.. withheld.Select(id => $"footage/{id}")], query, cancellationToken);
        await audit.RecordAsync(caller, AuditAction.AuditRead, "audit", new Dictionary<string, string> { ["query"] = request.QueryString.Value ?? "" }, cancellationToken);
        return TypedResults.Ok(new AuditPage([.. page.Where(e => !e.Names(withheld))], page.ContinuationToken));
    }
}

public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, string? ContinuationToken);
