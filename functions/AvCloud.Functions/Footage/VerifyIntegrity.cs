using System.ComponentModel.DataAnnotations;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Footage;

public sealed class IntegrityOptions
{
    public const string Section = "AvCloud:Integrity";

    /// <summary>Every stored recording is re-hashed at least this often.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Period { get; init; } = TimeSpan.FromDays(90);

    /// <summary>At most this many bytes are re-read per run; the oldest-verified go first, the rest wait for the next run.</summary>
    [Range(1L, long.MaxValue)]
    public long BytesPerRun { get; init; } = 50L * 1024 * 1024 * 1024;
}

/// <summary>
/// Daily, Art. 18: re-hashes stored footage, oldest-verified first, within a byte budget, so that everything is checked
/// within the period. A mismatch is recorded on the catalogue record, audited and logged; it is never repaired silently.
/// </summary>
public sealed partial class VerifyIntegrity(FootageStore footage, BlobServiceClient blobs, TimeProvider time,
    IOptions<IntegrityOptions> options, ILogger<VerifyIntegrity> logger)
{
    [Function(nameof(VerifyIntegrity))]
    public async Task Run([TimerTrigger("0 0 3 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(BlobContainers.Footage);
        var now = time.GetUtcNow();
        var budget = options.Value.BytesPerRun;
        // Checked within the last day: not again today. Everything older waits its turn, oldest first.
        await foreach (var record in footage.DueForVerificationAsync(now.AddDays(-1), cancellationToken))
        {
            if (budget <= 0)
            {
                break;
            }

            budget -= record.Size;
            var download = await container.GetBlobClient(record.BlobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
            await using var content = download.Value.Content;
            var (length, sha256) = await StreamHasher.HashAsync(content, cancellationToken);
            if (length == record.Size && sha256 == record.Sha256)
            {
                await footage.ChangeAsync(record.UnitId, record.Id, r => r.Verified(now, length, sha256), cancellationToken);
                continue;
            }

            // The mismatch is kept on the record and told in the chain by one write.
            await footage.ChangeAsync(record.UnitId, record.Id, r => r.Verified(now, length, sha256),
                (_, _) => new AuditEntry(record.UnitId, "system:verify-integrity", "system", AuditAction.IntegrityMismatch, $"footage/{record.Id}",
                    AuditOutcomes.Failure, new Dictionary<string, string>
                    {
                        ["expectedSha256"] = record.Sha256,
                        ["foundSha256"] = sha256,
                        ["expectedSize"] = record.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["foundSize"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["blob"] = record.BlobName,
                    }), cancellationToken);
            LogMismatch(logger, record.Id, record.UnitId, record.BlobName);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stored footage {Id} of unit {Unit} ({Blob}) no longer matches its SHA-256")]
    private static partial void LogMismatch(ILogger logger, string id, string unit, string blob);
}
