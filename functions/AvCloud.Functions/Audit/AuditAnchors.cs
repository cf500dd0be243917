using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AvCloud.Functions.Audit;

/// <summary>
/// A unit's chain as it stood at the end of a day (UTC): its last event's sequence, hash and time. Kept outside Cosmos,
/// in the immutable footage store, so that whoever can rewrite the audit container and the head cannot rewrite it too.
/// </summary>
public sealed record AuditAnchor
{
    public required string UnitId { get; init; }

    public required DateOnly Day { get; init; }

    public required long Sequence { get; init; }

    public required string Hash { get; init; }

    /// <summary>When the anchored event was appended.</summary>
    public required DateTimeOffset Time { get; init; }

    public required DateTimeOffset AnchoredAt { get; init; }

    /// <summary>Why the stored anchor cannot be used (unreadable, or not what its name says); set on reading only.</summary>
    [JsonIgnore]
    public string? Problem { get; init; }

    [JsonIgnore]
    public string DayName => Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The anchors of each unit's audit chain: <c>audit-anchors/{unit}/{yyyy-MM-dd}.json</c> in the <c>footage</c>
/// container, created once (never overwritten) under an immutability policy as long as the unit's longest retention.
/// </summary>
public sealed class AuditAnchors(BlobServiceClient blobs, UnitStore units, StorageClock storageClock)
{
    public const string Prefix = "audit-anchors";

    // Reading a unit's anchors is one small GET each; a few at a time keeps verify quick for years of anchors.
    private const int ParallelReads = 8;

    private readonly BlobContainerClient _footage = blobs.GetBlobContainerClient(BlobContainers.Footage);

    public static string BlobName(string unitId, DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}/{unitId}/{day:yyyy-MM-dd}.json");

    /// <summary>Writes <paramref name="anchor"/>; false when that day's anchor is already there (it is kept as it is).</summary>
    public async Task<bool> CreateAsync(AuditAnchor anchor, CancellationToken cancellationToken)
    {
        var settings = await units.SettingsAsync(anchor.UnitId, cancellationToken);
        // Art. 18: the trail must stay checkable as long as any footage it speaks of is kept, so the longest period applies.
        var until = RetentionRule.RetainUntil(anchor.AnchoredAt, settings.RetentionMonths.Values.Max());
        return await Immutability.WriteOnceAsync(_footage.GetBlobClient(BlobName(anchor.UnitId, anchor.Day)),
            JsonSerializer.SerializeToUtf8Bytes(anchor, AvCloudJson.Options), until, settings.PolicyMode, storageClock, cancellationToken);
    }

    /// <summary>
    /// The unit's chain verified against its head and these anchors. The anchors are read first: each then names an event
    /// that was in the chain before the chain is read.
    /// </summary>
    public async Task<ChainReport> VerifyChainAsync(AuditTrail audit, string unitId, CancellationToken cancellationToken)
    {
        var anchored = await ReadAsync(unitId, cancellationToken);
        var head = await audit.ReadHeadAsync(unitId, cancellationToken);
        var events = new List<AuditEvent>();
        await foreach (var e in audit.ReadChainAsync(unitId, cancellationToken))
        {
            events.Add(e);
        }

        return AuditChain.Verify(events, head, anchored);
    }

    /// <summary>The unit's anchors, oldest first; one that cannot be read or is not what its name says carries its <see cref="AuditAnchor.Problem"/>.</summary>
    public async Task<IReadOnlyList<AuditAnchor>> ReadAsync(string unitId, CancellationToken cancellationToken)
    {
        var days = new List<(string Name, DateOnly Day)>();
        await foreach (var item in _footage.GetBlobsAsync(new GetBlobsOptions { Prefix = $"{Prefix}/{unitId}/" }, cancellationToken))
        {
            var file = item.Name[(item.Name.LastIndexOf('/') + 1)..];
            if (file.EndsWith(".json", StringComparison.Ordinal)
                && DateOnly.TryParseExact(file[..^5], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                days.Add((item.Name, day));
            }
        }

        var anchors = new AuditAnchor[days.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, days.Count), new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken },
            async (i, token) => anchors[i] = await ReadOneAsync(unitId, days[i].Name, days[i].Day, token));
        return [.. anchors.OrderBy(a => a.Day)];
    }

    private async Task<AuditAnchor> ReadOneAsync(string unitId, string blobName, DateOnly day, CancellationToken cancellationToken)
    {
        AuditAnchor Unusable(string problem) => new()
        {
            UnitId = unitId, Day = day, Sequence = 0, Hash = "", Time = default, AnchoredAt = default, Problem = problem,
        };

        var content = (await _footage.GetBlobClient(blobName).DownloadContentAsync(cancellationToken)).Value.Content;
        AuditAnchor? stored;
        try
        {
            stored = content.ToObjectFromJson<AuditAnchor>(AvCloudJson.Options);
        }
        catch (JsonException)
        {
            return Unusable($"The anchor of {day:yyyy-MM-dd} cannot be read: it is not what AvCloud wrote.");
        }

        return stored is { Sequence: > 0, Hash.Length: 64 } && stored.UnitId == unitId && stored.Day == day
            ? stored
            : Unusable($"The anchor of {day:yyyy-MM-dd} does not name this unit, its day or an event: it is not what AvCloud wrote.");
    }
}
