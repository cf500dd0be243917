using System.Globalization;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.QuickTime;
using MetadataExtractor.Formats.Wav;

namespace AvCloud.Functions.Ingest;

/// <summary>
/// What the file itself says about the recording: duration, resolution and the container's creation time for video,
/// EXIF time and camera for photos, duration for audio. Read with MetadataExtractor (a maintained library), never by
/// hand; a file it cannot read as the kind the manifest claims is "unreadable".
/// </summary>
public sealed record MediaFacts(
    double? DurationSeconds = null,
    int? Width = null,
    int? Height = null,
    DateTimeOffset? CreatedAt = null,
    string? CameraMake = null,
    string? CameraModel = null)
{
    /// <summary>Reads the facts from a seekable stream (large videos are read by seeking, not from start to end).</summary>
    /// <exception cref="UnreadableMediaException">The content is not a readable file of that kind.</exception>
    public static MediaFacts Read(Stream content, MediaKind kind, long size)
    {
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            directories = ImageMetadataReader.ReadMetadata(content);
        }
        catch (Exception exception) when (exception is ImageProcessingException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new UnreadableMediaException($"The file could not be read as {kind.ToString().ToLowerInvariant()}.", exception);
        }

        var facts = kind switch
        {
            MediaKind.Video => Video(directories),
            MediaKind.Audio => Audio(directories, size),
            MediaKind.Photo => Photo(directories),
            _ => null,
        };
        return facts ?? throw new UnreadableMediaException($"The file holds no {kind.ToString().ToLowerInvariant()} that could be read.");
    }

    private static MediaFacts? Video(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        var movie = directories.OfType<QuickTimeMovieHeaderDirectory>().FirstOrDefault();
        var track = directories.OfType<QuickTimeTrackHeaderDirectory>()
            .FirstOrDefault(t => t.TryGetInt32(QuickTimeTrackHeaderDirectory.TagWidth, out var w) && w > 0);
        if (movie is null || track is null)
        {
            return null;
        }

        return new MediaFacts(
            DurationSeconds: MovieSeconds(movie),
            Width: track.GetInt32(QuickTimeTrackHeaderDirectory.TagWidth),
            Height: track.GetInt32(QuickTimeTrackHeaderDirectory.TagHeight),
            CreatedAt: movie.TryGetDateTime(QuickTimeMovieHeaderDirectory.TagCreated, out var created)
                ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc))
                : null);
    }

    private static MediaFacts? Audio(IReadOnlyList<MetadataExtractor.Directory> directories, long size)
    {
        if (directories.OfType<QuickTimeMovieHeaderDirectory>().FirstOrDefault() is { } movie)
        {
            return new MediaFacts(DurationSeconds: MovieSeconds(movie));
        }

        // WAV: the format chunk gives the byte rate; the data is the file less its (small) header.
        if (directories.OfType<WavFormatDirectory>().FirstOrDefault() is { } wav
            && wav.TryGetInt32(WavFormatDirectory.TagBytesPerSec, out var bytesPerSecond) && bytesPerSecond > 0)
        {
            return new MediaFacts(DurationSeconds: Math.Round(Math.Max(0, size - 44) / (double)bytesPerSecond, 3));
        }

        return null;
    }

    private static MediaFacts? Photo(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        var sub = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var jpeg = directories.OfType<MetadataExtractor.Formats.Jpeg.JpegDirectory>().FirstOrDefault();
        if (jpeg is null && ifd0 is null)
        {
            return null;
        }

        DateTimeOffset? taken = null;
        if (sub?.GetDescription(ExifDirectoryBase.TagDateTimeOriginal) is { } text
            && DateTime.TryParseExact(text, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            // EXIF times carry no zone; they are taken as the device clock's UTC, like the manifest's times.
            taken = new DateTimeOffset(parsed, TimeSpan.Zero);
        }

        return new MediaFacts(
            Width: jpeg?.TryGetInt32(MetadataExtractor.Formats.Jpeg.JpegDirectory.TagImageWidth, out var w) == true ? w : null,
            Height: jpeg?.TryGetInt32(MetadataExtractor.Formats.Jpeg.JpegDirectory.TagImageHeight, out var h) == true ? h : null,
            CreatedAt: taken,
            CameraMake: ifd0?.GetDescription(ExifDirectoryBase.TagMake)?.Trim(),
            CameraModel: ifd0?.GetDescription(ExifDirectoryBase.TagModel)?.Trim());
    }

    // MetadataExtractor stores the movie's duration already divided by its time scale.
    private static double? MovieSeconds(QuickTimeMovieHeaderDirectory movie) => movie.GetObject(QuickTimeMovieHeaderDirectory.TagDuration) switch
    {
        TimeSpan duration => Math.Round(duration.TotalSeconds, 3),
        long ticks when movie.TryGetInt64(QuickTimeMovieHeaderDirectory.TagTimeScale, out var scale) && scale > 0 => Math.Round(ticks / (double)scale, 3),
        _ => null,
    };
}

public sealed class UnreadableMediaException : Exception
{
    public UnreadableMediaException(string message)
        : base(message)
    {
    }

    public UnreadableMediaException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
