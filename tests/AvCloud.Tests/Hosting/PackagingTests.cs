using System.IO.Compression;
using AvCloud.Local;

namespace AvCloud.Tests.Hosting;

/// <summary>The deployable zip holds what Azure runs: host.json, functions.metadata, the worker, the fonts its reports embed and the web console it serves.</summary>
public sealed class PackagingTests
{
    private static readonly string[] ReportFontsAndPackageFormat =
        ["Fonts/DejaVuSans.ttf", "Fonts/DejaVuSans-Bold.ttf", "Fonts/DroidSansFallbackFull.ttf", "AvCloud.Packages.dll"];

    [Fact]
    public void The_zip_holds_the_host_settings_the_function_metadata_the_worker_and_the_console()
    {
        var zip = Path.Combine(Path.GetTempPath(), $"avcloud-{Guid.NewGuid():N}.zip");
        try
        {
            Packaging.Zip(Repository.FunctionsOutput, Repository.PublishedConsole, zip);

            using var archive = ZipFile.OpenRead(zip);
            var names = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.All(Packaging.Required, f => Assert.Contains(f, names));
            // The custody report embeds its fonts, so they ship with the app; the package format is its own library.
            Assert.All(ReportFontsAndPackageFormat, f => Assert.Contains(f, names));
            Assert.Contains("wwwroot/index.html", names);
            Assert.Contains(names, n => n.StartsWith("wwwroot/_framework/", StringComparison.Ordinal) && n.EndsWith(".wasm.br", StringComparison.Ordinal));
            Assert.DoesNotContain(names, n => n.StartsWith('/') || n.Contains("..", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public void A_folder_that_is_not_a_published_function_app_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("not-published-").FullName;
        try
        {
            var refused = Assert.Throws<InvalidOperationException>(() => Packaging.Zip(folder, folder, Path.Combine(folder, "x.zip")));
            Assert.Contains("host.json", refused.Message, StringComparison.Ordinal);
            Assert.Contains("console", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Assets_left_uncompressed_get_brotli_and_gzip_copies_of_the_same_bytes_and_fresh_copies_are_kept()
    {
        var folder = Directory.CreateTempSubdirectory("console-precompress-").FullName;
        try
        {
            var script = Path.Combine(folder, "_content", "lib", "sign-in.js");
            Directory.CreateDirectory(Path.GetDirectoryName(script)!);
            var content = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("function signIn() { return 42; }\n", 500)));
            File.WriteAllBytes(script, content);
            File.WriteAllBytes(Path.Combine(folder, "photo.png"), [1, 2, 3]);
            File.WriteAllText(Path.Combine(folder, "app.css"), "body{}");
            File.WriteAllText(Path.Combine(folder, "app.css.br"), "kept");

            Packaging.Precompress(folder);

            using (var brotli = new BrotliStream(File.OpenRead(script + ".br"), CompressionMode.Decompress))
            using (var gzip = new GZipStream(File.OpenRead(script + ".gz"), CompressionMode.Decompress))
            using (var fromBrotli = new MemoryStream())
            using (var fromGzip = new MemoryStream())
            {
                brotli.CopyTo(fromBrotli);
                gzip.CopyTo(fromGzip);
                Assert.Equal(content, fromBrotli.ToArray());
                Assert.Equal(content, fromGzip.ToArray());
            }

            Assert.True(new FileInfo(script + ".br").Length < content.Length / 10);
            Assert.False(File.Exists(Path.Combine(folder, "photo.png.br")));
            Assert.Equal("kept", File.ReadAllText(Path.Combine(folder, "app.css.br")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
