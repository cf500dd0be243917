using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Retention;

/// <summary>
/// The <c>units</c> container: each unit's settings (its rules as data; a unit without a document has the defaults of
/// <see cref="RetentionOptions"/>) and the head of its audit chain.
/// </summary>
public sealed class UnitStore(Database database, IOptions<RetentionOptions> options) : CosmosStore(database, CosmosContainers.Units)
{
    /// <summary>The unit's settings, or the defaults when it has none of its own.</summary>
    public async Task<UnitSettings> SettingsAsync(string unitId, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<UnitSettings>(Container, UnitSettings.DocumentId, unitId, cancellationToken))?.Document
        ?? UnitSettings.Defaults(unitId, options.Value);

    /// <summary>The settings changed by <paramref name="transition"/> under their ETag (starting from the defaults when the unit has none yet).</summary>
    public async Task<Outcome<UnitSettings>> ChangeSettingsAsync(string unitId, Func<UnitSettings, Outcome<UnitSettings>> transition, CancellationToken cancellationToken)
    {
        Outcome<UnitSettings>? outcome = null;
        var written = await Documents.PutAsync<UnitSettings>(Container, UnitSettings.DocumentId, unitId, stored =>
        {
            outcome = transition(stored ?? UnitSettings.Defaults(unitId, options.Value));
            return outcome.Value.Value;
        }, cancellationToken);
        return written ?? outcome!.Value;
    }

    public async Task<AuditHead?> ReadAuditHeadAsync(string unitId, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<AuditHead>(Container, AuditHead.DocumentId, unitId, cancellationToken))?.Document;

    /// <summary>The units that have an audit chain (a head), across partitions: one small document each.</summary>
    public IAsyncEnumerable<string> AuditedUnitsAsync(CancellationToken cancellationToken) =>
        QueryAsync<string>(null, new QueryDefinition("SELECT VALUE c.unitId FROM c WHERE c.id = @id AND c.type = @type")
            .WithParameter("@id", AuditHead.DocumentId).WithParameter("@type", "auditHead"), cancellationToken);

    /// <summary>Moves the unit's audit head forward to <paramref name="latest"/> (never back).</summary>
    public Task AdvanceAuditHeadAsync(AuditEvent latest, CancellationToken cancellationToken) =>
        Documents.PutAsync<AuditHead>(Container, AuditHead.DocumentId, latest.UnitId,
            current => current is null || current.Sequence < latest.Sequence
                ? new AuditHead { UnitId = latest.UnitId, Sequence = latest.Sequence, Hash = latest.Hash }
                : null,
            cancellationToken);
}
