using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Functions.Retention;

namespace AvCloud.Functions.Storage;

/// <summary>How AvCloud asks storage to keep a blob unchanged: one policy shape, and one way to write a blob once under it.</summary>
public static class Immutability
{
    /// <summary>A policy until <paramref name="until"/>, Locked when the unit's mode is (or <paramref name="stayLocked"/>: a Locked policy is never unlocked).</summary>
    public static BlobImmutabilityPolicy Until(DateTimeOffset until, PolicyMode mode, bool stayLocked = false) => new()
    {
        ExpiresOn = until,
        PolicyMode = stayLocked || mode == PolicyMode.Locked ? BlobImmutabilityPolicyMode.Locked : BlobImmutabilityPolicyMode.Unlocked,
    };

    /// <summary>
    /// Writes <paramref name="content"/> (JSON) to <paramref name="blob"/> if nothing is there yet, under a policy until
    /// <paramref name="until"/> when that is still ahead by storage's clock; false when the blob already existed (it is
    /// kept as it is: a retry finds its own earlier write).
    /// </summary>
    public static async Task<bool> WriteOnceAsync(BlobClient blob, byte[] content, DateTimeOffset until, PolicyMode mode, StorageClock storageClock,
        CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(new BinaryData(content), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                ImmutabilityPolicy = until > storageClock.GetUtcNow().AddMinutes(1) ? Until(until, mode) : null,
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed)
        {
            return false;
        }
    }
}
