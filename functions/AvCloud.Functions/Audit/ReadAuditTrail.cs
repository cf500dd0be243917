using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Audit;

/// <summary>
/// <c>GET /api/audit?target=&amp;actor=&amp;action=&amp;from=&amp;to=&amp;pageSize=&amp;continuationToken=</c>: the caller's
/// unit's audit events, newest first, paged. For supervisors and the unit head; the reading is itself audited.
/// </summary>
public sealed class ReadAuditTrail(Database database, AuditTrail audit)
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
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var query = request.Query;
        var filters = new List<string> { "c.type = @type" };
        var definition = new Dictionary<string, object> { ["@type"] = AuditEvent.DocumentType };
        foreach (var field in new[] { "target", "actor", "action" })
        {
            if (query[field].ToString() is { Length: > 0 } value)
            {
                filters.Add($"c.{field} = @{field}");
                definition[$"@{field}"] = value;
            }
        }

        if (Listing.Time(query, "from") is { } from)
        {
            filters.Add("c.time >= @from");
            definition["@from"] = from;
        }

        if (Listing.Time(query, "to") is { } to)
        {
            filters.Add("c.time <= @to");
            definition["@to"] = to;
        }

        var sql = Listing.Where(filters, definition, "c.sequence DESC");

        var page = await Listing.PageAsync<AuditEvent>(database.GetContainer(CosmosContainers.Audit), sql, caller.UnitId, query, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, AuditActions.AuditRead, "audit", AuditOutcomes.Success,
            new Dictionary<string, string> { ["query"] = request.QueryString.Value ?? "" }), cancellationToken);
        return TypedResults.Ok(new AuditPage([.. page], page.ContinuationToken));
    }
}

public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, string? ContinuationToken);
