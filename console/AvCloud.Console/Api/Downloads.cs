using System.Net.Http.Headers;
using AvCloud.Console.Client.Models;
using Microsoft.JSInterop;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace AvCloud.Console.Api;

/// <summary>A file the API answered: its bytes, its name (as the API's Content-Disposition gives it) and its type.</summary>
public sealed record Download(byte[] Content, string Name, string Type);

/// <summary>
/// Files the API gives (the compliance report's CSV, a custody PDF, an evidence package), fetched through the API client
/// with the person's token (a plain link would carry none) and handed to the browser to save. A refusal is a problem
/// like any other call's, shown by <see cref="ApiCalls"/>.
/// </summary>
public sealed class Downloads(IRequestAdapter adapter, IJSRuntime js)
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> Problems = new() { ["XXX"] = Problem.CreateFromDiscriminatorValue };

    /// <summary>Sends <paramref name="request"/> accepting <paramref name="accept"/>; the answer, named <paramref name="fallback"/> when the API names it not.</summary>
    public async Task<Download?> FetchAsync(RequestInformation request, string accept, string fallback)
    {
        request.Headers.Remove("Accept");
        request.Headers.Add("Accept", accept);
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        request.AddRequestOptions([headers]);
        await using var stream = await adapter.SendPrimitiveAsync<Stream>(request, Problems);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return new Download(copy.ToArray(), NameOf(headers.ResponseHeaders.TryGetValue("Content-Disposition", out var given) ? given.FirstOrDefault() : null, fallback),
            headers.ResponseHeaders.TryGetValue("Content-Type", out var type) && type.FirstOrDefault() is { } t ? t.Split(';')[0] : accept);
    }

    /// <summary>Fetches the file and saves it; a refusal goes to <paramref name="refused"/> through <paramref name="api"/>, and nothing is saved.</summary>
    public async Task SaveAsync(ApiCalls api, RequestInformation request, string accept, string fallback, Action<Shown> refused)
    {
        if (await api.CallAsync(() => FetchAsync(request, accept, fallback), refused) is { } file)
        {
            await SaveAsync(file);
        }
    }

    /// <summary>Hands <paramref name="download"/> to the browser, which saves it under its name.</summary>
    public async Task SaveAsync(Download download)
    {
        using var content = new DotNetStreamReference(new MemoryStream(download.Content));
        await js.InvokeVoidAsync("avcloud.save", download.Name, download.Type, content);
    }

    /// <summary>The file name a Content-Disposition header gives, without any folder; <paramref name="fallback"/> when it gives none.</summary>
    public static string NameOf(string? disposition, string fallback)
    {
        if (disposition is not null && ContentDispositionHeaderValue.TryParse(disposition, out var parsed)
            && (parsed.FileNameStar ?? parsed.FileName)?.Trim('"') is { Length: > 0 } name)
        {
            var bare = Path.GetFileName(name.Replace('\\', '/'));
            return bare.Length > 0 ? bare : fallback;
        }

        return fallback;
    }
}
