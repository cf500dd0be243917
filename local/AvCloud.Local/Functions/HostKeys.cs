using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AvCloud.Local.Functions;

/// <summary>
/// The host keys the Functions host keeps per app: the master key, which the admin API needs, and the
/// <c>blobs_extension</c> system key, which the blob extension's Event Grid webhook needs (Event Grid carries it in
/// its subscription URL as <c>code</c>). Azure takes either in the <c>x-functions-key</c> header or the <c>code</c>
/// query parameter, and the master key anywhere a system key is asked for. Generated at random on first use and kept
/// in a file beside the local issuer's key (owner-only), or in memory when the host keeps no files.
/// </summary>
public sealed class HostKeys
{
    public const string Header = "x-functions-key";
    public const string QueryParameter = "code";
    public const string BlobsExtension = "blobs_extension";

    private HostKeys(string master, string blobsExtension, string? file)
    {
        Master = master;
        BlobsExtensionKey = blobsExtension;
        File = file;
    }

    public string Master { get; }

    public string BlobsExtensionKey { get; }

    /// <summary>Where the keys are kept; null when they live in memory for this run only.</summary>
    public string? File { get; }

    /// <summary>The keys in <paramref name="file"/>, created there if missing; null: new keys in memory only.</summary>
    public static HostKeys LoadOrCreate(string? file)
    {
        if (file is not null && System.IO.File.Exists(file))
        {
            var stored = JsonSerializer.Deserialize<StoredKeys>(System.IO.File.ReadAllText(file), JsonOptions)
                ?? throw new InvalidOperationException($"{file} holds no host keys.");
            var blobs = stored.SystemKeys.FirstOrDefault(k => k.Name == BlobsExtension)?.Value;
            if (string.IsNullOrEmpty(stored.MasterKey.Value) || string.IsNullOrEmpty(blobs))
            {
                throw new InvalidOperationException($"{file} lacks the master key or the {BlobsExtension} key; delete it to have new keys made.");
            }

            return new HostKeys(stored.MasterKey.Value, blobs, file);
        }

        var keys = new HostKeys(NewKey(), NewKey(), file);
        if (file is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            var json = JsonSerializer.Serialize(new StoredKeys(new NamedKey("master", keys.Master), [new NamedKey(BlobsExtension, keys.BlobsExtensionKey)]), JsonOptions);
            // Created owner-only before the keys are written, so they are never readable by others, even briefly.
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(file, create);
            stream.Write(Encoding.UTF8.GetBytes(json));
        }

        return keys;
    }

    /// <summary>True when the request carries <paramref name="systemKey"/> (or the master key) as Azure reads keys.</summary>
    public bool Admits(HttpRequest request, string? systemKey)
    {
        var given = request.Headers[Header].ToString();
        if (given.Length == 0)
        {
            given = request.Query[QueryParameter].ToString();
        }

        return given.Length > 0 && (Same(given, Master) || (systemKey is not null && Same(given, systemKey)));
    }

    private static bool Same(string given, string key) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key));

    // The Functions host's keys are 40+ characters of URL-safe base64; so are these.
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(40)).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record NamedKey(string Name, string Value);

    private sealed record StoredKeys(NamedKey MasterKey, IReadOnlyList<NamedKey> SystemKeys);
}

internal static class HostKeyEndpoints
{
    /// <summary>
    /// Answers 401, with nothing run, unless the request carries the master key or <paramref name="systemKey"/>, as the
    /// Functions host does for its admin API and extension webhooks.
    /// </summary>
    public static TBuilder RequireHostKey<TBuilder>(this TBuilder builder, HostKeys keys, string? systemKey)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            keys.Admits(context.HttpContext.Request, systemKey) ? await next(context) : (object?)Results.Unauthorized());
}
