using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace AvCloud.Functions.Storage;

/// <summary>
/// Shared access signatures for one blob. In Azure the app has no account key (shared-key access is off), so the
/// signatures are user-delegation SAS from its managed identity; locally the emulator's key signs service SAS.
/// </summary>
public sealed class SasIssuer(BlobServiceClient blobs, StorageClock clock) : IDisposable
{
    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private UserDelegationKey? _key;

    /// <summary>
    /// A URL granting <paramref name="permissions"/> on <paramref name="blob"/> only, until <paramref name="expiresOn"/>.
    /// Times are the storage service's (real) time, not the functions' possibly shifted clock: the service checks them.
    /// </summary>
    public async Task<Uri> ForBlobAsync(BlobClient blob, BlobSasPermissions permissions, DateTimeOffset expiresOn,
        string? contentDisposition, CancellationToken cancellationToken)
    {
        var builder = new BlobSasBuilder(permissions, expiresOn)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = clock.GetUtcNow().AddMinutes(-5),
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
            ContentDisposition = contentDisposition,
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(builder);
        }

        var key = await DelegationKeyAsync(expiresOn, cancellationToken);
        return new BlobUriBuilder(blob.Uri) { Sas = builder.ToSasQueryParameters(key, blobs.AccountName) }.ToUri();
    }

    // A user delegation key lives at most 7 days; one is reused while it outlives the signature being issued.
    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset needUntil, CancellationToken cancellationToken)
    {
        await _keyLock.WaitAsync(cancellationToken);
        try
        {
            if (_key is null || _key.SignedExpiresOn < needUntil.AddMinutes(5))
            {
                var now = clock.GetUtcNow();
                _key = (await blobs.GetUserDelegationKeyAsync(now.AddMinutes(-5), Max(needUntil.AddHours(1), now.AddDays(1)), cancellationToken)).Value;
            }

            return _key;
        }
        finally
        {
            _keyLock.Release();
        }
    }

    public void Dispose() => _keyLock.Dispose();

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
