using System.Net;
using AvCloud.Functions.Ingest;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Footage;

/// <summary>Guarded read-modify-write of a catalogue record: holds, disposal steps, the sweep.</summary>
public static class FootageChanges
{
    /// <summary>Applies <paramref name="change"/> (null: nothing to do) under the record's ETag; returns the new record or null.</summary>
    public static async Task<FootageRecord?> ChangeAsync(Container footage, string id, string unitId, Func<FootageRecord, FootageRecord?> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await Cataloguer.ReadAsync<FootageRecord>(footage, id, unitId, cancellationToken) is not { } current)
            {
                return null;
            }

            if (change(current.Document) is not { } updated)
            {
                return null;
            }

            try
            {
                await footage.ReplaceItemAsync(updated, id, new PartitionKey(unitId),
                    new ItemRequestOptions { IfMatchEtag = current.ETag, EnableContentResponseOnWrite = false }, cancellationToken);
                return updated;
            }
            catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed)
            {
            }
        }

        throw new InvalidOperationException($"Footage {id} stayed contended.");
    }
}
