using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Functions.Footage;

/// <summary>
/// The second copy of held footage (Art. 16) in the preservation account: made by streaming from the footage
/// account, with its own legal hold, labelled with the producing unit, the maker, the time and the case, and checked
/// by SHA-256 against the catalogue. Used when a hold is placed and when reconciliation finds a copy missing or wrong.
/// </summary>
public sealed class SecondCopies(
    BlobServiceClient blobs,
    [FromKeyedServices(BlobContainers.PreservationAccount)] BlobServiceClient preservation,
    TimeProvider time)
{
    public BlobClient CopyOf(FootageRecord record) =>
        preservation.GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(record.BlobName);

    /// <summary>Makes the copy if it is missing, sets its legal hold, and verifies it; throws if the bytes do not match.</summary>
    public async Task<PreservationCopy> EnsureAsync(FootageRecord record, string caseName, string caseNumber, CancellationToken cancellationToken)
    {
        var target = CopyOf(record);
        if (!await target.ExistsAsync(cancellationToken))
        {
            var source = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
            var download = await source.DownloadStreamingAsync(cancellationToken: cancellationToken);
            await using var content = download.Value.Content;
            await target.UploadAsync(content, new BlobUploadOptions
            {
                LegalHold = true,
                // Metadata travels in HTTP headers (ASCII only): values are URL-encoded UTF-8.
                Metadata = new Dictionary<string, string>
                {
                    ["unit"] = Uri.EscapeDataString(record.UnitId),
                    ["maker"] = Uri.EscapeDataString(record.OfficerId),
                    ["recordedat"] = record.CorrectedStart.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["casename"] = Uri.EscapeDataString(caseName),
                    ["casenumber"] = Uri.EscapeDataString(caseNumber),
                    ["sha256"] = record.Sha256,
                },
                Tags = new Dictionary<string, string>
                {
                    ["unit"] = TagValue(record.UnitId),
                    ["maker"] = TagValue(record.OfficerId),
                    ["casenumber"] = TagValue(caseNumber),
                },
            }, cancellationToken);
        }
        else
        {
            await target.SetLegalHoldAsync(true, cancellationToken);
        }

        var (length, sha256) = await HashAsync(target, cancellationToken);
        if (length != record.Size || sha256 != record.Sha256)
        {
            throw new InvalidOperationException($"The preservation copy of {record.Id} does not match its SHA-256.");
        }

        return new PreservationCopy(preservation.AccountName, record.BlobName, sha256, time.GetUtcNow());
    }

    public static async Task<(long Length, string Sha256)> HashAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var stored = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = stored.Value.Content;
        return await StreamHasher.HashAsync(content, cancellationToken);
    }

    // Blob index tags allow letters, digits, space and + - . / : = _ only.
    private static string TagValue(string value) =>
        new([.. value.Take(256).Select(c => char.IsAsciiLetterOrDigit(c) || " +-./:=_".Contains(c, StringComparison.Ordinal) ? c : '_')]);
}
