using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace AvCloud.Local.Worm;

/// <summary>
/// Blob immutability on one machine. Azurite answers 501 to Set/Delete Immutability Policy and Set Legal Hold
/// and ignores the same settings on upload, so the local host puts this gateway in front of it: the app and the
/// tests talk to the gateway with the real Azure.Storage.Blobs calls, and meet Azure's refusals.
/// <list type="bullet">
/// <item>Policies and holds are kept by the gateway (<see cref="WormStore"/>), reported on Get Blob, Get Blob
/// Properties and List Blobs as Azure reports them, and expire by the local cloud's clock.</item>
/// <item>Writes to an immutable blob (delete, overwrite by Put Blob, Put Block List or Copy, metadata, pages,
/// appends) and deleting a container that holds one are refused with Azure's status and error code.</item>
/// <item>Everything else is forwarded to Azurite unchanged, byte for byte and streamed, so shared-key and SAS
/// signatures stay valid and Azurite keeps checking them.</item>
/// </list>
/// </summary>
internal sealed partial class WormGateway : IAsyncDisposable
{
    private const string PolicyUntilHeader = "x-ms-immutability-policy-until-date";
    private const string PolicyModeHeader = "x-ms-immutability-policy-mode";
    private const string LegalHoldHeader = "x-ms-legal-hold";
    private const int MaxBatchBytes = 4 * 1024 * 1024;

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host", "Expect",
    };

    // Writes that change a blob's data or metadata; Azure refuses them while a policy or hold protects the blob.
    private static readonly HashSet<string> ProtectedWrites = new(StringComparer.Ordinal) { "metadata", "page", "appendblock", "seal" };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _upstreamBase;
    private readonly WormStore _store;
    private readonly TimeProvider _clock;
    private readonly BlobServiceClient _direct;

    private WormGateway(WebApplication app, HttpClient upstream, Uri upstreamBase, WormStore store, TimeProvider clock, BlobServiceClient direct)
    {
        _app = app;
        _upstream = upstream;
        _upstreamBase = upstreamBase;
        _store = store;
        _clock = clock;
        _direct = direct;
    }

    /// <summary>The gateway's own address, e.g. <c>http://127.0.0.1:10000</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <param name="port">Port to listen on (0: a free one).</param>
    /// <param name="azurite">Azurite's address, e.g. <c>http://127.0.0.1:45123</c>.</param>
    /// <param name="store">Where policies and holds are kept.</param>
    /// <param name="clock">The local cloud's clock, by which policies expire.</param>
    /// <param name="direct">A client straight to Azurite, for the existence checks Azurite skips.</param>
    /// <param name="logLevel">The gateway's own log level.</param>
    /// <param name="cancellationToken">Stops a start that takes too long.</param>
    public static async Task<WormGateway> StartAsync(int port, Uri azurite, WormStore store, TimeProvider clock, BlobServiceClient direct,
        LogLevel logLevel, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Block blobs take blocks of up to 4000 MiB; the gateway streams them, so it sets no limit of its own.
            kestrel.Limits.MaxRequestBodySize = null;
            // Room for whole chunks in flight both ways, so streaming is not throttled to 64 KiB steps.
            kestrel.Limits.MaxRequestBufferSize = 8 * 1024 * 1024;
            kestrel.Limits.MaxResponseBufferSize = 8 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            MaxConnectionsPerServer = 256,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        var upstream = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var app = builder.Build();
        var gateway = new WormGateway(app, upstream, azurite, store, clock, direct);
        app.Run(gateway.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        gateway.Endpoint = new Uri(address);
        return gateway;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var target = BlobTarget.Parse(http.Request.Path.Value ?? "/");
        var method = http.Request.Method;
        var comp = http.Request.Query["comp"].ToString().ToLowerInvariant();
        var now = _clock.GetUtcNow();

        if (target.Container is null)
        {
            await ForwardAsync(http);
            return;
        }

        if (comp == "batch")
        {
            await ForwardBatchAsync(http, now);
            return;
        }

        if (target.Blob is null)
        {
            var isContainer = string.Equals(http.Request.Query["restype"], "container", StringComparison.OrdinalIgnoreCase);
            if (isContainer && HttpMethods.IsDelete(method) && _store.AnyImmutableIn(target.Account, target.Container, now))
            {
                await StorageError.ContainerHoldsImmutableBlobs.WriteAsync(http);
            }
            else if (isContainer && comp == "list")
            {
                await ForwardListAsync(http, target);
            }
            else
            {
                var status = await ForwardAsync(http);
                if (isContainer && HttpMethods.IsDelete(method) && status is >= 200 and < 300)
                {
                    _store.RemoveContainer(target.Account, target.Container);
                }
            }

            return;
        }

        var key = WormStore.Key(target.Account, target.Container, target.Blob);
        var protection = _store.Get(key);
        var isVersionOrSnapshot = http.Request.Query.ContainsKey("snapshot") || http.Request.Query.ContainsKey("versionid");
        switch (comp)
        {
            case "immutabilitypolicies" when HttpMethods.IsPut(method):
                await SetPolicyAsync(http, target, key, now);
                return;
            case "immutabilitypolicies" when HttpMethods.IsDelete(method):
                await DeletePolicyAsync(http, target, key, now);
                return;
            case "legalhold" when HttpMethods.IsPut(method):
                await SetLegalHoldAsync(http, target, key);
                return;
            case "" when HttpMethods.IsDelete(method) && !isVersionOrSnapshot:
                if (protection.BlocksWrites(now) is { } deleteRefused)
                {
                    await deleteRefused.WriteAsync(http);
                    return;
                }

                if (await ForwardAsync(http) is >= 200 and < 300)
                {
                    _store.Remove(key);
                }

                return;
            case "" or "blocklist" when HttpMethods.IsPut(method):
                await OverwriteAsync(http, key, protection, now);
                return;
            case var write when HttpMethods.IsPut(method) && ProtectedWrites.Contains(write):
                if (protection.BlocksWrites(now) is { } writeRefused)
                {
                    await writeRefused.WriteAsync(http);
                    return;
                }

                await ForwardAsync(http);
                return;
            case "" when (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) && !isVersionOrSnapshot:
                await ForwardAsync(http, response => AddProtectionHeaders(response, protection));
                return;
            default:
                await ForwardAsync(http);
                return;
        }
    }

    // Put Blob, Put Block List, Copy Blob and Put Blob From URL replace the blob's data; the upload may carry a policy and a hold.
    private async Task OverwriteAsync(HttpContext http, string key, BlobProtection protection, DateTimeOffset now)
    {
        if (protection.BlocksWrites(now) is { } refused)
        {
            await refused.WriteAsync(http);
            return;
        }

        var headers = http.Request.Headers;
        BlobProtection uploaded;
        if (headers.ContainsKey(PolicyUntilHeader) || headers.ContainsKey(LegalHoldHeader))
        {
            var parsed = ParseProtectionHeaders(http, requirePolicy: false);
            if (parsed.Error is not null)
            {
                await parsed.Error.WriteAsync(http);
                return;
            }

            if (parsed.Until is { } until && until <= now)
            {
                await StorageError.PolicyInThePast.WriteAsync(http);
                return;
            }

            uploaded = new BlobProtection(parsed.Until, parsed.Until is null ? null : parsed.Mode, parsed.LegalHold ?? false);
        }
        else
        {
            uploaded = BlobProtection.None;
        }

        if (await ForwardAsync(http) is >= 200 and < 300)
        {
            _store.Set(key, uploaded);
        }
    }

    private async Task SetPolicyAsync(HttpContext http, BlobTarget target, string key, DateTimeOffset now)
    {
        var parsed = ParseProtectionHeaders(http, requirePolicy: true);
        if (parsed.Error is not null)
        {
            await parsed.Error.WriteAsync(http);
            return;
        }

        if (!await AuthorisedAsync(http) || !await ExistsAsync(http, target))
        {
            return;
        }

        var until = parsed.Until!.Value;
        var current = _store.Get(key);
        if (current.RefusesPolicy(until, parsed.Mode, now) is { } refused)
        {
            await refused.WriteAsync(http);
            return;
        }

        _store.Set(key, current with { PolicyUntil = until, Mode = parsed.Mode });
        http.Response.StatusCode = StatusCodes.Status200OK;
        AddStandardHeaders(http, Guid.NewGuid().ToString());
        http.Response.Headers[PolicyUntilHeader] = until.ToString("R", CultureInfo.InvariantCulture);
        http.Response.Headers[PolicyModeHeader] = ModeText(parsed.Mode);
    }

    private async Task DeletePolicyAsync(HttpContext http, BlobTarget target, string key, DateTimeOffset now)
    {
        if (!await AuthorisedAsync(http) || !await ExistsAsync(http, target))
        {
            return;
        }

        var current = _store.Get(key);
        if (current.RefusesPolicyDeletion(now) is { } refused)
        {
            await refused.WriteAsync(http);
            return;
        }

        _store.Set(key, current with { PolicyUntil = null, Mode = null });
        http.Response.StatusCode = StatusCodes.Status200OK;
        AddStandardHeaders(http, Guid.NewGuid().ToString());
    }

    private async Task SetLegalHoldAsync(HttpContext http, BlobTarget target, string key)
    {
        var value = http.Request.Headers[LegalHoldHeader].ToString();
        if (value.Length == 0)
        {
            await StorageError.MissingHeader(LegalHoldHeader).WriteAsync(http);
            return;
        }

        if (!bool.TryParse(value, out var hold))
        {
            await StorageError.InvalidHeader(LegalHoldHeader).WriteAsync(http);
            return;
        }

        if (!await AuthorisedAsync(http) || !await ExistsAsync(http, target))
        {
            return;
        }

        _store.Set(key, _store.Get(key) with { LegalHold = hold });
        http.Response.StatusCode = StatusCodes.Status200OK;
        AddStandardHeaders(http, Guid.NewGuid().ToString());
        http.Response.Headers[LegalHoldHeader] = hold ? "true" : "false";
    }

    private sealed record ParsedProtection(DateTimeOffset? Until, PolicyMode Mode, bool? LegalHold, StorageError? Error);

    private static ParsedProtection ParseProtectionHeaders(HttpContext http, bool requirePolicy)
    {
        var headers = http.Request.Headers;
        DateTimeOffset? until = null;
        var mode = PolicyMode.Unlocked;
        bool? hold = null;
        var untilText = headers[PolicyUntilHeader].ToString();
        if (untilText.Length == 0)
        {
            if (requirePolicy)
            {
                return new ParsedProtection(null, mode, null, StorageError.MissingHeader(PolicyUntilHeader));
            }
        }
        else if (DateTimeOffset.TryParseExact(untilText, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            until = parsed;
        }
        else
        {
            return new ParsedProtection(null, mode, null, StorageError.InvalidHeader(PolicyUntilHeader));
        }

        var modeText = headers[PolicyModeHeader].ToString();
        if (modeText.Length > 0 && !Enum.TryParse(modeText, ignoreCase: true, out mode))
        {
            return new ParsedProtection(null, mode, null, StorageError.InvalidHeader(PolicyModeHeader));
        }

        var holdText = headers[LegalHoldHeader].ToString();
        if (holdText.Length > 0)
        {
            if (!bool.TryParse(holdText, out var parsedHold))
            {
                return new ParsedProtection(null, mode, null, StorageError.InvalidHeader(LegalHoldHeader));
            }

            hold = parsedHold;
        }

        return new ParsedProtection(until, mode, hold, null);
    }

    private static string ModeText(PolicyMode? mode) => mode == PolicyMode.Locked ? "locked" : "unlocked";

    private static void AddProtectionHeaders(HttpResponse response, BlobProtection protection)
    {
        if (protection.PolicyUntil is { } until)
        {
            response.Headers[PolicyUntilHeader] = until.ToString("R", CultureInfo.InvariantCulture);
            response.Headers[PolicyModeHeader] = ModeText(protection.Mode);
        }

        if (protection.LegalHold)
        {
            response.Headers[LegalHoldHeader] = "true";
        }
    }

    internal static void AddStandardHeaders(HttpContext http, string requestId)
    {
        http.Response.Headers["x-ms-request-id"] = requestId;
        http.Response.Headers["x-ms-version"] = http.Request.Headers["x-ms-version"].ToString() is { Length: > 0 } version ? version : "2025-11-05";
        if (http.Request.Headers["x-ms-client-request-id"].ToString() is { Length: > 0 } clientRequestId)
        {
            http.Response.Headers["x-ms-client-request-id"] = clientRequestId;
        }

        http.Response.Headers.Date = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Azurite checks the request's signature (shared key or SAS) before it answers 501 to these operations, so the
    /// gateway sends the request on and reads the answer: 501 means the caller is authorised. Any other answer is
    /// relayed; Azurite's 500 for a SAS without the needed permission becomes Azure's 403.
    /// </summary>
    private async Task<bool> AuthorisedAsync(HttpContext http)
    {
        using var response = await SendUpstreamAsync(http);
        if (response.StatusCode == HttpStatusCode.NotImplemented)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.InternalServerError && http.Request.Query.ContainsKey("sig"))
        {
            await StorageError.PermissionMismatch.WriteAsync(http);
            return false;
        }

        await RelayAsync(http, response, null);
        return false;
    }

    // Azurite does not look for the blob before answering 501; Azure answers 404 BlobNotFound.
    private async Task<bool> ExistsAsync(HttpContext http, BlobTarget target)
    {
        try
        {
            await _direct.GetBlobContainerClient(target.Container).GetBlobClient(target.Blob).GetPropertiesAsync(cancellationToken: http.RequestAborted);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status404NotFound)
        {
            await StorageError.BlobNotFound.WriteAsync(http);
            return false;
        }
    }

    private async Task ForwardListAsync(HttpContext http, BlobTarget target)
    {
        var include = http.Request.Query["include"].ToString().ToLowerInvariant().Split(',', StringSplitOptions.TrimEntries);
        var withPolicy = include.Contains("immutabilitypolicy");
        var withHold = include.Contains("legalhold");
        if (!withPolicy && !withHold)
        {
            await ForwardAsync(http);
            return;
        }

        using var response = await SendUpstreamAsync(http);
        if (!response.IsSuccessStatusCode)
        {
            await RelayAsync(http, response, null);
            return;
        }

        // Listings are pages of at most 5,000 entries: small enough to rewrite in memory.
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync(http.RequestAborted));
        foreach (var blob in document.Descendants("Blob"))
        {
            var nameElement = blob.Element("Name");
            var properties = blob.Element("Properties");
            if (nameElement is null || properties is null)
            {
                continue;
            }

            var name = (string?)nameElement.Attribute("Encoded") == "true" ? Uri.UnescapeDataString(nameElement.Value) : nameElement.Value;
            var protection = _store.Get(WormStore.Key(target.Account, target.Container!, name));
            if (withPolicy && protection.PolicyUntil is { } until)
            {
                properties.Add(
                    new XElement("ImmutabilityPolicyUntilDate", until.ToString("R", CultureInfo.InvariantCulture)),
                    new XElement("ImmutabilityPolicyMode", ModeText(protection.Mode)));
            }

            // As Azure does, the element is left out for a blob that has no hold.
            if (withHold && protection.LegalHold)
            {
                properties.Add(new XElement("LegalHold", "true"));
            }
        }

        var body = Encoding.UTF8.GetBytes(document.Declaration + document.ToString(SaveOptions.DisableFormatting));
        CopyResponseHead(http, response, skipContentHeaders: true);
        http.Response.ContentType = "application/xml";
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    [GeneratedRegex(@"^(DELETE|PUT) (/[^ ?]*)(\?[^ ]*)? HTTP/1\.1", RegexOptions.Multiline)]
    private static partial Regex BatchSubrequest();

    // Blob batches carry deletes and tier changes as multipart subrequests; a delete or overwrite of an immutable
    // blob inside one must not slip past the rules. Azure refuses it per subrequest; the gateway refuses the batch.
    private async Task ForwardBatchAsync(HttpContext http, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        if (buffer.Length > MaxBatchBytes)
        {
            await new StorageError(413, "RequestBodyTooLarge", "The request body is too large.").WriteAsync(http);
            return;
        }

        foreach (Match match in BatchSubrequest().Matches(Encoding.UTF8.GetString(buffer.ToArray())))
        {
            var isTierOrTags = match.Groups[3].Value.Contains("comp=tier", StringComparison.OrdinalIgnoreCase)
                || match.Groups[3].Value.Contains("comp=tags", StringComparison.OrdinalIgnoreCase);
            var sub = BlobTarget.Parse(Uri.UnescapeDataString(match.Groups[2].Value));
            if (!isTierOrTags && sub.Blob is not null && _store.Get(WormStore.Key(sub.Account, sub.Container!, sub.Blob)).BlocksWrites(now) is not null)
            {
                await StorageError.BatchTouchesImmutableBlob.WriteAsync(http);
                return;
            }
        }

        buffer.Position = 0;
        http.Request.Body = buffer;
        await ForwardAsync(http);
    }

    private async Task<int> ForwardAsync(HttpContext http, Action<HttpResponse>? amendHeaders = null)
    {
        using var response = await SendUpstreamAsync(http);
        await RelayAsync(http, response, amendHeaders);
        return (int)response.StatusCode;
    }

    private async Task<HttpResponseMessage> SendUpstreamAsync(HttpContext http)
    {
        // The raw target keeps the client's exact encoding, which its signature covers.
        var rawTarget = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var uri = new Uri(_upstreamBase.GetLeftPart(UriPartial.Authority) + rawTarget,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), uri);
        var hasBody = http.Request.ContentLength > 0
            || http.Request.Headers.TransferEncoding.Count > 0
            || (http.Request.ContentLength == 0 && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method));
        if (hasBody)
        {
            request.Content = new PipeContent(http.Request.BodyReader, http.Request.ContentLength);
        }

        foreach (var (name, values) in http.Request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
    }

    private static async Task RelayAsync(HttpContext http, HttpResponseMessage response, Action<HttpResponse>? amendHeaders)
    {
        CopyResponseHead(http, response, skipContentHeaders: false);
        amendHeaders?.Invoke(http.Response);
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await using var body = await response.Content.ReadAsStreamAsync(http.RequestAborted);
            await CopyAsync(body, http.Response.BodyWriter, http.RequestAborted);
        }
    }

    // The gateway moves bodies in 1 MiB chunks: on loopback its cost is per chunk (system calls, flushes), not per byte.
    private const int ChunkBytes = 1024 * 1024;

    private static async Task CopyAsync(Stream from, System.IO.Pipelines.PipeWriter to, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (true)
            {
                var filled = 0;
                int read;
                while (filled < ChunkBytes && (read = await from.ReadAsync(buffer.AsMemory(filled, ChunkBytes - filled), cancellationToken)) > 0)
                {
                    filled += read;
                }

                if (filled == 0)
                {
                    break;
                }

                var flushed = await to.WriteAsync(buffer.AsMemory(0, filled), cancellationToken);
                if (filled < ChunkBytes || flushed.IsCanceled || flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A request body handed to Azurite from Kestrel's input buffers in 1 MiB chunks.</summary>
    private sealed class PipeContent(System.IO.Pipelines.PipeReader reader, long? length) : HttpContent
    {
        private readonly long? _length = length;

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkBytes);
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync(cancellationToken);
                    var buffer = result.Buffer;
                    if (buffer.Length < ChunkBytes && !result.IsCompleted)
                    {
                        // Wait for a whole chunk (Kestrel buffers up to MaxRequestBufferSize meanwhile).
                        reader.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }

                    while (buffer.Length > 0)
                    {
                        var piece = buffer.Slice(0, Math.Min(buffer.Length, ChunkBytes));
                        System.Buffers.BuffersExtensions.CopyTo(piece, chunk);
                        await stream.WriteAsync(chunk.AsMemory(0, (int)piece.Length), cancellationToken);
                        buffer = buffer.Slice(piece.End);
                    }

                    reader.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = _length ?? 0;
            return _length is not null;
        }
    }

    private static void CopyResponseHead(HttpContext http, HttpResponseMessage response, bool skipContentHeaders)
    {
        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers)
        {
            if (!HopByHop.Contains(name))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }

        if (skipContentHeaders)
        {
            return;
        }

        foreach (var (name, values) in response.Content.Headers)
        {
            http.Response.Headers[name] = values.ToArray();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    /// <summary>A path-style blob address: <c>/account/container/blob/name</c>.</summary>
    private sealed record BlobTarget(string Account, string? Container, string? Blob)
    {
        public static BlobTarget Parse(string path)
        {
            var parts = path.TrimStart('/').Split('/', 3);
            return new BlobTarget(
                parts[0],
                parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null,
                parts.Length > 2 && parts[2].Length > 0 ? parts[2] : null);
        }
    }
}
