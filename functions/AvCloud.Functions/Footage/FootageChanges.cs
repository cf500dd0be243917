using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Footage;

/// <summary>Guarded read-modify-write of a catalogue record: holds, disposal steps, the sweep.</summary>
public static class FootageChanges
{
    /// <summary>Applies <paramref name="change"/> (null: nothing to do) under the record's ETag; returns the new record or null.</summary>
    public static Task<FootageRecord?> ChangeAsync(Container footage, string id, string unitId, Func<FootageRecord, FootageRecord?> change,
        CancellationToken cancellationToken) =>
        Documents.ChangeAsync(footage, id, unitId, change, cancellationToken);
}
