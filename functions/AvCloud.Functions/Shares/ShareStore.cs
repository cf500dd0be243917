using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Shares;

/// <summary>The <c>shares</c> container: each unit's external shares (<see cref="ExternalShare"/>).</summary>
public sealed class ShareStore(Database database, Audit.AuditTrail audit) : CosmosStore(database, CosmosContainers.Shares, audit)
{
    public static Refusal NoSuchShare { get; } = Refusal.NotFound("No such share in your unit.");

    public Task<ExternalShare?> ReadAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<ExternalShare>(unitId, id, ExternalShare.DocumentType, cancellationToken);

    /// <summary>The share <paramref name="id"/> as <paramref name="caller"/> may see it: one they made, or any in their unit for the keeper, supervisors and the head.</summary>
    public async Task<ExternalShare?> ReadVisibleAsync(Identity.Caller caller, string id, CancellationToken cancellationToken) =>
        await ReadAsync(caller.UnitId, id, cancellationToken) is { } found && (Access.AccessRules.SeesAllRequests(caller) || found.CreatedBy == caller.UserId)
            ? found
            : null;

    /// <summary>
    /// The share whose link names <paramref name="id"/>, in whichever unit: an outside recipient's link carries no unit.
    /// The id is 256 random bits, so one query by it finds the share or nothing.
    /// </summary>
    public async Task<ExternalShare?> FindAsync(string id, CancellationToken cancellationToken) =>
        (await ListAsync<ExternalShare>(null, new QueryDefinition("SELECT * FROM c WHERE c.id = @id AND c.type = @type")
            .WithParameter("@id", id).WithParameter("@type", ExternalShare.DocumentType), cancellationToken)).SingleOrDefault();

    public Task<bool> CreateAsync(ExternalShare share, Audit.AuditEntry audited, CancellationToken cancellationToken) =>
        CreateAsync<ExternalShare>(share, audited, cancellationToken);

    public Task<Outcome<ExternalShare>> ChangeAsync(string unitId, string id, Func<ExternalShare, Outcome<ExternalShare>> transition,
        Func<ExternalShare, ExternalShare, Audit.AuditEntry> audited, CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, ExternalShare.DocumentType, NoSuchShare, transition, audited, cancellationToken);

    /// <summary>All units: audit events a writer left on shares older than <paramref name="before"/>, appended now.</summary>
    public Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        CompletePendingAsync<ExternalShare>(ExternalShare.DocumentType, before, cancellationToken);

    /// <summary>One page of the unit's shares, newest first; of one maker when <paramref name="creator"/> is set.</summary>
    public Task<FeedResponse<ExternalShare>> PageAsync(string unitId, string? creator, IQueryCollection request, CancellationToken cancellationToken)
    {
        var conditions = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = ExternalShare.DocumentType };
        if (creator is not null)
        {
            conditions.Add("c.createdBy = @me");
            parameters["@me"] = creator;
        }

        return PageAsync<ExternalShare>(unitId, Http.Listing.Where(conditions, parameters, "c.createdAt DESC"), request, cancellationToken);
    }
}
