using System.Net;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Time.Testing;

namespace AvCloud.Tests.Worm;

/// <summary>
/// The WORM gateway's rules, through Azure.Storage.Blobs. Each test runs an Azurite with the gateway of its own, on a
/// fake clock, so policies can be made to expire without waiting.
/// </summary>
public sealed class WormGatewayTests(WormGatewayTests.PrivateCloud cloud) : IClassFixture<WormGatewayTests.PrivateCloud>, IAsyncLifetime
{
    private BlobContainerClient _container = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private FakeTimeProvider Clock => cloud.Clock;

    // Every test works relative to the clock's current time, so one test moving it forward does not disturb another.
    private DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>One Azurite with the gateway for the class; tests in a class run one at a time.</summary>
    public sealed class PrivateCloud : IAsyncLifetime
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public PrivateAzurite Azurite { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Azurite = await PrivateAzurite.StartAsync(Clock);

        public async ValueTask DisposeAsync() => await Azurite.DisposeAsync();
    }

    public async ValueTask InitializeAsync()
    {
        _container = new BlobServiceClient(cloud.Azurite.ConnectionString).GetBlobContainerClient($"worm-{Guid.NewGuid():N}");
        await _container.CreateAsync(cancellationToken: Cancel);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<BlobClient> BlobAsync(string content = "footage")
    {
        var blob = _container.GetBlobClient($"{Guid.NewGuid():N}.mp4");
        await blob.UploadAsync(BinaryData.FromString(content), Cancel);
        return blob;
    }

    private Task<Response<BlobImmutabilityPolicy>> SetPolicy(BlobClient blob, TimeSpan fromNow, BlobImmutabilityPolicyMode mode) =>
        blob.SetImmutabilityPolicyAsync(new BlobImmutabilityPolicy { ExpiresOn = Now + fromNow, PolicyMode = mode }, cancellationToken: Cancel);

    private static async Task<RequestFailedException> Refused(Func<Task> write, int status, string code)
    {
        var refused = await Assert.ThrowsAsync<RequestFailedException>(write);
        Assert.Equal(status, refused.Status);
        Assert.Equal(code, refused.ErrorCode);
        return refused;
    }

    [Fact]
    public async Task A_policy_is_stored_and_read_back_on_properties_and_download()
    {
        var blob = await BlobAsync();

        var set = await blob.SetImmutabilityPolicyAsync(
            new BlobImmutabilityPolicy { ExpiresOn = Now.AddDays(730), PolicyMode = BlobImmutabilityPolicyMode.Unlocked }, cancellationToken: Cancel);
        var properties = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value;
        var download = (await blob.DownloadContentAsync(Cancel)).Value;

        Assert.Equal(BlobImmutabilityPolicyMode.Unlocked, set.Value.PolicyMode);
        Assert.Equal(TruncateToSeconds(Now.AddDays(730)), properties.ImmutabilityPolicy.ExpiresOn);
        Assert.Equal(BlobImmutabilityPolicyMode.Unlocked, properties.ImmutabilityPolicy.PolicyMode);
        Assert.Equal(TruncateToSeconds(Now.AddDays(730)), download.Details.ImmutabilityPolicy.ExpiresOn);
        Assert.False(properties.HasLegalHold);
    }

    [Fact]
    public async Task Delete_is_refused_under_an_unexpired_policy()
    {
        var blob = await BlobAsync();
        await SetPolicy(blob, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Locked);

        await Refused(() => blob.DeleteAsync(cancellationToken: Cancel), 409, "BlobImmutableDueToPolicy");
        await Refused(() => blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: Cancel), 409, "BlobImmutableDueToPolicy");

        Assert.True(await blob.ExistsAsync(Cancel));
    }

    [Fact]
    public async Task A_locked_policy_can_be_extended_but_not_shortened_unlocked_or_deleted()
    {
        var blob = await BlobAsync();
        await SetPolicy(blob, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Locked);

        await Refused(() => SetPolicy(blob, TimeSpan.FromDays(700), BlobImmutabilityPolicyMode.Locked), 409, "BlobImmutableDueToPolicy");
        await Refused(() => SetPolicy(blob, TimeSpan.FromDays(800), BlobImmutabilityPolicyMode.Unlocked), 409, "BlobImmutableDueToPolicy");
        await Refused(() => blob.DeleteImmutabilityPolicyAsync(Cancel), 409, "ImmutabilityPolicyDeleteOnLockedPolicy");
        await SetPolicy(blob, TimeSpan.FromDays(900), BlobImmutabilityPolicyMode.Locked);

        var policy = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy;
        Assert.Equal(TruncateToSeconds(Now.AddDays(900)), policy.ExpiresOn);
        Assert.Equal(BlobImmutabilityPolicyMode.Locked, policy.PolicyMode);
    }

    [Fact]
    public async Task An_unlocked_policy_can_be_shortened_locked_or_deleted()
    {
        var blob = await BlobAsync();
        await SetPolicy(blob, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Unlocked);

        await SetPolicy(blob, TimeSpan.FromDays(10), BlobImmutabilityPolicyMode.Unlocked);
        Assert.Equal(TruncateToSeconds(Now.AddDays(10)), (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);
        await blob.DeleteImmutabilityPolicyAsync(Cancel);

        var properties = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value;
        Assert.Null(properties.ImmutabilityPolicy.ExpiresOn);
        await blob.DeleteAsync(cancellationToken: Cancel);
        Assert.False(await blob.ExistsAsync(Cancel));
    }

    [Fact]
    public async Task A_policy_in_the_past_is_refused()
    {
        var blob = await BlobAsync();

        await Refused(() => SetPolicy(blob, TimeSpan.FromMinutes(-1), BlobImmutabilityPolicyMode.Unlocked), 400, "InvalidExpiryTime");

        Assert.Null((await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);
    }

    [Fact]
    public async Task Delete_succeeds_once_the_policy_has_expired_by_the_clock()
    {
        var blob = await BlobAsync();
        await SetPolicy(blob, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Locked);

        Clock.Advance(TimeSpan.FromDays(731));
        await blob.DeleteAsync(cancellationToken: Cancel);

        Assert.False(await blob.ExistsAsync(Cancel));
    }

    [Fact]
    public async Task A_legal_hold_blocks_delete_even_after_the_policy_expired_until_it_is_released()
    {
        var blob = await BlobAsync();
        await SetPolicy(blob, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Locked);
        var held = await blob.SetLegalHoldAsync(true, Cancel);
        Assert.True(held.Value.HasLegalHold);

        Clock.Advance(TimeSpan.FromDays(731));
        await Refused(() => blob.DeleteAsync(cancellationToken: Cancel), 409, "BlobImmutableDueToLegalHold");
        Assert.True((await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);

        var released = await blob.SetLegalHoldAsync(false, Cancel);
        Assert.False(released.Value.HasLegalHold);
        await blob.DeleteAsync(cancellationToken: Cancel);
        Assert.False(await blob.ExistsAsync(Cancel));
    }

    [Fact]
    public async Task Overwrites_and_metadata_writes_are_refused_and_the_content_is_unchanged()
    {
        var blob = await BlobAsync("original");
        await blob.SetLegalHoldAsync(true, Cancel);
        var blocks = _container.GetBlockBlobClient(blob.Name);
        var source = await BlobAsync("replacement");

        await Refused(() => blob.UploadAsync(BinaryData.FromString("changed"), overwrite: true, Cancel), 409, "BlobImmutableDueToLegalHold");
        var blockId = Convert.ToBase64String("block-000"u8.ToArray());
        await blocks.StageBlockAsync(blockId, new MemoryStream("changed"u8.ToArray()), cancellationToken: Cancel);
        await Refused(() => blocks.CommitBlockListAsync([blockId], cancellationToken: Cancel), 409, "BlobImmutableDueToLegalHold");
        await Refused(async () => await (await blob.StartCopyFromUriAsync(source.Uri, cancellationToken: Cancel)).WaitForCompletionAsync(Cancel),
            409, "BlobImmutableDueToLegalHold");
        await Refused(() => blob.SetMetadataAsync(new Dictionary<string, string> { ["case"] = "rewritten" }, cancellationToken: Cancel),
            409, "BlobImmutableDueToLegalHold");

        Assert.Equal("original", (await blob.DownloadContentAsync(Cancel)).Value.Content.ToString());
        Assert.Empty((await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.Metadata);
    }

    [Fact]
    public async Task A_large_overwrite_of_a_held_blob_gets_the_409_not_a_broken_connection()
    {
        var blob = await BlobAsync("original");
        await blob.SetLegalHoldAsync(true, Cancel);
        var large = new byte[16 * 1024 * 1024];

        await Refused(() => blob.UploadAsync(new BinaryData(large), overwrite: true, Cancel), 409, "BlobImmutableDueToLegalHold");

        Assert.Equal("original", (await blob.DownloadContentAsync(Cancel)).Value.Content.ToString());
    }

    [Fact]
    public async Task Reads_tags_and_read_only_sas_links_still_work_on_an_immutable_blob()
    {
        var blob = await BlobAsync("evidence");
        await SetPolicy(blob, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Locked);
        await blob.SetLegalHoldAsync(true, Cancel);

        await blob.SetTagsAsync(new Dictionary<string, string> { ["case"] = "2026-17" }, cancellationToken: Cancel);
        var tags = (await blob.GetTagsAsync(cancellationToken: Cancel)).Value.Tags;
        var link = new BlobClient(blob.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(5)));
        var viaLink = (await link.DownloadContentAsync(Cancel)).Value;

        Assert.Equal("2026-17", tags["case"]);
        Assert.Equal("evidence", viaLink.Content.ToString());
        Assert.True(viaLink.Details.HasLegalHold);
        // Storage authorises first: a read-only link is refused for lacking the permission, before the hold is looked at.
        await Refused(() => link.DeleteAsync(cancellationToken: Cancel), 403, "AuthorizationPermissionMismatch");
        await Refused(() => blob.DeleteAsync(cancellationToken: Cancel), 409, "BlobImmutableDueToLegalHold");
    }

    [Fact]
    public async Task A_container_holding_an_immutable_blob_cannot_be_deleted()
    {
        var blob = await BlobAsync();
        await SetPolicy(blob, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Unlocked);

        await Refused(() => _container.DeleteAsync(cancellationToken: Cancel), 409, "ContainerImmutableStorageWithVersioningEnabled");

        Assert.True(await _container.ExistsAsync(Cancel));
        Clock.Advance(TimeSpan.FromDays(731));
        await _container.DeleteAsync(cancellationToken: Cancel);
    }

    [Fact]
    public async Task A_listing_shows_policies_and_holds_when_asked()
    {
        var locked = await BlobAsync();
        var held = await BlobAsync();
        var plain = await BlobAsync();
        await SetPolicy(locked, TimeSpan.FromDays(730), BlobImmutabilityPolicyMode.Locked);
        await held.SetLegalHoldAsync(true, Cancel);

        var items = new Dictionary<string, BlobItem>();
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.ImmutabilityPolicy | BlobTraits.LegalHold }, Cancel))
        {
            items[item.Name] = item;
        }

        Assert.Equal(TruncateToSeconds(Now.AddDays(730)), items[locked.Name].Properties.ImmutabilityPolicy.ExpiresOn);
        Assert.Equal(BlobImmutabilityPolicyMode.Locked, items[locked.Name].Properties.ImmutabilityPolicy.PolicyMode);
        Assert.False(items[locked.Name].Properties.HasLegalHold);
        Assert.True(items[held.Name].Properties.HasLegalHold);
        Assert.Null(items[plain.Name].Properties.ImmutabilityPolicy.ExpiresOn);
        Assert.False(items[plain.Name].Properties.HasLegalHold);
    }

    [Fact]
    public async Task An_upload_that_carries_a_policy_and_a_hold_applies_them()
    {
        var blob = _container.GetBlobClient("uploaded-with-policy.mp4");

        await blob.UploadAsync(BinaryData.FromString("footage"), new BlobUploadOptions
        {
            ImmutabilityPolicy = new BlobImmutabilityPolicy { ExpiresOn = Now.AddDays(730), PolicyMode = BlobImmutabilityPolicyMode.Locked },
            LegalHold = true,
        }, Cancel);

        var properties = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value;
        Assert.Equal(BlobImmutabilityPolicyMode.Locked, properties.ImmutabilityPolicy.PolicyMode);
        Assert.True(properties.HasLegalHold);
        await Refused(() => blob.DeleteAsync(cancellationToken: Cancel), 409, "BlobImmutableDueToLegalHold");
    }

    [Fact]
    public async Task Policies_and_holds_on_a_missing_blob_are_not_found()
    {
        var missing = _container.GetBlobClient("never-uploaded.mp4");

        await Refused(() => SetPolicy(missing, TimeSpan.FromDays(1), BlobImmutabilityPolicyMode.Unlocked), 404, "BlobNotFound");
        await Refused(() => missing.SetLegalHoldAsync(true, Cancel), 404, "BlobNotFound");
        await Refused(() => missing.DeleteImmutabilityPolicyAsync(Cancel), 404, "BlobNotFound");
    }

    [Fact]
    public async Task A_caller_with_a_forged_key_or_a_read_only_link_cannot_set_a_hold()
    {
        var blob = await BlobAsync();
        var forged = new BlobClient(blob.Uri, new Azure.Storage.StorageSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])));
        var readOnly = new BlobClient(blob.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(5)));

        await Refused(() => forged.SetLegalHoldAsync(true, Cancel), 403, "AuthorizationFailure");
        var permission = await Assert.ThrowsAsync<RequestFailedException>(() => readOnly.SetLegalHoldAsync(true, Cancel));
        Assert.Equal((int)HttpStatusCode.Forbidden, permission.Status);

        Assert.False((await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), value.Offset);

    [Fact]
    public async Task A_create_only_link_stages_and_commits_blocks_of_a_new_blob_but_never_of_an_existing_one()
    {
        var fresh = _container.GetBlockBlobClient($"{Guid.NewGuid():N}.mp4");
        var createOnly = new BlockBlobClient(fresh.GenerateSasUri(BlobSasPermissions.Create, DateTimeOffset.UtcNow.AddMinutes(5)));
        var block = Convert.ToBase64String("block-000001"u8.ToArray());
        await createOnly.StageBlockAsync(block, new MemoryStream("new footage"u8.ToArray()), cancellationToken: Cancel);
        await createOnly.CommitBlockListAsync([block], cancellationToken: Cancel);
        Assert.Equal("new footage", (await fresh.DownloadContentAsync(Cancel)).Value.Content.ToString());

        // The same kind of link on an existing blob cannot touch it, and a forged signature gets nowhere.
        var existing = await BlobAsync("original");
        var overwrite = new BlockBlobClient(_container.GetBlockBlobClient(existing.Name).GenerateSasUri(BlobSasPermissions.Create, DateTimeOffset.UtcNow.AddMinutes(5)));
        await Refused(() => overwrite.StageBlockAsync(block, new MemoryStream("forged"u8.ToArray()), cancellationToken: Cancel), 403, "AuthorizationPermissionMismatch");
        var forgedUrl = createOnly.Uri.ToString().Replace("sig=", "sig=A", StringComparison.Ordinal).Replace(fresh.Name, $"{Guid.NewGuid():N}.mp4", StringComparison.Ordinal);
        var forged = new BlockBlobClient(new Uri(forgedUrl));
        Assert.Equal(403, (await Assert.ThrowsAsync<Azure.RequestFailedException>(() => forged.StageBlockAsync(block, new MemoryStream("x"u8.ToArray()), cancellationToken: Cancel))).Status);
        Assert.Equal("original", (await existing.DownloadContentAsync(Cancel)).Value.Content.ToString());
    }
}
