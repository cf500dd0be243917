using AvCloud.Functions.WebConsole;

namespace AvCloud.Tests.WebConsole;

/// <summary>How the console's files are chosen and sent, with no host: paths, cache rules, precompressed copies.</summary>
public sealed class ConsoleFilesTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("avcloud-console-");

    public ConsoleFilesTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.FullName, "_framework"));
        File.WriteAllText(Path.Combine(_root.FullName, "index.html"), "<html></html>");
        File.WriteAllText(Path.Combine(_root.FullName, "app.css"), "body{}");
        File.WriteAllText(Path.Combine(_root.FullName, "_framework", "dotnet.native.3kp2gvd9ow.wasm"), "wasm");
        // A file beside the root that no path may reach.
        File.WriteAllText(Path.Combine(_root.Parent!.FullName, $"{_root.Name}-secret.json"), "{}");
    }

    [Theory]
    [InlineData("", "index.html", "text/html; charset=utf-8", ConsoleFiles.Revalidate)]
    [InlineData("app.css", "app.css", "text/css; charset=utf-8", ConsoleFiles.Revalidate)]
    [InlineData("_framework/dotnet.native.3kp2gvd9ow.wasm", "_framework/dotnet.native.3kp2gvd9ow.wasm", "application/wasm", ConsoleFiles.Immutable)]
    [InlineData("requests/42", "index.html", "text/html; charset=utf-8", ConsoleFiles.Revalidate)]
    [InlineData("requests/42/watch", "index.html", "text/html; charset=utf-8", ConsoleFiles.Revalidate)]
    public void A_file_or_a_route_of_the_console_is_found_with_its_type_and_cache_rule(string path, string file, string type, string cache)
    {
        var found = Assert.IsType<ConsoleFiles.Found>(ConsoleFiles.Resolve(_root.FullName, path));
        Assert.Equal((file, type, cache), (found.RelativePath, found.ContentType, found.CacheControl));
    }

    [Theory]
    [InlineData("missing.js")]
    [InlineData("_framework/dotnet.native.0000000000.wasm")]
    [InlineData("_framework/route-like")]
    [InlineData("_content/route-like")]
    [InlineData("api/no-such-endpoint")]
    public void A_missing_file_is_not_answered_with_the_page(string path) =>
        Assert.IsType<ConsoleFiles.Missing>(ConsoleFiles.Resolve(_root.FullName, path));

    [Theory]
    [InlineData("../secret.json")]
    [InlineData("_framework/../../x")]
    [InlineData("..%2Fsecret.json")]
    [InlineData("%2e%2e/secret.json")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData(".env")]
    [InlineData("..\\secret.json")]
    [InlineData("C:/Windows/win.ini")]
    [InlineData("a\u0000b")]
    public void A_path_that_climbs_hides_or_is_encoded_is_refused(string path) =>
        Assert.IsType<ConsoleFiles.Refused>(ConsoleFiles.Resolve(_root.FullName, path));

    [Fact]
    public void A_sibling_folder_named_like_the_root_is_not_under_it()
    {
        var sibling = _root.FullName + "-secret.json";
        Assert.True(File.Exists(sibling));
        Assert.IsNotType<ConsoleFiles.Found>(ConsoleFiles.Resolve(_root.FullName, "../" + Path.GetFileName(sibling)));
    }

    [Fact]
    public void Without_a_published_console_a_route_is_not_found()
    {
        var empty = Directory.CreateTempSubdirectory("avcloud-console-empty-");
        try
        {
            Assert.IsType<ConsoleFiles.Missing>(ConsoleFiles.Resolve(empty.FullName, "requests/42"));
        }
        finally
        {
            empty.Delete();
        }
    }

    [Theory]
    [InlineData("blazor.webassembly.66stpnbnbd.js", ConsoleFiles.Immutable)]
    [InlineData("AvCloud.Console.x7g2kq9p1m.wasm", ConsoleFiles.Immutable)]
    [InlineData("icudt_CJK.tjcz0u77k5.dat", ConsoleFiles.Immutable)]
    [InlineData("blazor.webassembly.js", ConsoleFiles.Revalidate)]
    [InlineData("Microsoft.AspNetCore.Components.Web.wasm", ConsoleFiles.Revalidate)]
    [InlineData("app.components.css", ConsoleFiles.Revalidate)]
    [InlineData("index.html", ConsoleFiles.Revalidate)]
    public void Only_fingerprinted_files_are_kept_a_year(string name, string cache) =>
        Assert.Equal(cache, ConsoleFiles.CacheControlOf("_framework/" + name));

    [Theory]
    [InlineData("gzip, deflate, br, zstd", ".br")]
    [InlineData("gzip", ".gz")]
    [InlineData("br;q=0, gzip;q=0.5", ".gz")]
    [InlineData("*", ".br")]
    [InlineData("identity", null)]
    [InlineData("", null)]
    [InlineData("br;q=0, gzip;q=0", null)]
    [InlineData("br;q=abc", null)]
    public void The_copy_sent_is_the_best_one_the_browser_accepts(string acceptEncoding, string? suffix) =>
        Assert.Equal(suffix, ConsoleFiles.Precompressed(acceptEncoding, _ => true)?.Suffix);

    [Fact]
    public void A_copy_that_was_not_published_is_not_sent() =>
        Assert.Equal(("gzip"), ConsoleFiles.Precompressed("br, gzip", suffix => suffix == ".gz")?.Encoding);

    public void Dispose()
    {
        File.Delete(_root.FullName + "-secret.json");
        _root.Delete(recursive: true);
    }
}
