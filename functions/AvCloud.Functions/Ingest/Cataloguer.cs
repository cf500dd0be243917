using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Ingest;

/// <summary>
/// Turns a blob committed to <c>ingest</c> into catalogued, immutable footage (Arts. 13 and 18): verify size and
/// SHA-256 against the manifest in one streaming pass, read the media facts, copy to <c>footage</c> under its content
/// address with an immutability policy until the retention date, write the catalogue record, audit, and only then
/// delete the ingest blob. A mismatch or an unreadable file goes to <c>quarantine</c> instead.
/// <para>
/// Every step can be repeated: a redelivered event, events out of order, or a re-run after a crash between any two
/// steps reach the same end state (one record, one copy, one audit event per upload).
/// </para>
/// </summary>
public sealed partial class Cataloguer(
    BlobServiceClient blobs,
    UploadStore uploads,
    FootageStore footage,
    UnitStore units,
    Activities.ActivityStore activities,
    Devices.DeviceStore devices,
    AuditTrail audit,
    SasIssuer sas,
    TimeProvider time,
    StorageClock storageClock,
    IOptions<IngestOptions> ingest,
    CataloguePipelineHooks hooks,
    ActivityLinker linker,
    ILogger<Cataloguer> logger)
{
    /// <summary>Quarantined blobs that cannot be tied to a unit are audited here.</summary>
    public const string UnknownUnit = "_unknown";

    private const string Actor = "system:catalogue";

    private readonly BlobContainerClient _ingest = blobs.GetBlobContainerClient(BlobContainers.Ingest);
    private readonly BlobContainerClient _footageBlobs = blobs.GetBlobContainerClient(BlobContainers.Footage);
    private readonly BlobContainerClient _quarantine = blobs.GetBlobContainerClient(BlobContainers.Quarantine);

    [GeneratedRegex(@"^[a-z0-9]{1,8}\z")]
    private static partial Regex Extension();

    /// <summary>Catalogues (or quarantines) the ingest blob <paramref name="blobName"/>; returns the file's final state.</summary>
    public async Task<FileState> CatalogueAsync(string blobName, CancellationToken cancellationToken)
    {
        var blob = _ingest.GetBlobClient(blobName);
        var parts = blobName.Split('/');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            await QuarantineAsync(blob, UnknownUnit, null, null, "The blob name is not unit/session/file: no upload session can own it.", cancellationToken);
            return FileState.Quarantined;
        }

        var (unit, sessionId, fileName) = (parts[0], parts[1], parts[2]);
        var session = await uploads.ReadAsync(unit, sessionId, cancellationToken);
        var file = session?.Files.FirstOrDefault(f => f.Name == fileName);
        if (session is null || file is null)
        {
            var reason = session is null ? $"No upload session {sessionId} exists in unit {unit}." : $"The manifest of session {sessionId} does not list {fileName}.";
            await QuarantineAsync(blob, unit, session, null, reason, cancellationToken);
            return FileState.Quarantined;
        }

        if (!await blob.ExistsAsync(cancellationToken))
        {
            // Handled by an earlier delivery: the ingest blob goes last, after the record and the audit event.
            return (await uploads.ReadStatusAsync(session, fileName, cancellationToken))?.State ?? file.State;
        }

        try
        {
            return await CatalogueExistingAsync(blob, blobName, unit, session, file, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.PreconditionFailed)
        {
            if (await blob.ExistsAsync(cancellationToken))
            {
                throw;
            }

            // Another delivery (a redelivered event, WatchUploads) finished it while this one read it: nothing is left to do.
            return (await uploads.ReadStatusAsync(session, fileName, cancellationToken))?.State ?? file.State;
        }
    }

    private async Task<FileState> CatalogueExistingAsync(BlobClient blob, string blobName, string unit, UploadSession session, UploadFile file,
        CancellationToken cancellationToken)
    {
        var fileName = file.Name;
        await SetStatusAsync(session, fileName, FileState.Received, null, null, cancellationToken);

        var (length, sha256, hashed, md5) = await HashAsync(blob, cancellationToken);
        if (length != file.Size || sha256 != file.Sha256)
        {
            var reason = length != file.Size
                ? string.Create(CultureInfo.InvariantCulture, $"The upload has {length} bytes; the manifest says {file.Size}.")
                : $"The upload's SHA-256 is {sha256}; the manifest says {file.Sha256}.";
            await QuarantineAsync(blob, unit, session, file, reason, cancellationToken);
            return FileState.Quarantined;
        }

        MediaFacts media;
        try
        {
            await using var content = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false)
            {
                BufferSize = 256 * 1024,
                Conditions = new BlobRequestConditions { IfMatch = hashed },
            }, cancellationToken);
            media = MediaFacts.Read(content, file.Kind, length);
        }
        catch (UnreadableMediaException exception)
        {
            await QuarantineAsync(blob, unit, session, file, exception.Message, cancellationToken);
            return FileState.Quarantined;
        }

        var correctedStart = file.RecordedStart + session.ClockDrift;
        var correctedEnd = file.RecordedEnd + session.ClockDrift;
        // The unit's own rules: its retention period (the longest that applies) and its policy mode.
        var settings = await units.SettingsAsync(unit, cancellationToken);
        IReadOnlyList<string> categories = file.Category is null ? [] : [file.Category];
        // The activity the dock linked it to sets the handover deadline, and its kind counts as a retention category.
        var activity = file.ActivityId is null ? null : await activities.ReadAsync(unit, file.ActivityId, cancellationToken);
        var now = time.GetUtcNow();
        var retainUntil = RetentionDates.RuleDate(correctedStart, now, activity?.Kind, settings, categories);
        var footageName = FootageName(unit, correctedStart, sha256, file);
        // The bytes kept are the bytes hashed: the copy is pinned to the version that was hashed, and checked after.
        await hooks.BeforeCopy(blobName, cancellationToken);
        if (await CopyToFootageAsync(blob, hashed, footageName, length, md5, retainUntil, settings.PolicyMode, cancellationToken) is { } changed)
        {
            await QuarantineAsync(blob, unit, session, file, changed, cancellationToken);
            return FileState.Quarantined;
        }

        await hooks.AfterCopy(blobName, cancellationToken);

        // Art. 4 and 18: whose recording this is by the device ledger, against whom the dock reported.
        var attribution = await devices.AttributeAsync(unit, session.DeviceId, correctedStart, session.OfficerId, cancellationToken);
        var deadline = correctedEnd + ingest.Value.HandoverAllowance;
        var upload = new FootageUpload(session.Id, file.Name, session.DockId, session.DeviceId, session.OfficerId, session.DockedAt, now, session.OpenedAt);
        var candidate = new FootageRecord
        {
            Id = sha256,
            UnitId = unit,
            Sha256 = sha256,
            Size = length,
            Kind = file.Kind,
            BlobName = footageName,
            DeviceId = session.DeviceId,
            OfficerId = session.OfficerId,
            DockId = session.DockId,
            RecordedStart = file.RecordedStart,
            RecordedEnd = file.RecordedEnd,
            ClockDriftSeconds = session.ClockDriftSeconds,
            CorrectedStart = correctedStart,
            CorrectedEnd = correctedEnd,
            DockedAt = session.DockedAt,
            CataloguedAt = now,
            HandoverDeadline = deadline,
            // Art. 13, judged on AvCloud's receipt, not on what the dock says.
            HandedOverInTime = upload.HandedOverAt <= deadline,
            DockedToCataloguedSeconds = Math.Round((now - session.DockedAt).TotalSeconds, 3),
            ActivityId = file.ActivityId,
            RetentionUntil = retainUntil,
            Categories = categories,
            Attribution = attribution,
            LastVerifiedAt = now,
            Media = media,
            Uploads = [upload],
        };
        if (activity is not null)
        {
            candidate = candidate.LinkTo(activity, ingest.Value.HandoverAllowance, LinkMethod.Manifest).Value!;
        }

        // The record and its audit event are one write: a crash between them cannot leave a record the chain never heard of.
        var (record, _) = await footage.RecordAsync(candidate, upload, (written, write) =>
            new AuditEntry(unit, Actor, "system", write == RecordWrite.Created ? AuditAction.FootageCatalogued : AuditAction.FootageDuplicate,
                $"footage/{written.Id}", AuditOutcomes.Success, new Dictionary<string, string>
                {
                    ["session"] = session.Id,
                    ["file"] = file.Name,
                    ["device"] = session.DeviceId,
                    ["officer"] = session.OfficerId,
                    ["blob"] = footageName,
                    ["retentionUntil"] = written.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                    ["handedOverInTime"] = written.HandedOverInTime ? "true" : "false",
                }), cancellationToken);
        // Arts. 5, 8 and 16: linked by the rule when the manifest named no activity, and held with its activity's case;
        // before the ingest blob goes, so a failure here is retried with the rest.
        record = await linker.LinkAsync(unit, record.Id, cancellationToken) ?? record;
        var first = record.Uploads[0];
        var state = first.SessionId == session.Id && first.FileName == file.Name ? FileState.Catalogued : FileState.Duplicate;
        await SetStatusAsync(session, fileName, state, null, record.Id, cancellationToken);
        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        LogCatalogued(logger, blobName, state, record.Id);
        return state;
    }

    private static string FootageName(string unit, DateTimeOffset correctedStart, string sha256, UploadFile file)
    {
        var extension = Path.GetExtension(file.Name).TrimStart('.').ToLowerInvariant();
        if (!Extension().IsMatch(extension))
        {
            extension = file.Kind switch { MediaKind.Video => "mp4", MediaKind.Audio => "m4a", _ => "jpg" };
        }

        return string.Create(CultureInfo.InvariantCulture, $"{unit}/{correctedStart.UtcDateTime:yyyy}/{correctedStart.UtcDateTime:MM}/{sha256}.{extension}");
    }

    private static async Task<(long Length, string Sha256, ETag ETag, byte[]? Md5)> HashAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var content = download.Value.Content;
        var (length, sha256) = await StreamHasher.HashAsync(content, cancellationToken);
        // The MD5 storage keeps for the whole blob (set when the dock committed it), to check the copy against.
        return (length, sha256, download.Value.Details.ETag, download.Value.Details.BlobContentHash);
    }

    /// <summary>
    /// Copies the ingest blob, as it was when hashed (<paramref name="hashed"/>), to its content address; null when the
    /// footage blob holds it, or why not: the upload was changed after it was hashed, or the blob at the address is not the
    /// size hashed. Content addressing makes the copy idempotent: a blob already at the name is another run's copy of
    /// these bytes, and its length, which storage reports, is checked like a new copy's.
    /// </summary>
    private async Task<string?> CopyToFootageAsync(BlobClient source, ETag hashed, string footageName, long length, byte[]? md5, DateTimeOffset retainUntil,
        PolicyMode mode, CancellationToken cancellationToken)
    {
        var target = _footageBlobs.GetBlobClient(footageName);
        if (!await target.ExistsAsync(cancellationToken) && await StartCopyAsync(source, hashed, target, retainUntil, mode, cancellationToken) is { } refused)
        {
            return refused;
        }

        var stored = (await target.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        return stored.ContentLength != length
            ? string.Create(CultureInfo.InvariantCulture, $"The footage blob {footageName} holds {stored.ContentLength} bytes; {length} were hashed.")
            : md5 is { Length: > 0 } && stored.ContentHash is { Length: > 0 } kept && !kept.AsSpan().SequenceEqual(md5)
                ? $"The footage blob {footageName} has another content MD5 than the upload that was hashed."
                : null;
    }

    private async Task<string?> StartCopyAsync(BlobClient source, ETag hashed, BlobClient target, DateTimeOffset retainUntil, PolicyMode mode,
        CancellationToken cancellationToken)
    {
        var options = new BlobCopyFromUriOptions
        {
            SourceConditions = new BlobRequestConditions { IfMatch = hashed },
            DestinationConditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        if (retainUntil > storageClock.GetUtcNow().AddMinutes(1))
        {
            // Art. 15: storage itself refuses deletion before the retention date.
            options.DestinationImmutabilityPolicy = Immutability.Until(retainUntil, mode);
        }

        var sourceUri = await sas.ForBlobAsync(source, BlobSasPermissions.Read, storageClock.GetUtcNow().AddHours(1), null, cancellationToken);
        try
        {
            var copy = await target.StartCopyFromUriAsync(sourceUri, options, cancellationToken);
            await copy.WaitForCompletionAsync(cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == (int)HttpStatusCode.PreconditionFailed && exception.ErrorCode != BlobErrorCode.TargetConditionNotMet)
        {
            return "The upload was changed after it was hashed; the changed bytes were not kept.";
        }
        catch (RequestFailedException exception) when (exception.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
        {
            // Another run copied it first.
        }

        return null;
    }

    private async Task QuarantineAsync(BlobClient blob, string unit, UploadSession? session, UploadFile? file, string reason, CancellationToken cancellationToken)
    {
        if (!await blob.ExistsAsync(cancellationToken))
        {
            return;
        }

        var target = _quarantine.GetBlobClient(blob.Name);
        var sourceUri = await sas.ForBlobAsync(blob, BlobSasPermissions.Read, storageClock.GetUtcNow().AddHours(1), null, cancellationToken);
        var copy = await target.StartCopyFromUriAsync(sourceUri, new BlobCopyFromUriOptions
        {
            Metadata = new Dictionary<string, string> { ["reason"] = Ascii(reason) },
        }, cancellationToken);
        await copy.WaitForCompletionAsync(cancellationToken);

        if (session is not null && file is not null)
        {
            await SetStatusAsync(session, file.Name, FileState.Quarantined, reason, null, cancellationToken);
        }

        await audit.RecordSystemAsync(unit, Actor, AuditAction.FootageQuarantined, $"ingest/{blob.Name}", AuditOutcomes.Failure,
            new Dictionary<string, string> { ["reason"] = reason, ["session"] = session?.Id ?? "" }, cancellationToken);
        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        LogQuarantined(logger, blob.Name, reason);
    }

    private static string Ascii(string text) => new([.. text.Select(c => c is >= ' ' and <= '~' ? c : '?')]);

    /// <summary>Records where one file stands (its own document: concurrent files never contend).</summary>
    private Task<bool> SetStatusAsync(UploadSession session, string fileName, FileState state, string? reason, string? footageId, CancellationToken cancellationToken) =>
        uploads.WriteStatusAsync(new UploadFileStatus
        {
            Id = UploadFileStatus.IdFor(session.Id, session.IndexOf(fileName)),
            UnitId = session.UnitId,
            SessionId = session.Id,
            Name = fileName,
            State = state,
            Reason = reason,
            FootageId = footageId,
            UpdatedAt = time.GetUtcNow(),
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalogued ingest/{Blob}: {State} as footage {FootageId}")]
    private static partial void LogCatalogued(ILogger logger, string blob, FileState state, string footageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantined ingest/{Blob}: {Reason}")]
    private static partial void LogQuarantined(ILogger logger, string blob, string reason);
}
