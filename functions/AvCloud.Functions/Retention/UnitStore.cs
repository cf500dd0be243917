using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Retention;

/// <summary>
/// The <c>units</c> container: each unit's settings (its rules as data; a unit without a document has the defaults of
/// <see cref="RetentionOptions"/>). The head of each unit's audit chain lives here too, kept by <see cref="AuditTrail"/>.
/// </summary>
public sealed class UnitStore(Database database, IOptions<RetentionOptions> options, AuditTrail audit) : CosmosStore(database, CosmosContainers.Units, audit)
{
    /// <summary>The unit's settings, or the defaults when it has none of its own.</summary>
    public async Task<UnitSettings> SettingsAsync(string unitId, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<UnitSettings>(Container, UnitSettings.DocumentId, unitId, cancellationToken))?.Document
        ?? UnitSettings.Defaults(unitId, options.Value);

    /// <summary>
    /// The settings changed by <paramref name="transition"/> under their ETag (starting from the defaults when the unit has
    /// none yet), with the audit event <paramref name="audited"/> makes of the new settings.
    /// </summary>
    public async Task<Outcome<UnitSettings>> ChangeSettingsAsync(string unitId, Func<UnitSettings, Outcome<UnitSettings>> transition,
        Func<UnitSettings, AuditEntry> audited, CancellationToken cancellationToken)
    {
        Outcome<UnitSettings>? outcome = null;
        var written = await PutAsync<UnitSettings>(unitId, UnitSettings.DocumentId, stored =>
        {
            outcome = transition(stored ?? UnitSettings.Defaults(unitId, options.Value));
            return outcome.Value.Value;
        }, audited, cancellationToken);
        return written ?? outcome!.Value;
    }

    /// <summary>All units: audit events a writer left on settings older than <paramref name="before"/>, appended now.</summary>
    public Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        CompletePendingAsync<UnitSettings>(UnitSettings.DocumentType, before, cancellationToken);
}
