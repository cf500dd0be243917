using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AvCloud.Functions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AvCloud.Tests.Audit;

/// <summary>
/// The daily anchors of each unit's chain in the immutable footage store: an insider with Cosmos access deletes the
/// newest events and rewinds the head to match, and <c>verify</c> still finds the cut; storage refuses to delete or
/// overwrite an anchor.
/// </summary>
public sealed class AuditAnchorTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private Database Database => fixture.Cloud.Services.GetRequiredService<Database>();

    private Container Audit => Database.GetContainer(CosmosContainers.Audit);

    private BlobContainerClient Footage => new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage);

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    /// <summary>Yesterday evening (UTC): events appended then are closed by today's anchor run.</summary>
    private static readonly DateTimeOffset Yesterday = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(-3);

    private static string Day => Yesterday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary><paramref name="count"/> events appended at <paramref name="at"/> (the host's own clock when null).</summary>
    private async Task AppendAsync(string unit, int count, DateTimeOffset? at = null)
    {
        var trail = at is { } time
            ? new AuditTrail(Database, new FakeTimeProvider(time))
            : fixture.Cloud.Services.GetRequiredService<AuditTrail>();
        for (var i = 1; i <= count; i++)
        {
            await trail.AppendAsync(new AuditEntry(unit, "keeper-1", Roles.Keeper, AuditAction.FootageRead, $"footage/{i}", AuditOutcomes.Success), Cancel);
        }
    }

    private async Task AnchorAsync()
    {
        using var run = await fixture.Admin.PostAsync("/admin/functions/AnchorAuditChains", content: null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }

    private async Task<ChainReport> VerifyAsync(string unit)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/audit/verify", fixture.TokenFor(unit, Roles.Head));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ChainReport>(AvCloudJson.Options, Cancel))!;
    }

    [Fact]
    public async Task A_tail_deleted_with_its_head_rewound_is_found_through_the_anchor_and_an_intact_chain_verifies()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 5, Yesterday);
        await AppendAsync(unit, 3);
        await AnchorAsync();

        var intact = await VerifyAsync(unit);
        Assert.True(intact.Intact, intact.FirstBreak?.Reason);
        Assert.Equal((8L, 1), (intact.EventsChecked, intact.AnchorsChecked));

        // The insider deletes everything from event 4 on (the verification's own event 9 included) and points the head
        // at event 3, so chain and head agree with each other.
        for (var sequence = 4; sequence <= 9; sequence++)
        {
            await Audit.DeleteItemAsync<JsonObject>(AuditEvent.IdFor(sequence), new PartitionKey(unit), cancellationToken: Cancel);
        }

        var third = (await Audit.ReadItemAsync<AuditEvent>(AuditEvent.IdFor(3), new PartitionKey(unit), cancellationToken: Cancel)).Resource;
        var units = Database.GetContainer(CosmosContainers.Units);
        var head = (await units.ReadItemAsync<JsonObject>(AuditHead.DocumentId, new PartitionKey(unit), cancellationToken: Cancel)).Resource;
        head["sequence"] = 3;
        head["hash"] = third.Hash;
        await units.ReplaceItemAsync(head, AuditHead.DocumentId, new PartitionKey(unit), cancellationToken: Cancel);

        var report = await VerifyAsync(unit);

        Assert.False(report.Intact);
        Assert.Equal(4, report.FirstBreak!.Sequence);
        Assert.Equal($"The chain ends at event 3 but event 5 was anchored on {Day}: the chain was truncated or rewritten after anchor of {Day}.",
            report.FirstBreak.Reason);
    }

    [Fact]
    public async Task An_anchor_is_written_once_for_the_day_and_storage_refuses_to_delete_or_overwrite_it()
    {
        var unit = NewUnit();
        await AppendAsync(unit, 2, Yesterday);
        await AnchorAsync();
        var blob = Footage.GetBlobClient(AuditAnchors.BlobName(unit, DateOnly.FromDateTime(Yesterday.UtcDateTime)));
        var properties = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value;
        var anchor = (await blob.DownloadContentAsync(Cancel)).Value.Content.ToObjectFromJson<AuditAnchor>(AvCloudJson.Options)!;
        Assert.Equal((unit, 2L), (anchor.UnitId, anchor.Sequence));
        // As long as the unit's longest retention (24 months by default), Locked as the unit's policy mode says.
        Assert.Equal(BlobImmutabilityPolicyMode.Locked, properties.ImmutabilityPolicy.PolicyMode);
        Assert.InRange(properties.ImmutabilityPolicy.ExpiresOn!.Value, DateTimeOffset.UtcNow.AddMonths(24).AddDays(-1), DateTimeOffset.UtcNow.AddMonths(24).AddDays(1));

        var deleted = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => blob.DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToPolicy", deleted.ErrorCode);
        var overwritten = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("{}"), overwrite: true, Cancel));
        Assert.Equal("BlobImmutableDueToPolicy", overwritten.ErrorCode);

        // A later run, with more of yesterday's events arrived meanwhile, keeps the day's anchor as it was.
        await AppendAsync(unit, 1, Yesterday);
        await AnchorAsync();
        Assert.Equal(properties.ETag, (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.ETag);
        Assert.True((await VerifyAsync(unit)).Intact);
    }
}
