using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Tests.Campaign;

/// <summary>
/// Disposals and case holds in the load (Arts. 15 and 16): each unit has a case with one old activity whose recordings
/// are past their retention date; the sweep puts them up for disposal, the unit's keeper approves, the purge runs with
/// no recovery window (compressed), while the keeper holds the whole case and the head releases it again, racing them.
/// </summary>
public sealed partial class Campaign
{
    private const string DisposalOfficer = "officer-disposal";

    private readonly ConcurrentDictionary<string, string> _cases = new();
    private readonly ConcurrentBag<DisposalSeed> _disposalSet = [];

    /// <summary>A seeded recording past its retention date, linked to its unit's case activity.</summary>
    internal sealed record DisposalSeed(string Unit, string Id, string BlobName);

    /// <summary>Per unit, through the API: an activity two years back, a case, the activity grouped into it.</summary>
    private async Task CasesAsync(CampaignCloud cloud, ApiClient api)
    {
        for (var index = 0; index < _options.Units; index++)
        {
            var unit = UnitName(index);
            var keeper = Token(cloud, $"keeper-cases-{index:D2}", unit, Roles.Keeper);
            var start = DisposalSpanStart;
            var activity = await IdOfCreatedAsync(api, "create activity", "/api/activities", keeper, new
            {
                kind = "onSiteEnforcement", officers = new[] { DisposalOfficer }, place = "Campaign street", start, end = start.AddHours(6),
            });
            var enforcementCase = await IdOfCreatedAsync(api, "create case", "/api/cases", keeper, new { number = $"CAMPAIGN-{index:D2}", name = "Campaign case" });
            using var grouped = await api.SendAsync("add activity to case", HttpMethod.Post, $"/api/cases/{enforcementCase}/activities", keeper,
                new { activityId = activity, reason = "The campaign's case." });
            if (!grouped!.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The campaign could not group its activity into {unit}'s case: {(int)grouped.StatusCode}");
            }

            _cases[unit] = enforcementCase;
            _activities[unit] = activity;
        }
    }

    private readonly ConcurrentDictionary<string, string> _activities = new();

    /// <summary>Where the case activities and their recordings lie: long enough ago that every retention rule has run out.</summary>
    private static readonly DateTimeOffset DisposalSpanStart = new(2014, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static async Task<string> IdOfCreatedAsync(ApiClient api, string operation, string path, string token, object body)
    {
        using var created = await api.SendAsync(operation, HttpMethod.Post, path, token, body);
        if (created?.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"The campaign's {operation} was answered {(int?)created?.StatusCode}: {(created is null ? "" : await created.Content.ReadAsStringAsync())}");
        }

        using var document = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Per unit, <see cref="CampaignOptions.DisposalsPerUnit"/> recordings of the case activity, past their retention
    /// date, with their blobs (the case hold puts a legal hold and a second copy on them), straight into the stores.
    /// </summary>
    private async Task SeedDisposalsAsync(Container footage, BlobServiceClient blobs, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(BlobContainers.Footage);
        var now = DateTimeOffset.UtcNow;
        var seeds = Enumerable.Range(0, _options.Units).SelectMany(u => Enumerable.Range(0, _options.DisposalsPerUnit).Select(k => (Unit: UnitName(u), K: k)));
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (seed, ct) =>
        {
            var content = System.Text.Encoding.UTF8.GetBytes($"campaign recording {seed.Unit} {seed.K} past its retention date");
            var id = Convert.ToHexStringLower(SHA256.HashData(content));
            var start = DisposalSpanStart.AddMinutes(10 + seed.K);
            var blobName = $"{seed.Unit}/{start:yyyy}/{start:MM}/{id}.mp4";
            await container.GetBlobClient(blobName).UploadAsync(new BinaryData(content), overwrite: true, ct);
            await footage.CreateItemAsync(new FootageRecord
            {
                Id = id, UnitId = seed.Unit, Sha256 = id, Size = content.Length, Kind = Functions.Ingest.MediaKind.Video, BlobName = blobName,
                DeviceId = "bwc-disposal", OfficerId = DisposalOfficer, DockId = SeededFootage.Dock,
                RecordedStart = start, RecordedEnd = start.AddMinutes(1), ClockDriftSeconds = 0, CorrectedStart = start, CorrectedEnd = start.AddMinutes(1),
                DockedAt = start.AddHours(2), CataloguedAt = start.AddHours(2), HandoverDeadline = start.AddHours(24), HandedOverInTime = true,
                DockedToCataloguedSeconds = 30, RetentionUntil = now.AddDays(-1), Uploads = [],
                ActivityId = _activities[seed.Unit], ActivityKind = ActivityKind.OnSiteEnforcement, LinkedBy = LinkMethod.Rule,
            }, new PartitionKey(seed.Unit), cancellationToken: ct);
            _disposalSet.Add(new DisposalSeed(seed.Unit, id, blobName));
        });
    }

    /// <summary>
    /// One round of the unit's disposal work: the keeper approves what the sweep put up; now and then the keeper holds
    /// the whole case (Art. 16), and a while later the head releases that hold with a reason.
    /// </summary>
    private async Task DisposalRoundAsync(ApiClient api, string keeper, string head, string unit, int round, Dictionary<string, string> standingHold)
    {
        var pending = await BrowseAsync(api, keeper, "list disposals", "/api/disposals?status=pending&pageSize=20");
        foreach (var id in pending.OrderBy(_ => Random.Shared.Next()).Take(3))
        {
            using var approved = await api.SendAsync("approve disposal", HttpMethod.Post, $"/api/disposals/{id}/approve", keeper, new { });
        }

        var enforcementCase = _cases[unit];
        if (round % 10 == 1 && !standingHold.ContainsKey(unit))
        {
            using var placed = await api.SendAsync("place case hold", HttpMethod.Post, $"/api/cases/{enforcementCase}/holds", keeper,
                new { reason = "dispute", requestedBy = "campaign" });
            if (placed?.StatusCode == HttpStatusCode.Created)
            {
                standingHold[unit] = placed.Headers.Location!.OriginalString.Split('/')[^1];
            }
        }
        else if (round % 10 == 3 && standingHold.Remove(unit, out var hold))
        {
            using var released = await api.SendAsync("release case hold", HttpMethod.Delete, $"/api/cases/{enforcementCase}/holds/{hold}", head,
                new { reason = "The dispute is settled (campaign)." });
        }
    }

    /// <summary>The disposal set as the invariants need it: the seeds, each unit's case.</summary>
    internal IReadOnlyList<DisposalSeed> DisposalSet => [.. _disposalSet];

    internal IReadOnlyDictionary<string, string> Cases => _cases;
}
