using System.Security.Cryptography;

namespace AvCloud.DockSync;

/// <summary>What one pass did.</summary>
public sealed record PushReport(
    int FilesSeen,
    int FilesUploaded,
    int FilesVerified,
    int FilesWiped,
    int BlocksSent,
    long BytesSent,
    int Retries,
    IReadOnlyList<string> Problems);

/// <summary>
/// One pass over the docked recorders (<c>avdock push DIR</c>): find the files that are ready, hash them, open an upload
/// session per recorder, upload (urgent activities first, then oldest recordings first), then ask AvCloud whether each
/// file was catalogued with the same SHA-256; with <c>--wipe-after-verify</c> only those are deleted from the recorder.
/// Everything is journalled, so a pass that stops for any reason is continued by the next.
/// </summary>
public sealed class Pusher(DockSettings settings, TextWriter output, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly AvCloudApi _api = new(settings, handler);
    private readonly Journal _journal = Journal.Open(settings.Journal);

    public Journal Journal => _journal;

    public async Task<PushReport> PushAsync(string root, bool wipeAfterVerify, double? maxMbps, CancellationToken cancellationToken)
    {
        _journal.Forget(DateTimeOffset.UtcNow.AddDays(-settings.JournalKeepDays));
        var (folders, scanProblems) = await Recorder.ScanAsync(root, settings, cancellationToken);
        var problems = new List<string>(scanProblems);
        var progress = Progress.For(output);
        var uploader = new BlockUploader(settings, _api, new Throttle(maxMbps), progress, handler);

        foreach (var folder in folders)
        {
            await HashAsync(folder, problems, cancellationToken);
            await OpenSessionAsync(folder, problems, cancellationToken);
        }

        // Art. 13: recordings of urgent activities first (flagged by the recorder or in AvCloud), then the oldest.
        var keys = folders.SelectMany(f => f.Files.Select(file => $"{f.Device.DeviceId}/{file.Name}")).ToHashSet();
        var activities = await ActivitiesAsync(problems, cancellationToken);
        NoteActivityEnds(activities);
        var queue = _journal.Entries.Where(e => keys.Contains(e.Key) && e.Stage == FileStage.Uploading)
            .OrderByDescending(e => e.Urgent || (e.ActivityId is not null && activities.TryGetValue(e.ActivityId, out var a) && a.Urgent))
            .ThenBy(e => e.RecordedStart).ToList();
        var uploaded = 0;
        await Parallel.ForEachAsync(queue, new ParallelOptions { MaxDegreeOfParallelism = settings.ParallelFiles, CancellationToken = cancellationToken },
            async (entry, token) =>
            {
                try
                {
                    await uploader.UploadAsync(entry, token);
                    _journal.Put(entry with { Stage = FileStage.Committed, Message = null });
                    Interlocked.Increment(ref uploaded);
                }
                catch (Exception exception) when (exception is Azure.RequestFailedException or IOException or DockException or ApiException or HttpRequestException
                    or UnauthorizedAccessException)
                {
                    if (exception is Azure.RequestFailedException && await CommittedAsync(entry, token))
                    {
                        // Storage refused a repeated commit because the first one went through and only its answer was
                        // lost (the connection dropped after storage acted): the file is in AvCloud's hands in this
                        // session, and opening another would upload it and hand it over a second time.
                        _journal.Put(entry with { Stage = FileStage.Committed, Message = null });
                        Interlocked.Increment(ref uploaded);
                        return;
                    }

                    var message = Describe(entry, exception);
                    var expired = exception is Azure.RequestFailedException { Status: 403 };
                    _journal.Put(entry with { Message = message, Stage = expired ? FileStage.Hashed : entry.Stage });
                    lock (problems)
                    {
                        problems.Add(message);
                    }
                }
            });

        var verified = await VerifyAsync(TimeSpan.FromSeconds(settings.VerifySeconds), cancellationToken);
        var wiped = wipeAfterVerify ? Wipe(problems) : 0;
        foreach (var problem in problems)
        {
            progress.Line($"problem: {problem}");
        }

        return new PushReport(folders.Sum(f => f.Files.Count), uploaded, verified, wiped, uploader.BlocksSent, uploader.BytesSent, _api.Retries, problems);
    }

    /// <summary>Whether AvCloud sees the file's blob committed in its session (asked after storage refused a commit); unknown counts as no.</summary>
    private async Task<bool> CommittedAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            return (await _api.BlocksAsync(entry.SessionId!, entry.Name, cancellationToken)).Committed;
        }
        catch (Exception exception) when (exception is ApiException or HttpRequestException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyDictionary<string, ActivityRef>> ActivitiesAsync(List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.ActivitiesAsync(DateTimeOffset.UtcNow.AddDays(-7), cancellationToken);
        }
        catch (Exception exception) when (exception is ApiException or HttpRequestException)
        {
            problems.Add($"Could not ask AvCloud for the unit's activities ({exception.Message}); uploading oldest first.");
            return new Dictionary<string, ActivityRef>();
        }
    }

    /// <summary>
    /// Keeps, for each file not yet handed over that names an activity, the activity's end as AvCloud listed it: AvCloud
    /// sets the file's handover deadline from it (Art. 13), and <c>status</c> shows the same.
    /// </summary>
    private void NoteActivityEnds(IReadOnlyDictionary<string, ActivityRef> activities)
    {
        foreach (var entry in _journal.Entries.Where(e => e.Stage is not (FileStage.Verified or FileStage.Wiped) && e.ActivityId is not null))
        {
            // Art. 13: away from the unit, the 24 hours run from the officers' return, which AvCloud lists as handoverFrom.
            if (activities.TryGetValue(entry.ActivityId!, out var activity) && entry.ActivityEnd != (activity.HandoverFrom ?? activity.End))
            {
                _journal.Put(entry with { ActivityEnd = activity.HandoverFrom ?? activity.End });
            }
        }
    }

    /// <summary>Hashes files the journal does not know yet (or that changed), reading each once.</summary>
    private async Task HashAsync(RecorderFolder folder, List<string> problems, CancellationToken cancellationToken)
    {
        foreach (var file in folder.Files)
        {
            var key = $"{folder.Device.DeviceId}/{file.Name}";
            if (_journal.Find(key) is { } known && known.Size == file.Size && known.LastWriteUtc == file.LastWriteUtc)
            {
                continue;
            }

            try
            {
                await using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
                var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
                _journal.Put(new JournalEntry
                {
                    DeviceId = folder.Device.DeviceId,
                    Name = file.Name,
                    Path = file.Path,
                    Size = file.Size,
                    LastWriteUtc = file.LastWriteUtc,
                    Sha256 = sha256,
                    Kind = file.Info.Kind,
                    RecordedStart = file.Info.RecordedStart,
                    RecordedEnd = file.Info.RecordedEnd,
                    ActivityId = file.Info.ActivityId,
                    Category = file.Info.Category,
                    Urgent = file.Info.Urgent,
                    ClockDriftSeconds = folder.ClockDriftSeconds,
                });
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{key}: cannot be read ({exception.Message}); left on the recorder.");
            }
        }
    }

    /// <summary>One session per recorder for its files that have none, or whose upload window closed before they were committed.</summary>
    private async Task OpenSessionAsync(RecorderFolder folder, List<string> problems, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var waiting = folder.Files.Select(f => _journal.Find($"{folder.Device.DeviceId}/{f.Name}"))
            .OfType<JournalEntry>()
            .Where(e => e.Stage == FileStage.Hashed || (e.Stage == FileStage.Uploading && e.UploadExpiresAt < now.AddMinutes(5)))
            .ToList();
        if (waiting.Count == 0)
        {
            return;
        }

        var manifest = new Manifest(settings.DockId, folder.Device.DeviceId, folder.Device.OfficerId, folder.Device.ReadAt, folder.Device.DeviceClock,
            [.. waiting.Select(e => new ManifestFile(e.Name, e.Kind, e.Size, e.Sha256, e.RecordedStart, e.RecordedEnd, e.ActivityId, e.Category))]);
        try
        {
            var opened = await _api.OpenSessionAsync(manifest, cancellationToken);
            foreach (var entry in waiting)
            {
                var target = opened.Files.Single(f => f.Name == entry.Name);
                // The drift AvCloud recorded for the session is the one its deadline uses.
                _journal.Put(entry with
                {
                    Stage = FileStage.Uploading, SessionId = opened.SessionId, UploadUrl = target.UploadUrl, UploadExpiresAt = opened.ExpiresAt,
                    ClockDriftSeconds = opened.ClockDriftSeconds, Message = null,
                });
            }
        }
        catch (ApiException exception)
        {
            problems.Add($"{folder.Device.DeviceId}: AvCloud did not open an upload session: {exception.Message}");
        }
    }

    /// <summary>Asks AvCloud how committed files fared, until all are settled or <paramref name="patience"/> runs out.</summary>
    private async Task<int> VerifyAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        var verified = 0;
        var deadline = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            var pending = _journal.Entries.Where(e => e.Stage == FileStage.Committed).ToList();
            foreach (var session in pending.GroupBy(e => e.SessionId!))
            {
                SessionState state;
                try
                {
                    state = await _api.SessionAsync(session.Key, cancellationToken);
                }
                catch (Exception exception) when (exception is ApiException or HttpRequestException)
                {
                    continue;
                }

                foreach (var entry in session)
                {
                    var file = state.Files.FirstOrDefault(f => f.Name == entry.Name);
                    if (file is { State: "catalogued" or "duplicate" } && file.FootageId == entry.Sha256)
                    {
                        _journal.Put(entry with { Stage = FileStage.Verified, FootageId = file.FootageId, Message = null });
                        verified++;
                    }
                    else if (file is { State: "quarantined" })
                    {
                        _journal.Put(entry with { Stage = FileStage.Quarantined, Message = $"quarantined by AvCloud: {file.Reason}" });
                    }
                }
            }

            if (!_journal.Entries.Any(e => e.Stage == FileStage.Committed) || DateTimeOffset.UtcNow > deadline)
            {
                return verified;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    /// <summary>Deletes from the recorder only files AvCloud reported catalogued with the same SHA-256, after checking the file is still those bytes.</summary>
    private int Wipe(List<string> problems)
    {
        var wiped = 0;
        foreach (var entry in _journal.Entries.Where(e => e.Stage == FileStage.Verified && e.FootageId == e.Sha256))
        {
            try
            {
                var info = new FileInfo(entry.Path);
                if (!info.Exists || info.Length != entry.Size || info.LastWriteTimeUtc != entry.LastWriteUtc)
                {
                    problems.Add($"{entry.Key}: changed or moved since it was verified; not wiped.");
                    continue;
                }

                info.Delete();
                File.Delete(entry.Path + Recorder.MetaSuffix);
                _journal.Put(entry with { Stage = FileStage.Wiped });
                wiped++;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{entry.Key}: could not be wiped ({exception.Message}).");
            }
        }

        return wiped;
    }

    private static string Describe(JournalEntry entry, Exception exception) => exception switch
    {
        DirectoryNotFoundException or FileNotFoundException => $"{entry.Key}: the recorder's folder went away during the upload; dock it again and run again (what was sent is kept).",
        Azure.RequestFailedException { Status: 403 } => $"{entry.Key}: storage refused the upload URL (expired?); the next run opens a new session.",
        _ => $"{entry.Key}: not uploaded this time ({exception.Message}); the next run continues where this one stopped.",
    };

    public void Dispose() => _api.Dispose();
}
