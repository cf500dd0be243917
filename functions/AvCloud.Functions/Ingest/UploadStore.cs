using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Ingest;

/// <summary>
/// The <c>uploads</c> container: each docking's <see cref="UploadSession"/> and, as documents of their own, where each
/// of its files stands (<see cref="UploadFileStatus"/>).
/// </summary>
public sealed class UploadStore(Database database, Audit.AuditTrail audit) : CosmosStore(database, CosmosContainers.Uploads, audit)
{
    public Task<bool> OpenAsync(UploadSession session, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync(session, audited, cancellationToken);

    /// <summary>All units: audit events a writer left on sessions older than <paramref name="before"/>, appended now.</summary>
    public Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        CompletePendingAsync<UploadSession>(UploadSession.DocumentType, before, cancellationToken);

    /// <summary>The session as the dock announced it (each file's state as first written), or null.</summary>
    public Task<UploadSession?> ReadAsync(string unitId, string sessionId, CancellationToken cancellationToken) =>
        ReadAsync<UploadSession>(unitId, sessionId, UploadSession.DocumentType, cancellationToken);

    /// <summary>The session with each file's current state, or null.</summary>
    public async Task<UploadSession?> ReadWithStatusAsync(string unitId, string sessionId, CancellationToken cancellationToken)
    {
        if (await ReadAsync(unitId, sessionId, cancellationToken) is not { } session)
        {
            return null;
        }

        var statuses = (await ListAsync<UploadFileStatus>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.sessionId = @session")
            .WithParameter("@type", UploadFileStatus.DocumentType).WithParameter("@session", sessionId), cancellationToken))
            .ToDictionary(s => s.Name, StringComparer.Ordinal);
        return session with
        {
            Files = [.. session.Files.Select(f => statuses.TryGetValue(f.Name, out var s)
                ? f with { State = s.State, Reason = s.Reason, FootageId = s.FootageId, UpdatedAt = s.UpdatedAt }
                : f)],
        };
    }

    /// <summary>Where file <paramref name="fileName"/> of the session stands, or null when nothing is written yet.</summary>
    public async Task<UploadFileStatus?> ReadStatusAsync(UploadSession session, string fileName, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<UploadFileStatus>(Container, UploadFileStatus.IdFor(session.Id, session.IndexOf(fileName)), session.UnitId, cancellationToken))?.Document;

    /// <summary>Writes <paramref name="status"/> unless the file's current state forbids it (<see cref="UploadFileStatus.Follows"/>); true when written.</summary>
    public async Task<bool> WriteStatusAsync(UploadFileStatus status, CancellationToken cancellationToken) =>
        await Documents.PutAsync<UploadFileStatus>(Container, status.Id, status.UnitId,
            current => status.Follows(current?.State) ? status : null, cancellationToken) is not null;

    /// <summary>All units: sessions whose upload window closed before <paramref name="storageNow"/> and that are not yet checked for missing files.</summary>
    public IAsyncEnumerable<UploadSession> ClosedUncheckedAsync(DateTimeOffset storageNow, CancellationToken cancellationToken) =>
        QueryAsync<UploadSession>(null, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.missingReported = false AND c.uploadExpiresAt < @now")
            .WithParameter("@type", UploadSession.DocumentType).WithParameter("@now", storageNow), cancellationToken);

    /// <summary>Notes that the session's missing files have been reported, so they are reported once.</summary>
    public Task MarkMissingReportedAsync(UploadSession session, CancellationToken cancellationToken) =>
        Documents.PutAsync<UploadSession>(Container, session.Id, session.UnitId,
            current => current is { MissingReported: false } ? current with { MissingReported = true } : null, cancellationToken);
}
