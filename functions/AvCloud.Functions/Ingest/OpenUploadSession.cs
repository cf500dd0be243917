using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Ingest;

/// <summary>
/// <c>POST /api/uploads</c> (Dock): opens an upload session from the dock's manifest and answers, per file, a URL
/// that can only create that one blob in <c>ingest</c> (no read, no list, no overwrite), valid for the upload window.
/// Art. 7: the dock reports its own clock and the device's at docking, so the device's drift is measured.
/// </summary>
public sealed class OpenUploadSession(UploadStore uploads, Retention.UnitStore units, Activities.ActivityStore activities, Devices.DeviceStore devices,
    BlobServiceClient blobs, SasIssuer sas, TimeProvider time, StorageClock storageClock, IOptions<IngestOptions> options)
{
    [Function(nameof(OpenUploadSession))]
    [RequiresRole(Roles.Dock)]
    [Accepts(typeof(UploadManifest))]
    [Answers(StatusCodes.Status201Created, typeof(UploadSessionOpened))]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/uploads")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var receivedAt = time.GetUtcNow();
        var bodyErrors = new Dictionary<string, string[]>();
        var manifest = await RequestBody.ReadJsonAsync<UploadManifest>(request, options.Value.MaxManifestBytes, cancellationToken, bodyErrors);
        var sessionId = Guid.NewGuid().ToString("N");
        // The dock is who its token says: a manifest naming another dock is a stolen or misconfigured credential.
        if (manifest.DockId is { } named && named != caller.UserId)
        {
            throw Refusal.Forbidden("Not this dock.", $"The manifest names dock {named}, but the token is dock {caller.UserId}'s.", "names another dock")
                .Audited(AuditAction.UploadOpened, "uploads", new Dictionary<string, string> { ["dockNamed"] = named });
        }

        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        var files = ManifestRules.Validate(manifest, caller.UnitId, sessionId, [.. settings.RetentionMonths.Keys], bodyErrors);
        // Each activity named is read once, however many files name it.
        var unknown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var activityId in files.Select(f => f.ActivityId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await activities.ReadAsync(caller.UnitId, activityId, cancellationToken) is null)
            {
                unknown.Add(activityId);
            }
        }

        var unknownActivities = files.Select((f, i) => (f.ActivityId, Index: i)).Where(f => f.ActivityId is not null && unknown.Contains(f.ActivityId))
            .ToDictionary(f => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"files[{f.Index}].activityId"),
                f => new[] { $"No activity {f.ActivityId} in your unit." });

        ProblemException.ThrowIfAny(unknownActivities);
        if (await devices.ReadAsync(caller.UnitId, manifest.DeviceId!, cancellationToken) is not { Status: not Devices.DeviceStatus.Retired } device)
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Unknown device.",
                $"Device {manifest.DeviceId} is not in your unit's registry, or is retired: register it (POST /api/devices) before its recordings are handed over.")
            {
                Errors = new Dictionary<string, string[]> { ["deviceId"] = ["Unknown or retired device."] },
            };
        }

        // Arts. 7, 13, 15: the dock's times against AvCloud's own clock, before anything is stored.
        var limits = new ClockLimits(options.Value.ClockAheadAllowance, options.Value.DockedBeforeReceipt, TimeSpan.FromHours(settings.MaxClockDriftHours));
        if (TrustedTime.Problems(manifest, receivedAt, limits) is { Count: > 0 } untrusted)
        {
            throw new Refusal(StatusCodes.Status422UnprocessableEntity, "Times not trusted.", "See errors for each field: the dock's or the device's clock is off.",
                string.Join(" ", untrusted.SelectMany(e => e.Value))) { Errors = untrusted }
                .Audited(AuditAction.UploadOpened, "uploads", new Dictionary<string, string> { ["device"] = device.Id, ["dock"] = caller.UserId });
        }

        var now = receivedAt;
        // Upload URLs are checked by storage against its own clock.
        var expiresAt = storageClock.GetUtcNow() + options.Value.UploadWindow;
        var session = new UploadSession
        {
            Id = sessionId,
            UnitId = caller.UnitId,
            DockId = caller.UserId,
            DeviceId = manifest.DeviceId!,
            OfficerId = manifest.OfficerId!,
            DockedAt = manifest.DockedAt!.Value.ToUniversalTime(),
            DeviceClockAtDocking = manifest.DeviceClockAtDocking!.Value.ToUniversalTime(),
            ClockDriftSeconds = Math.Round((manifest.DockedAt!.Value - manifest.DeviceClockAtDocking!.Value).TotalSeconds, 3),
            OpenedAt = now,
            OpenedBy = caller.UserId,
            UploadExpiresAt = expiresAt,
            Files = files,
        };
        await uploads.OpenAsync(session, AuditEntry.By(caller, AuditAction.UploadOpened, $"uploads/{sessionId}", AuditOutcomes.Success,
            new Dictionary<string, string>
            {
                ["dock"] = session.DockId,
                ["device"] = session.DeviceId,
                ["officer"] = session.OfficerId,
                ["files"] = files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["clockDriftSeconds"] = session.ClockDriftSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }), cancellationToken);

        var ingest = blobs.GetBlobContainerClient(BlobContainers.Ingest);
        var urls = new List<UploadTarget>();
        foreach (var file in files)
        {
            var url = await sas.ForBlobAsync(ingest.GetBlobClient(file.BlobName), BlobSasPermissions.Create, expiresAt, null, cancellationToken);
            urls.Add(new UploadTarget(file.Name, url));
        }

        return TypedResults.Created($"/api/uploads/{sessionId}", new UploadSessionOpened(sessionId, expiresAt, session.ClockDriftSeconds, urls));
    }
}

public sealed record UploadTarget(string Name, Uri UploadUrl);

public sealed record UploadSessionOpened(string SessionId, DateTimeOffset ExpiresAt, double ClockDriftSeconds, IReadOnlyList<UploadTarget> Files);

/// <summary><c>GET /api/uploads/{id}</c> (Dock, Keeper): the session and each file's state, in the caller's unit only.</summary>
public sealed class GetUploadSession(UploadStore uploads)
{
    [Function(nameof(GetUploadSession))]
    [RequiresRole(Roles.Dock, Roles.Keeper)]
    [Answers(StatusCodes.Status200OK, typeof(UploadSession))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/uploads/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var session = await uploads.ReadWithStatusAsync(caller.UnitId, id, cancellationToken);
        return session is not null
            ? TypedResults.Ok(session)
            : Problems.NotFound($"No upload session {id} in your unit.");
    }
}

/// <summary>What storage holds of one file of a session: whether it is committed, and the blocks staged but not yet committed.</summary>
public sealed record UploadBlocks(string Name, bool Committed, long CommittedBytes, IReadOnlyList<StagedBlock> Uncommitted);

public sealed record StagedBlock(string Name, long Size);

/// <summary>
/// <c>GET /api/uploads/{id}/files/{name}/blocks</c> (Dock): the blocks storage already holds for a file of the session,
/// so a dock that crashed or lost its network resumes without sending them again. The dock's own upload URL can only
/// create (it cannot read the block list), so AvCloud asks storage for it.
/// </summary>
public sealed class ReadUploadBlocks(UploadStore uploads, BlobServiceClient blobs)
{
    [Function(nameof(ReadUploadBlocks))]
    [RequiresRole(Roles.Dock)]
    [Answers(StatusCodes.Status200OK, typeof(UploadBlocks))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/uploads/{id}/files/{name}/blocks")] HttpRequest request,
        string id,
        string name,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var session = await uploads.ReadWithStatusAsync(caller.UnitId, id, cancellationToken);
        if (session?.Files.FirstOrDefault(f => f.Name == name) is not { } file)
        {
            return Problems.NotFound($"No file {name} in upload session {id} of your unit.");
        }

        var blob = blobs.GetBlobContainerClient(BlobContainers.Ingest).GetBlockBlobClient(file.BlobName);
        try
        {
            var list = (await blob.GetBlockListAsync(BlockListTypes.All, cancellationToken: cancellationToken)).Value;
            return TypedResults.Ok(new UploadBlocks(name, list.CommittedBlocks.Any(), list.CommittedBlocks.Sum(b => b.SizeLong),
                [.. list.UncommittedBlocks.Select(b => new StagedBlock(b.Name, b.SizeLong))]));
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == StatusCodes.Status404NotFound)
        {
            // Nothing staged yet, or already catalogued and removed from ingest: the session's file state says which.
            return TypedResults.Ok(new UploadBlocks(name, file.State is not (FileState.Awaiting or FileState.Received), 0, []));
        }
    }
}
