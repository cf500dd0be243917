using System.Text.Json;

namespace AvCloud.DockSync;

/// <summary>
/// What the recorder's driver writes into its folder when it is docked (<c>device.json</c>): the device, its officer,
/// and its clock as read at docking (against the dock's clock then) to measure its drift.
/// </summary>
public sealed record DeviceInfo(string DeviceId, string OfficerId, DateTimeOffset DeviceClock, DateTimeOffset ReadAt);

/// <summary>What the recorder says about one file (<c>NAME.meta.json</c> beside it).</summary>
public sealed record RecordingInfo(string Kind, DateTimeOffset RecordedStart, DateTimeOffset RecordedEnd, string? ActivityId, bool Urgent, string? Category);

/// <summary>One file found on a recorder, stable (not being written).</summary>
public sealed record RecorderFile(string Path, string Name, long Size, DateTime LastWriteUtc, RecordingInfo Info);

/// <summary>A docked recorder: its folder, what its driver reports, and its files that are ready to go.</summary>
public sealed record RecorderFolder(string Folder, DeviceInfo Device, IReadOnlyList<RecorderFile> Files)
{
    public TimeSpan ClockDrift => Device.ReadAt - Device.DeviceClock;

    public double ClockDriftSeconds => HandoverDeadline.DriftSeconds(Device.ReadAt, Device.DeviceClock);
}

/// <summary>Finds docked recorders under a directory and the files on them that can be uploaded, with a clear message for each that cannot.</summary>
public static class Recorder
{
    public const string DeviceFile = "device.json";
    public const string MetaSuffix = ".meta.json";

    public static async Task<(IReadOnlyList<RecorderFolder> Folders, IReadOnlyList<string> Problems)> ScanAsync(string root, DockSettings settings,
        CancellationToken cancellationToken)
    {
        if (!Directory.Exists(root))
        {
            throw new DockException($"No folder {root}.");
        }

        var problems = new List<string>();
        var folders = new List<RecorderFolder>();
        var first = new Dictionary<string, (long Size, DateTime Written)>();
        var candidates = new List<(string Folder, DeviceInfo Device, List<(string Path, RecordingInfo Info)> Files)>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            if (ReadDevice(folder, problems) is not { } device)
            {
                continue;
            }

            var drift = device.ReadAt - device.DeviceClock;
            if (Math.Abs(drift.TotalSeconds) > settings.MaxClockDriftSeconds)
            {
                problems.Add($"{device.DeviceId}: its clock is {drift.TotalSeconds:F0} s off (more than {settings.MaxClockDriftSeconds:F0} s); set the device's time (Art. 7) and dock it again. Nothing was uploaded from it.");
                continue;
            }

            var files = new List<(string, RecordingInfo)>();
            foreach (var path in SafeFiles(folder, problems).Where(p => !p.EndsWith(MetaSuffix, StringComparison.Ordinal) && System.IO.Path.GetFileName(p) != DeviceFile))
            {
                var info = new FileInfo(path);
                if (info.Length == 0)
                {
                    problems.Add($"{device.DeviceId}/{info.Name}: the file is empty (0 bytes); left on the recorder.");
                    continue;
                }

                if (ReadMeta(path, device.DeviceId, problems) is { } meta)
                {
                    first[path] = (info.Length, info.LastWriteTimeUtc);
                    files.Add((path, meta));
                }
            }

            candidates.Add((folder, device, files));
        }

        // A file still being written changes size or time between two looks; it waits for the next run.
        if (first.Count > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(settings.StableSeconds), cancellationToken);
        }

        foreach (var (folder, device, files) in candidates)
        {
            var ready = new List<RecorderFile>();
            foreach (var (path, meta) in files)
            {
                var name = System.IO.Path.GetFileName(path);
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    problems.Add($"{device.DeviceId}/{name}: the file went away during the scan.");
                }
                else if (info.Length != first[path].Size || info.LastWriteTimeUtc != first[path].Written)
                {
                    problems.Add($"{device.DeviceId}/{name}: still being written (its size changed during the scan); it waits for the next run.");
                }
                else if (!Readable(path, problems, $"{device.DeviceId}/{name}"))
                {
                    continue;
                }
                else
                {
                    ready.Add(new RecorderFile(path, name, info.Length, info.LastWriteTimeUtc, meta));
                }
            }

            folders.Add(new RecorderFolder(folder, device, ready));
        }

        return (folders, problems);
    }

    private static DeviceInfo? ReadDevice(string folder, List<string> problems)
    {
        var path = System.IO.Path.Combine(folder, DeviceFile);
        if (!File.Exists(path))
        {
            problems.Add($"{folder}: no {DeviceFile}; not a docked recorder, skipped.");
            return null;
        }

        try
        {
            var device = JsonSerializer.Deserialize<DeviceInfo>(File.ReadAllText(path), DockSettings.Json);
            return device is { DeviceId.Length: > 0, OfficerId.Length: > 0 } ? device : throw new JsonException("deviceId and officerId are required");
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"{path}: cannot be read ({exception.Message}); the recorder is skipped.");
            return null;
        }
    }

    private static RecordingInfo? ReadMeta(string path, string deviceId, List<string> problems)
    {
        var metaPath = path + MetaSuffix;
        try
        {
            var meta = File.Exists(metaPath) ? JsonSerializer.Deserialize<RecordingInfo>(File.ReadAllText(metaPath), DockSettings.Json) : null;
            if (meta is { Kind: "video" or "audio" or "photo" } && meta.RecordedEnd >= meta.RecordedStart)
            {
                return meta;
            }

            problems.Add($"{deviceId}/{System.IO.Path.GetFileName(path)}: no usable {System.IO.Path.GetFileName(metaPath)} (kind video, audio or photo; recording start and end); left on the recorder.");
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"{metaPath}: cannot be read ({exception.Message}); the file is left on the recorder.");
        }

        return null;
    }

    private static IEnumerable<string> SafeFiles(string folder, List<string> problems)
    {
        try
        {
            return [.. Directory.EnumerateFiles(folder).Where(p => !System.IO.Path.GetFileName(p).StartsWith('.')).Order(StringComparer.Ordinal)];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{folder}: cannot be listed ({exception.Message}).");
            return [];
        }
    }

    private static bool Readable(string path, List<string> problems, string label)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{label}: cannot be read ({exception.Message}); left on the recorder.");
            return false;
        }
    }
}
