using System.Globalization;
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
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    [Function(nameof(ReadAuditTrail))]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
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

        if (ParseTime(query, "from") is { } from)
        {
            filters.Add("c.time >= @from");
            definition["@from"] = from;
        }

        if (ParseTime(query, "to") is { } to)
        {
            filters.Add("c.time <= @to");
            definition["@to"] = to;
        }

        var pageSize = DefaultPageSize;
        if (query["pageSize"].ToString() is { Length: > 0 } size
            && (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            throw ProblemException.Invalid("pageSize", $"pageSize must be a whole number from 1 to {MaxPageSize}.");
        }

        var sql = new QueryDefinition($"SELECT * FROM c WHERE {string.Join(" AND ", filters)} ORDER BY c.sequence DESC");
        foreach (var (name, value) in definition)
        {
            sql = sql.WithParameter(name, value);
        }

        var continuation = query["continuationToken"].ToString() is { Length: > 0 } token ? token : null;
        FeedResponse<AuditEvent> page;
        try
        {
            using var feed = database.GetContainer(CosmosContainers.Audit).GetItemQueryIterator<AuditEvent>(sql, continuation,
                new QueryRequestOptions { PartitionKey = new PartitionKey(caller.UnitId), MaxItemCount = pageSize });
            page = await feed.ReadNextAsync(cancellationToken);
        }
        catch (CosmosException exception) when (exception.StatusCode == System.Net.HttpStatusCode.BadRequest && continuation is not null)
        {
            throw ProblemException.Invalid("continuationToken", "The continuation token is not one this listing issued.");
        }

        await audit.AppendAsync(new AuditEntry(caller.UnitId, caller.UserId, caller.RoleList, AuditActions.AuditRead, "audit", AuditOutcomes.Success,
            new Dictionary<string, string> { ["query"] = request.QueryString.Value ?? "" }), cancellationToken);
        return TypedResults.Ok(new AuditPage([.. page], page.ContinuationToken));
    }

    private static DateTimeOffset? ParseTime(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw ProblemException.Invalid(name, $"{name} must be a date and time, e.g. 2026-11-27T08:00:00Z.");
    }
}

public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, string? ContinuationToken);
