using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AvCloud.Functions.Http;

/// <summary>Reads a JSON request body with a size limit: oversized is 413, malformed or empty is 400.</summary>
public static partial class RequestBody
{
    // Enough for every enum field a body has; a body naming more bad values than this is refused at the first.
    private const int MaxFieldProblems = 32;

    [GeneratedRegex(@"\.(?<name>[A-Za-z_][A-Za-z0-9_]*)|\['(?<name>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    /// <summary>
    /// The body as <typeparamref name="T"/>. With <paramref name="errors"/>, a value an enum field cannot take is added
    /// there by field (with the names that would do) and the field is read as absent, so the caller's own checks name every
    /// other bad field in the same answer; the caller must then refuse on <paramref name="errors"/> before using the body.
    /// Without it, the first such value is the 400 at once.
    /// </summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken,
        Dictionary<string, string[]>? errors = null)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw Empty();
        }

        buffer.Position = 0;
        if (errors is null)
        {
            return await JsonSerializer.DeserializeAsync<T>(buffer, AvCloudJson.Options, cancellationToken) ?? throw Empty();
        }

        var node = JsonNode.Parse(buffer) ?? throw Empty();
        for (var problems = 0; ; problems++)
        {
            try
            {
                return node.Deserialize<T>(AvCloudJson.Options) ?? throw Empty();
            }
            catch (JsonEnumException unknown) when (problems < MaxFieldProblems && Remove(node, unknown.Path))
            {
                errors[unknown.Field] = [AvCloudJson.OneOf(AvCloudJson.Leaf(unknown.Field), unknown.Allowed)];
            }
        }
    }

    // Takes the property at a serializer path ($.files[0].kind) out of the body; false when the path leads nowhere.
    private static bool Remove(JsonNode root, string? path)
    {
        var segments = PathSegment().Matches(path ?? "").ToList();
        var current = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var last = i == segments.Count - 1;
            if (segment.Groups["index"].Success)
            {
                if (current is not JsonArray array || !int.TryParse(segment.Groups["index"].Value, out var index) || index >= array.Count || last)
                {
                    return false;
                }

                current = array[index];
            }
            else if (current is JsonObject item)
            {
                var name = segment.Groups["name"].Value;
                // Property names are read case-insensitively, as the serializer reads them.
                var key = item.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
                if (key is null)
                {
                    return false;
                }

                if (last)
                {
                    return item.Remove(key);
                }

                current = item[key];
            }
            else
            {
                return false;
            }
        }

        return false;
    }

    private static ProblemException Empty() =>
        new(StatusCodes.Status400BadRequest, "The request is not valid.", "The request body is empty.");

    private static ProblemException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "The request is too large.", $"The body may be at most {maxBytes} bytes.");
}
