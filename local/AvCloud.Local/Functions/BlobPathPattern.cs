using System.Text.RegularExpressions;

namespace AvCloud.Local.Functions;

/// <summary>A blob trigger path such as <c>ingest/{name}</c>: its container and the binding data it yields for a blob.</summary>
public sealed partial class BlobPathPattern
{
    private readonly Regex _blob;

    public BlobPathPattern(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        Container = slash < 0 ? path : path[..slash];
        var blobPattern = slash < 0 ? "{name}" : path[(slash + 1)..];
        var regex = Placeholder().Replace(Regex.Escape(blobPattern).Replace(@"\{", "{", StringComparison.Ordinal),
            m => $"(?<{m.Groups[1].Value}>.+)");
        _blob = new Regex($"^{regex}$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Container { get; }

    /// <summary>The binding data for <paramref name="blobName"/> in <paramref name="container"/>, or null when the pattern does not match.</summary>
    public IReadOnlyDictionary<string, object?>? Match(string container, string blobName)
    {
        if (!string.Equals(container, Container, StringComparison.Ordinal))
        {
            return null;
        }

        var match = _blob.Match(blobName);
        if (!match.Success)
        {
            return null;
        }

        var data = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["BlobTrigger"] = $"{container}/{blobName}",
        };
        foreach (var group in match.Groups.Cast<Group>().Where(g => !int.TryParse(g.Name, out _)))
        {
            data[group.Name] = group.Value;
        }

        return data;
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
