using System.Text.Json;

namespace AvCloud.DockSync;

public enum FileStage
{
    /// <summary>Hashed, waiting for an upload session.</summary>
    Hashed,

    /// <summary>In a session; blocks may be staged.</summary>
    Uploading,

    /// <summary>The block list is committed; AvCloud has not yet reported it catalogued.</summary>
    Committed,

    /// <summary>AvCloud catalogued it (or already had the same content) with the same SHA-256: safe to wipe.</summary>
    Verified,

    /// <summary>AvCloud quarantined it; the file stays on the recorder for the keeper to look at.</summary>
    Quarantined,

    /// <summary>Deleted from the recorder after it was verified.</summary>
    Wiped,
}

/// <summary>What the dock knows about one recorder file.</summary>
public sealed record JournalEntry
{
    public required string DeviceId { get; init; }

    public required string Name { get; init; }

    public required string Path { get; init; }

    public required long Size { get; init; }

    public required DateTime LastWriteUtc { get; init; }

    public required string Sha256 { get; init; }

    public required string Kind { get; init; }

    public required DateTimeOffset RecordedStart { get; init; }

    public required DateTimeOffset RecordedEnd { get; init; }

    public string? ActivityId { get; init; }

    public string? Category { get; init; }

    public bool Urgent { get; init; }

    public FileStage Stage { get; init; } = FileStage.Hashed;

    public string? SessionId { get; init; }

    public Uri? UploadUrl { get; init; }

    public DateTimeOffset? UploadExpiresAt { get; init; }

    public string? FootageId { get; init; }

    public string? Message { get; init; }

    /// <summary>The device's clock drift measured at docking (the dock's clock minus the device's), in seconds.</summary>
    public double ClockDriftSeconds { get; init; }

    /// <summary>The end of the activity the file names, as AvCloud listed it (null until seen).</summary>
    public DateTimeOffset? ActivityEnd { get; init; }

    /// <summary>Art. 13: the deadline AvCloud will judge the handover by (<see cref="HandoverDeadline"/>).</summary>
    public DateTimeOffset Deadline => HandoverDeadline.For(RecordedEnd, ClockDriftSeconds, ActivityEnd);

    public string Key => $"{DeviceId}/{Name}";
}

/// <summary>
/// The dock's journal: every file it has seen, its hash, its session and how far it got. Saved atomically (write to a
/// temporary file, then rename) after every step, so a crash or power loss leaves the last complete state.
/// </summary>
public sealed class Journal
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JournalEntry> _entries;

    private Journal(string path, Dictionary<string, JournalEntry> entries)
    {
        _path = path;
        _entries = entries;
    }

    public static Journal Open(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            return new Journal(path, []);
        }

        try
        {
            var entries = JsonSerializer.Deserialize<List<JournalEntry>>(File.ReadAllText(path), DockSettings.Json) ?? [];
            return new Journal(path, entries.ToDictionary(e => e.Key));
        }
        catch (JsonException exception)
        {
            throw new DockException($"The journal {path} cannot be read ({exception.Message}); move it aside to start a fresh one (files are hashed again and AvCloud recognises what it already has).");
        }
    }

    public IReadOnlyList<JournalEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal)];
            }
        }
    }

    public JournalEntry? Find(string key)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault(key);
        }
    }

    public void Put(JournalEntry entry)
    {
        lock (_lock)
        {
            _entries[entry.Key] = entry;
            Save();
        }
    }

    /// <summary>
    /// Forgets files handed over (verified by AvCloud) that are no longer on their recorder and whose recording ended
    /// before <paramref name="endedBefore"/>. Files not yet handed over, or still on a recorder, are always kept.
    /// </summary>
    public int Forget(DateTimeOffset endedBefore)
    {
        lock (_lock)
        {
            var gone = _entries.Values
                .Where(e => e.RecordedEnd < endedBefore && (e.Stage == FileStage.Wiped || (e.Stage == FileStage.Verified && !File.Exists(e.Path))))
                .Select(e => e.Key).ToList();
            if (gone.Count > 0)
            {
                gone.ForEach(key => _entries.Remove(key));
                Save();
            }

            return gone.Count;
        }
    }

    // To a temporary file, flushed to the disk, then renamed over the journal: power lost at any point leaves a whole journal.
    private void Save()
    {
        var temporary = _path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, _entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal), DockSettings.Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }
}
