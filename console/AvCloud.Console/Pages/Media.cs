namespace AvCloud.Console.Pages;

/// <summary>Which player a recording needs, by its file's extension (the names AvCloud stores: <c>{sha256}.{ext}</c>).</summary>
public static class Media
{
    public enum Kind
    {
        Other,
        Video,
        Audio,
        Photo,
    }

    public static Kind Of(string? fileName) => Path.GetExtension(fileName ?? "").ToLowerInvariant() switch
    {
        ".mp4" or ".m4v" or ".mov" or ".webm" or ".mkv" => Kind.Video,
        ".m4a" or ".mp3" or ".wav" or ".ogg" or ".oga" or ".opus" or ".aac" => Kind.Audio,
        ".jpg" or ".jpeg" or ".png" or ".webp" or ".gif" => Kind.Photo,
        _ => Kind.Other,
    };
}
