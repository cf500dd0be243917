using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Access;

/// <summary>The <c>requests</c> container: each unit's access requests (<see cref="AccessRequest"/>).</summary>
public sealed class RequestStore(Database database, Audit.AuditTrail audit) : CosmosStore(database, CosmosContainers.Requests, audit)
{
    public static Refusal NoSuchRequest { get; } = Refusal.NotFound("No such access request in your unit.");

    public Task<AccessRequest?> ReadAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<AccessRequest>(unitId, id, AccessRequest.DocumentType, cancellationToken);

    /// <summary>
    /// The request <paramref name="id"/> as <paramref name="caller"/> may see it: their own, or any in their unit for the
    /// keeper, supervisors and the head; null otherwise (the caller is told "not found", never "forbidden").
    /// </summary>
    public async Task<AccessRequest?> ReadVisibleAsync(Identity.Caller caller, string id, CancellationToken cancellationToken) =>
        await ReadAsync(caller.UnitId, id, cancellationToken) is { } found && (AccessRules.SeesAllRequests(caller) || found.RequestedBy == caller.UserId)
            ? found
            : null;

    /// <summary>What a caller who may not see a request is told.</summary>
    public static Http.ProblemException NotVisible() => new(StatusCodes.Status404NotFound, "Not found.", "No such access request in your unit.");

    public Task<bool> CreateAsync(AccessRequest request, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync<AccessRequest>(request, audited, cancellationToken);

    /// <summary>The request changed by <paramref name="transition"/>, with the audit event <paramref name="audited"/> makes of it (before, after).</summary>
    public Task<Outcome<AccessRequest>> ChangeAsync(string unitId, string id, Func<AccessRequest, Outcome<AccessRequest>> transition,
        Func<AccessRequest, AccessRequest, Audit.AuditEntry> audited, CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, AccessRequest.DocumentType, NoSuchRequest, transition, audited, cancellationToken);

    /// <summary>All units: audit events a writer left on requests older than <paramref name="before"/>, appended now.</summary>
    public Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        CompletePendingAsync<AccessRequest>(AccessRequest.DocumentType, before, cancellationToken);

    /// <summary>One page of the unit's requests, newest first: of one requester when <paramref name="requester"/> is set, in one status when <paramref name="status"/> is.</summary>
    public Task<FeedResponse<AccessRequest>> PageAsync(string unitId, string? requester, AccessStatus? status, DateTimeOffset now, IQueryCollection request,
        CancellationToken cancellationToken)
    {
        var conditions = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = AccessRequest.DocumentType };
        if (requester is not null)
        {
            conditions.Add("c.requestedBy = @me");
            parameters["@me"] = requester;
        }

        if (status is { } wanted)
        {
            // Expired is approved with its window over: stored as approved.
            conditions.Add(wanted switch
            {
                AccessStatus.Expired => "c.status = 'approved' AND c.expiresAt <= @now",
                AccessStatus.Approved => "c.status = 'approved' AND c.expiresAt > @now",
                _ => "c.status = @status",
            });
            parameters["@status"] = AvCloudJson.Name(wanted);
            parameters["@now"] = now;
        }

        return PageAsync<AccessRequest>(unitId, Http.Listing.Where(conditions, parameters, "c.requestedAt DESC"), request, cancellationToken);
    }

    /// <summary>The unit's requests made under case number <paramref name="caseNumber"/>, newest first.</summary>
    public Task<List<AccessRequest>> OfCaseAsync(string unitId, string caseNumber, CancellationToken cancellationToken) =>
        ListAsync<AccessRequest>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.caseNumber = @number ORDER BY c.requestedAt DESC")
            .WithParameter("@type", AccessRequest.DocumentType).WithParameter("@number", caseNumber), cancellationToken);

    public Task<int> CountPendingAsync(string unitId, CancellationToken cancellationToken) =>
        CountAsync(unitId, $"c.type = '{AccessRequest.DocumentType}' AND c.status = '{AvCloudJson.Name(AccessStatus.Pending)}'", cancellationToken);
}
