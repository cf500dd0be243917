using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace AvCloud.Tests.Worm;

/// <summary>
/// Raw Blob REST requests signed with the account key (SharedKey), sent exactly as written: the path and query are
/// not normalised, so a test can phrase a request the way a client outside AvCloud might. The signature follows the
/// Blob service's SharedKey scheme for the path as sent (the "-secondary" alias signs as the account itself).
/// </summary>
internal sealed class SharedKeyRequests(Uri endpoint, string account, string key) : IDisposable
{
    public const string Version = "2025-11-05";

    private readonly HttpClient _http = new();

    /// <summary>Azurite's root, http://127.0.0.1:PORT.</summary>
    public Uri Root { get; } = new(endpoint.GetLeftPart(UriPartial.Authority));

    public string Account => account;

    /// <summary>Sends <paramref name="method"/> to <paramref name="pathAndQuery"/> (raw, as it goes on the wire).</summary>
    public async Task<HttpResponseMessage> SendAsync(string method, string pathAndQuery, IReadOnlyDictionary<string, string>? headers = null,
        byte[]? body = null, string? host = null, string? contentType = null)
    {
        var uri = new Uri(Root + pathAndQuery.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        var content = new ByteArrayContent(body ?? []);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        request.Content = content;
        var all = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
        {
            ["x-ms-date"] = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture),
            ["x-ms-version"] = Version,
        };
        foreach (var (name, value) in all)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var length = (body ?? []).Length;
        request.Headers.TryAddWithoutValidation("Authorization",
            Authorization(method, pathAndQuery, all, length == 0 ? "" : length.ToString(CultureInfo.InvariantCulture), contentType ?? "", host));
        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>The SharedKey Authorization value for a request (also used for batch sub-requests).</summary>
    public string Authorization(string method, string pathAndQuery, IReadOnlyDictionary<string, string> headers, string contentLength = "",
        string contentType = "", string? host = null)
    {
        var queryAt = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? pathAndQuery : pathAndQuery[..queryAt];
        var query = queryAt < 0 ? "" : pathAndQuery[(queryAt + 1)..];
        // Path-style: the path starts with the account, alias and all; Azure and Azurite sign the account's own name.
        var secondary = $"/{account}-secondary";
        if (host is null && path.StartsWith(secondary, StringComparison.Ordinal))
        {
            path = $"/{account}" + path[secondary.Length..];
        }

        var canonical = new StringBuilder();
        canonical.Append(method.ToUpperInvariant()).Append('\n')
            .Append("\n\n").Append(contentLength).Append("\n\n").Append(contentType).Append("\n\n");
        foreach (var standard in (string[])["If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"])
        {
            canonical.Append(headers.FirstOrDefault(h => h.Key.Equals(standard, StringComparison.OrdinalIgnoreCase)).Value ?? "").Append('\n');
        }

        foreach (var (name, value) in headers.Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .OrderBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal))
        {
            canonical.Append(name.ToLowerInvariant()).Append(':').Append(value.TrimStart()).Append('\n');
        }

        canonical.Append('/').Append(account).Append(path);
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Name: pair[0].ToLowerInvariant(), Value: Uri.UnescapeDataString((pair.Length > 1 ? pair[1] : "").Replace("+", "%20", StringComparison.Ordinal))))
            .OrderBy(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            canonical.Append('\n').Append(name).Append(':').Append(value);
        }

        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(key), Encoding.UTF8.GetBytes(canonical.ToString())));
        return $"SharedKey {account}:{signature}";
    }

    /// <summary>
    /// A blob batch (multipart/mixed) of signed sub-requests, as Azure's Blob Batch API takes it; each sub-request is
    /// (method, path) with the path as Azurite expects it for path-style addressing (account first).
    /// </summary>
    public (byte[] Body, string ContentType) Batch(IEnumerable<(string Method, string Path)> subRequests)
    {
        var boundary = $"batch_{Guid.NewGuid():N}";
        var body = new StringBuilder();
        var id = 0;
        foreach (var (method, subPath) in subRequests)
        {
            var headers = new Dictionary<string, string>
            {
                ["x-ms-date"] = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture),
                ["x-ms-version"] = Version,
            };
            body.Append("--").Append(boundary).Append("\r\n")
                .Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n")
                .Append("Content-ID: ").Append(id++).Append("\r\n\r\n")
                .Append(method).Append(' ').Append(subPath).Append(" HTTP/1.1\r\n");
            foreach (var (name, value) in headers)
            {
                body.Append(name).Append(": ").Append(value).Append("\r\n");
            }

            body.Append("Authorization: ").Append(Authorization(method, subPath, headers)).Append("\r\n")
                .Append("Content-Length: 0\r\n\r\n");
        }

        body.Append("--").Append(boundary).Append("--\r\n");
        return (Encoding.UTF8.GetBytes(body.ToString()), $"multipart/mixed; boundary={boundary}");
    }

    public void Dispose() => _http.Dispose();
}
