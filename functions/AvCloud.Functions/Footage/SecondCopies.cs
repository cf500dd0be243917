using System.Globalization;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Functions.Footage;

/// <summary>
/// The second copy of held footage (Art. 16) in the preservation account: made by streaming from the footage
/// account, with its own legal hold, labelled as Art. 16 asks (the producing unit, the person who made the copy, the time
/// it was made, the activity's and the case's name and number), and checked by SHA-256 against the catalogue. Used when
/// a hold is placed and when reconciliation finds a copy missing or wrong. It follows the footage's own retention: an
/// immutability policy until the record's retention date, so it is not left unprotected when the last hold goes, and it is
/// purged with the footage.
/// </summary>
public sealed class SecondCopies(
    BlobServiceClient blobs,
    [FromKeyedServices(BlobContainers.PreservationAccount)] BlobServiceClient preservation,
    ActivityStore activities,
    UnitStore units,
    TimeProvider time)
{
    public BlobClient CopyOf(FootageRecord record) =>
        preservation.GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(record.BlobName);

    /// <summary>
    /// Makes the copy if it is missing (labelled with <paramref name="hold"/>'s maker and case), sets its legal hold and its
    /// policy, and verifies it; throws if the bytes do not match.
    /// </summary>
    public async Task<PreservationCopy> EnsureAsync(FootageRecord record, PreservationHold hold, CancellationToken cancellationToken)
    {
        var target = CopyOf(record);
        if (!await target.ExistsAsync(cancellationToken))
        {
            var activity = record.ActivityId is { } activityId ? await activities.ReadAsync(record.UnitId, activityId, cancellationToken) : null;
            var source = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
            var download = await source.DownloadStreamingAsync(cancellationToken: cancellationToken);
            await using var content = download.Value.Content;
            await target.UploadAsync(content, new BlobUploadOptions
            {
                LegalHold = true,
                Metadata = Labels(record, hold, activity, time.GetUtcNow()),
                Tags = new Dictionary<string, string>
                {
                    ["unit"] = TagValue(record.UnitId),
                    ["maker"] = TagValue(hold.PlacedBy),
                    ["casenumber"] = TagValue(hold.CaseNumber),
                },
            }, cancellationToken);
        }
        else
        {
            await target.SetLegalHoldAsync(true, cancellationToken);
        }

        await FollowRetentionAsync(target, record, cancellationToken);
        var (length, sha256) = await HashAsync(target, cancellationToken);
        if (length != record.Size || sha256 != record.Sha256)
        {
            throw new InvalidOperationException($"The preservation copy of {record.Id} does not match its SHA-256.");
        }

        return new PreservationCopy(preservation.AccountName, record.BlobName, sha256, time.GetUtcNow());
    }

    /// <summary>
    /// Art. 16: the labels of a copy made now. Metadata travels in HTTP headers (ASCII only): values are URL-encoded UTF-8,
    /// and a label with no value is left out (storage refuses empty metadata values).
    /// </summary>
    public static Dictionary<string, string> Labels(FootageRecord record, PreservationHold hold, Activity? activity, DateTimeOffset copiedAt)
    {
        var labels = new Dictionary<string, string?>
        {
            ["unit"] = record.UnitId,
            ["maker"] = hold.PlacedBy,
            ["copiedat"] = copiedAt.ToString("O", CultureInfo.InvariantCulture),
            ["recordedat"] = record.CorrectedStart.ToString("O", CultureInfo.InvariantCulture),
            ["casename"] = hold.CaseName,
            ["casenumber"] = hold.CaseNumber,
            ["activitynumber"] = record.ActivityId,
            ["activityname"] = activity is null ? null : $"{AvCloudJson.Name(activity.Kind)}, {activity.Place}, {activity.Start.ToString("O", CultureInfo.InvariantCulture)}",
            ["activitycasename"] = activity?.CaseName,
            ["activitycasenumber"] = activity?.CaseNumber,
            ["sha256"] = record.Sha256,
        };
        return labels.Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToDictionary(l => l.Key, l => Uri.EscapeDataString(l.Value!), StringComparer.Ordinal);
    }

    /// <summary>
    /// Art. 16: the second copy keeps the footage's own retention: an immutability policy until the record's retention date
    /// (Unlocked or Locked as the unit's policy mode), moved later with it. A Locked policy is never shortened; an Unlocked
    /// one follows the date back, or is lifted once the date has passed. True when storage had to change. Nothing to do when
    /// the record has no copy, or its copy is missing (reconciliation remakes that of held footage).
    /// </summary>
    public async Task<bool> FollowRetentionAsync(FootageRecord record, CancellationToken cancellationToken) =>
        record.SecondCopy is { PurgedAt: null } && await CopyOf(record).ExistsAsync(cancellationToken)
            && await FollowRetentionAsync(CopyOf(record), record, cancellationToken);

    private async Task<bool> FollowRetentionAsync(BlobClient copy, FootageRecord record, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = (await copy.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ImmutabilityPolicy;
        var currentUntil = current?.ExpiresOn is { } expires && expires > now ? expires : (DateTimeOffset?)null;
        var lockedUntil = current?.PolicyMode == BlobImmutabilityPolicyMode.Locked ? currentUntil : null;
        var until = Truncate(record.RetentionUntil);
        if (until <= now)
        {
            if (currentUntil is null || lockedUntil is not null)
            {
                return false;
            }

            await copy.DeleteImmutabilityPolicyAsync(cancellationToken);
            return true;
        }

        if (currentUntil == until || lockedUntil >= until)
        {
            return false;
        }

        var mode = (await units.SettingsAsync(record.UnitId, cancellationToken)).PolicyMode;
        await copy.SetImmutabilityPolicyAsync(Immutability.Until(until, mode, stayLocked: lockedUntil is not null), cancellationToken: cancellationToken);
        return true;
    }

    public static async Task<(long Length, string Sha256)> HashAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var stored = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = stored.Value.Content;
        return await StreamHasher.HashAsync(content, cancellationToken);
    }

    // Storage keeps policy dates to the second.
    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    // Blob index tags allow letters, digits, space and + - . / : = _ only.
    private static string TagValue(string value) =>
        new([.. value.Take(256).Select(c => char.IsAsciiLetterOrDigit(c) || " +-./:=_".Contains(c, StringComparison.Ordinal) ? c : '_')]);
}
