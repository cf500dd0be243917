using System.Security.Cryptography;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Ingest;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// The catalogue as years of docking leave it: records written straight into the footage container (no blob, no audit
/// event; what listings, the sweep and the reports read), recorded one every seven minutes back from a day ago. The
/// campaign's seeded units and the console's long footage list (<c>./avcloud bench console</c>) are seeded this way.
/// </summary>
public static class SeededFootage
{
    public const string Dock = "dock-seed";

    /// <summary>Record <paramref name="i"/>: its id is the SHA-256 of <paramref name="i"/>, so a seed is the same in every run.</summary>
    public static FootageRecord Record(int i, string unit, DateTimeOffset now)
    {
        var start = now.AddDays(-1).AddMinutes(-i * 7 % 1_000_000);
        var id = Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)));
        return new FootageRecord
        {
            Id = id, UnitId = unit, Sha256 = id, Size = 1_000_000 + i, Kind = MediaKind.Video, BlobName = $"{unit}/{start:yyyy}/{start:MM}/{id}.mp4",
            DeviceId = $"bwc-seed-{i % 97}", OfficerId = $"officer-seed-{i % 211}", DockId = Dock,
            RecordedStart = start, RecordedEnd = start.AddMinutes(5), ClockDriftSeconds = 0, CorrectedStart = start, CorrectedEnd = start.AddMinutes(5),
            DockedAt = start.AddHours(2), CataloguedAt = start.AddHours(2), HandoverDeadline = start.AddHours(24), HandedOverInTime = true,
            DockedToCataloguedSeconds = 30, RetentionUntil = start.AddMonths(30), Uploads = [],
        };
    }

    /// <summary>Records 0 to <paramref name="records"/> - 1, record i in unit <paramref name="unitOf"/>(i), eight writes at a time.</summary>
    public static async Task<IReadOnlyList<FootageRecord>> SeedAsync(Container footage, int records, Func<int, string> unitOf, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var seeded = new FootageRecord[records];
        await Parallel.ForEachAsync(Enumerable.Range(0, records), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var record = seeded[i] = Record(i, unitOf(i), now);
                await footage.CreateItemAsync(record, new PartitionKey(record.UnitId), cancellationToken: ct);
            });
        return seeded;
    }
}
