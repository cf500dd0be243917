using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions.WebConsole;
using AvCloud.Local;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The function app serves the published console (as <c>./avcloud build</c> publishes it) from the API's own origin:
/// types, caching, Brotli/gzip copies by Accept-Encoding, the page for the console's routes, and path tricks refused.
/// </summary>
public sealed class ServeConsoleTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string Prefix = "/" + LocalCloud.ConsolePath;

    private async Task<HttpResponseMessage> GetAsync(string path, string? acceptEncoding = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Prefix + path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await fixture.Http.SendAsync(request, Cancel);
    }

    private static string Framework(string pattern) =>
        Path.GetRelativePath(Repository.PublishedConsole, Directory.EnumerateFiles(Path.Combine(Repository.PublishedConsole, "_framework"), pattern).First())
            .Replace(Path.DirectorySeparatorChar, '/');

    [Fact]
    public async Task The_page_is_served_at_the_console_root_and_checked_again_on_every_visit()
    {
        using var response = await GetAsync("");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("_framework/blazor.webassembly.", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_settings_name_the_local_issuer_as_the_authority_and_are_not_cached()
    {
        using var response = await GetAsync(ConsoleFiles.SettingsFile);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var settings = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Cancel);
        Assert.Equal(fixture.Cloud.BaseAddress.ToString(), settings.GetProperty("authority").GetString());
        Assert.Equal("avcloud-console", settings.GetProperty("clientId").GetString());
        Assert.Equal("api://avcloud/user_impersonation", settings.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("br, gzip", "br", ".br")]
    [InlineData("gzip", "gzip", ".gz")]
    [InlineData("br;q=0, gzip;q=1", "gzip", ".gz")]
    [InlineData(null, null, "")]
    public async Task A_fingerprinted_framework_file_is_immutable_and_sent_in_the_encoding_the_browser_accepts(string? accept, string? encoding, string suffix)
    {
        var wasm = Framework("dotnet.native.*.wasm");
        using var response = await GetAsync(wasm, accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/wasm", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ConsoleFiles.Immutable, response.Headers.CacheControl?.ToString());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(encoding is null ? [] : [encoding], response.Content.Headers.ContentEncoding);
        var expected = await File.ReadAllBytesAsync(Path.Combine(Repository.PublishedConsole, wasm + suffix), Cancel);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task A_packages_script_goes_precompressed_too()
    {
        const string script = "_content/Microsoft.AspNetCore.Components.WebAssembly.Authentication/AuthenticationService.js";
        using var response = await GetAsync(script, "br");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        var original = new FileInfo(Path.Combine(Repository.PublishedConsole, script)).Length;
        Assert.True((await response.Content.ReadAsByteArrayAsync(Cancel)).Length < original / 3, "the Brotli copy is a third of the script or less");
    }

    [Theory]
    [InlineData("app.css", "text/css")]
    [InlineData("console.js", "text/javascript")]
    public async Task Other_files_go_with_their_type_and_are_checked_again(string path, string type)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task An_unchanged_file_is_answered_304_when_the_browser_has_it()
    {
        using var first = await GetAsync("app.css", "br");
        var tag = first.Headers.ETag!.ToString();
        using var again = await GetAsync("app.css", "br", tag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
    }

    [Theory]
    [InlineData("requests/42")]
    [InlineData("requests/42/watch")]
    [InlineData("footage")]
    public async Task A_route_of_the_console_gets_the_page(string route)
    {
        using var response = await GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("_framework/missing.wasm")]
    [InlineData("missing.js")]
    public async Task A_missing_file_is_not_found_as_a_problem(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("..%2F..%2Fhost.json")]
    [InlineData("_framework%2F..%2F..%2Fhost.json")]
    [InlineData("%252e%252e/host.json")]
    [InlineData("%5C..%5Chost.json")]
    [InlineData(".well-known/x")]
    [InlineData("a//b")]
    public async Task A_path_trick_is_refused_as_a_bad_request(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_climbing_path_never_reaches_a_file_outside_the_console()
    {
        // The client or the server takes the dot segments out; whatever is left is not the function app's settings.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Http.BaseAddress!, Prefix + "../../../host.json"));
        using var response = await fixture.Http.SendAsync(request, Cancel);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"version\"", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
