using System.Text.RegularExpressions;

namespace AvCloud.Functions.WebConsole;

/// <summary>
/// Which published file of the console a request path names, and how it is sent: its content type, how long browsers
/// may keep it, and the precompressed copy (<c>.br</c>, <c>.gz</c>) the browser accepts. Paths are judged before any
/// file is touched: a segment that climbs (<c>..</c>), hides (<c>.x</c>), is empty (an absolute path, <c>//</c>), or
/// holds a backslash, colon or control character is refused, and the resolved file must still lie under the root.
/// </summary>
public static partial class ConsoleFiles
{
    public const string IndexFile = "index.html";
    public const string SettingsFile = "settings.json";

    /// <summary>Fingerprinted files never change under their name: browsers keep them a year without asking again.</summary>
    public const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>Everything else (the page, the settings, unfingerprinted files) is checked with the server on each use.</summary>
    public const string Revalidate = "no-cache";

    /// <summary>First segments that are never a route of the console: the framework's files and the API.</summary>
    private static readonly HashSet<string> NotRoutes = new(StringComparer.OrdinalIgnoreCase) { "_framework", "_content", "api" };

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".webmanifest"] = "application/manifest+json; charset=utf-8",
        [".wasm"] = "application/wasm",
        [".dat"] = "application/octet-stream",
        [".blat"] = "application/octet-stream",
        [".pdb"] = "application/octet-stream",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".ttf"] = "font/ttf",
        [".txt"] = "text/plain; charset=utf-8",
    };

    /// <summary>The answer to a path: refused (400), a file, or the page itself for a route of the console.</summary>
    public abstract record Resolution;

    public sealed record Refused(string Reason) : Resolution;

    public sealed record Missing : Resolution;

    /// <summary>A file under the root, with its content type and cache rule; <paramref name="Route"/> is true when the page answers a console route.</summary>
    public sealed record Found(string RelativePath, string ContentType, string CacheControl, bool Route) : Resolution;

    /// <summary>Judges <paramref name="path"/> (the part after the console's prefix, as the client sent it) against the files under <paramref name="root"/>.</summary>
    public static Resolution Resolve(string root, string path)
    {
        if (path.Length > 1024)
        {
            return new Refused("The path is too long.");
        }

        if (path.Contains('%', StringComparison.Ordinal))
        {
            // The host has already decoded what it decodes; what is left encoded (%2F, %5C, %00, a double encoding) is a trick.
            return new Refused("The path holds an encoded character.");
        }

        var segments = path.Length == 0 ? [] : path.Split('/');
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment[0] == '.' || segment.Any(c => c is '\\' or ':' || char.IsControl(c)))
            {
                return new Refused("The path is not a file of the console.");
            }
        }

        var relative = segments.Length == 0 ? IndexFile : string.Join('/', segments);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootFull, StringComparison.Ordinal))
        {
            return new Refused("The path is not a file of the console.");
        }

        if (File.Exists(full))
        {
            return new Found(relative, ContentTypeOf(relative), CacheControlOf(relative), Route: false);
        }

        // A route of the single-page app (no extension, outside the framework's and the API's folders) is answered with
        // the page; a missing file is not found (a stale page asking for an old script, or a client calling an API
        // path that does not exist, must not get HTML back).
        return segments.Length > 0 && !NotRoutes.Contains(segments[0]) && !segments[^1].Contains('.', StringComparison.Ordinal)
            && File.Exists(Path.Combine(rootFull, IndexFile))
            ? new Found(IndexFile, ContentTypeOf(IndexFile), Revalidate, Route: true)
            : new Missing();
    }

    public static string ContentTypeOf(string path) =>
        ContentTypes.TryGetValue(Path.GetExtension(path), out var type) ? type : "application/octet-stream";

    /// <summary>Files whose name carries the build's fingerprint (<c>dotnet.native.3kp2gvd9ow.wasm</c>) are immutable; nothing else is.</summary>
    public static string CacheControlOf(string path) =>
        Fingerprinted().IsMatch(Path.GetFileName(path)) ? Immutable : Revalidate;

    /// <summary>
    /// The precompressed copy to send for <paramref name="acceptEncoding"/>: Brotli before gzip, each only when the
    /// browser accepts it (a q of 0 refuses) and the copy exists; null: the file as it is.
    /// </summary>
    public static (string Suffix, string Encoding)? Precompressed(string acceptEncoding, Func<string, bool> exists)
    {
        var accepted = Accepted(acceptEncoding);
        foreach (var (suffix, encoding) in (ReadOnlySpan<(string, string)>)[(".br", "br"), (".gz", "gzip")])
        {
            if ((accepted.TryGetValue(encoding, out var q) || accepted.TryGetValue("*", out q)) && q > 0 && exists(suffix))
            {
                return (suffix, encoding);
            }
        }

        return null;
    }

    private static Dictionary<string, double> Accepted(string header)
    {
        var accepted = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var q = 1.0;
            foreach (var parameter in pieces.Skip(1))
            {
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && !double.TryParse(parameter[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out q))
                {
                    q = 0;
                }
            }

            accepted[pieces[0]] = q;
        }

        return accepted;
    }

    // A name segment of ten lower-case letters and digits, at least one a digit, before the extension(s): the build's fingerprint.
    [GeneratedRegex(@"\.(?=[a-z0-9]{10}\.)(?=[a-z]*[0-9])[a-z0-9]{10}\.[A-Za-z0-9.]+$")]
    private static partial Regex Fingerprinted();
}
