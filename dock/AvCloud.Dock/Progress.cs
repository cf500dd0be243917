using System.Collections.Concurrent;
using System.Globalization;

namespace AvCloud.DockSync;

/// <summary>
/// Upload progress: on a terminal, one line redrawn with each file's share, the total, the rate and the time left;
/// when output goes to a log, plain lines when a file starts, at every quarter, and when it ends.
/// </summary>
public sealed class Progress(TextWriter output, bool terminal, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _started = (time ?? TimeProvider.System).GetTimestamp();
    private readonly ConcurrentDictionary<string, (long Size, long Done, int Quarter)> _files = new();
    private long _total;
    private long _done;
    private long _sentThisRun;
    private long _lastDraw = long.MinValue;

    public static Progress For(TextWriter output) => new(output, !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out));

    public void Started(string key, long size, long alreadyThere)
    {
        _files[key] = (size, Math.Min(alreadyThere, size), 0);
        Interlocked.Add(ref _total, size);
        Interlocked.Add(ref _done, Math.Min(alreadyThere, size));
        Line($"{key}: uploading {Mib(size)}{(alreadyThere > 0 ? $", {Mib(Math.Min(alreadyThere, size))} already in storage" : "")}");
    }

    public void Advanced(string key, long bytes)
    {
        Interlocked.Add(ref _done, bytes);
        Interlocked.Add(ref _sentThisRun, bytes);
        var (size, done, quarter) = _files.AddOrUpdate(key, (bytes, bytes, 0), (_, f) => (f.Size, f.Done + bytes, f.Quarter));
        if (terminal)
        {
            Draw();
        }
        else if (size > 0 && done * 4 / size > quarter && done < size)
        {
            _files[key] = (size, done, (int)(done * 4 / size));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}: {done * 100 / size}% ({Rate()})"));
        }
    }

    public void Finished(string key) => Line($"{key}: committed");

    public void Line(string message)
    {
        lock (output)
        {
            output.WriteLine(terminal ? $"\r\u001b[K{message}" : message);
        }
    }

    private void Draw()
    {
        var now = (long)Elapsed.TotalMilliseconds;
        if (Interlocked.Read(ref _lastDraw) is var last && last != long.MinValue && now - last < 250)
        {
            return;
        }

        Interlocked.Exchange(ref _lastDraw, now);
        var files = string.Join("  ", _files.Where(f => f.Value.Done < f.Value.Size).OrderBy(f => f.Key, StringComparer.Ordinal).Take(3)
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(f.Key)} {f.Value.Done * 100 / Math.Max(1, f.Value.Size)}%")));
        var total = Interlocked.Read(ref _total);
        var done = Interlocked.Read(ref _done);
        lock (output)
        {
            output.Write(string.Create(CultureInfo.InvariantCulture, $"\r\u001b[K{files}  total {done * 100 / Math.Max(1, total)}% of {Mib(total)}  {Rate()}  {Left(total - done)}"));
        }
    }

    private TimeSpan Elapsed => _time.GetElapsedTime(_started);

    private double BytesPerSecond => Interlocked.Read(ref _sentThisRun) / Math.Max(0.001, Elapsed.TotalSeconds);

    private string Rate() => string.Create(CultureInfo.InvariantCulture, $"{BytesPerSecond * 8 / 1_000_000:F1} Mbit/s");

    private string Left(long bytes) => BytesPerSecond <= 0 ? "" : $"{TimeSpan.FromSeconds(Math.Ceiling(bytes / BytesPerSecond)):hh\\:mm\\:ss} left";

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");
}
