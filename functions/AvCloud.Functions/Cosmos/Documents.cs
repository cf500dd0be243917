using System.Net;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Cosmos;

/// <summary>Guarded read-modify-write of one document: the change is applied under the document's ETag and retried on a race.</summary>
public static class Documents
{
    /// <summary>
    /// One document and its ETag, or null when there is none with that id in the unit, or the one there is of another
    /// kind (containers hold several document types; an id of one is never read as another).
    /// </summary>
    public static async Task<(T Document, string ETag)?> ReadAsync<T>(Container container, string id, string unitId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await container.ReadItemAsync<T>(id, new PartitionKey(unitId), cancellationToken: cancellationToken);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Applies <paramref name="transition"/> to the current document under its ETag: the new state is written, or the
    /// refusal returned with nothing written. A writer that loses a race reads what the winner left and runs the
    /// transition again on it, so it gets that state's answer (often a refusal), never a success it did not have.
    /// Null when there is no such document.
    /// </summary>
    public static async Task<Outcome<T>?> ChangeAsync<T>(Container container, string id, string unitId, Func<T, Outcome<T>> transition,
        CancellationToken cancellationToken)
        where T : class
    {
        Outcome<T>? outcome = null;
        var written = await PutAsync<T>(container, id, unitId, current =>
        {
            if (current is null)
            {
                outcome = null;
                return null;
            }

            var decided = transition(current);
            outcome = decided;
            return decided.Value;
        }, cancellationToken);
        return written is not null ? written : outcome;
    }

    /// <summary>
    /// Writes what <paramref name="decide"/> makes of the current document (null when there is none yet): created when
    /// absent, replaced under its ETag when present; null from <paramref name="decide"/> leaves things as they are.
    /// Returns what was written, or null.
    /// </summary>
    public static async Task<T?> PutAsync<T>(Container container, string id, string unitId, Func<T?, T?> decide, CancellationToken cancellationToken)
        where T : class
    {
        var options = new ItemRequestOptions { EnableContentResponseOnWrite = false };
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await ReadAsync<T>(container, id, unitId, cancellationToken);
            if (decide(current?.Document) is not { } updated)
            {
                return null;
            }

            try
            {
                if (current is { } existing)
                {
                    options.IfMatchEtag = existing.ETag;
                    await container.ReplaceItemAsync(updated, id, new PartitionKey(unitId), options, cancellationToken);
                }
                else
                {
                    options.IfMatchEtag = null;
                    await container.CreateItemAsync(updated, new PartitionKey(unitId), options, cancellationToken);
                }

                return updated;
            }
            catch (CosmosException exception) when (exception.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
            }
        }

        throw new InvalidOperationException($"Document {id} stayed contended.");
    }
}
