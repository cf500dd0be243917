using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Worm;

/// <summary>The second storage account for preservation copies (Art. 16): separate keys, the same WORM rules.</summary>
public sealed class PreservationAccountTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_app_reaches_the_preservation_account_and_its_holds_refuse_deletion()
    {
        var preservation = fixture.Cloud.Services.GetRequiredKeyedService<BlobServiceClient>(BlobContainers.PreservationAccount);
        Assert.Equal("avcloudpreservation", preservation.AccountName);
        var copy = preservation.GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient($"unit-x/{Guid.NewGuid():N}.mp4");

        await copy.UploadAsync(BinaryData.FromString("second copy"), new BlobUploadOptions { LegalHold = true }, Cancel);

        Assert.True((await copy.GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => copy.DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToLegalHold", refused.ErrorCode);
    }

    [Fact]
    public async Task The_footage_accounts_key_cannot_reach_the_preservation_account()
    {
        var footageKey = new Azure.Storage.StorageSharedKeyCredential("devstoreaccount1", Local.Emulators.Emulator.AzuriteKey);
        var preservationUri = new BlobServiceClient(fixture.Cloud.PreservationConnectionString).Uri;
        var intruder = new BlobServiceClient(preservationUri, footageKey).GetBlobContainerClient(BlobContainers.Preservation);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => intruder.GetPropertiesAsync(cancellationToken: Cancel));

        Assert.Equal(403, refused.Status);
    }
}
