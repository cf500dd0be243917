using System.IO.Compression;
using AvCloud.Local;

namespace AvCloud.Tests.Hosting;

/// <summary>The deployable zip holds what Azure runs: host.json, functions.metadata, the worker and the fonts its reports embed.</summary>
public sealed class PackagingTests
{
    private static readonly string[] ReportFontsAndPackageFormat =
        ["Fonts/DejaVuSans.ttf", "Fonts/DejaVuSans-Bold.ttf", "Fonts/DroidSansFallbackFull.ttf", "AvCloud.Packages.dll"];

    [Fact]
    public void The_zip_holds_the_host_settings_the_function_metadata_and_the_worker()
    {
        var zip = Path.Combine(Path.GetTempPath(), $"avcloud-{Guid.NewGuid():N}.zip");
        try
        {
            Packaging.Zip(Repository.FunctionsOutput, zip);

            using var archive = ZipFile.OpenRead(zip);
            var names = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.All(Packaging.Required, f => Assert.Contains(f, names));
            // The custody report embeds its fonts, so they ship with the app; the package format is its own library.
            Assert.All(ReportFontsAndPackageFormat, f => Assert.Contains(f, names));
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
            var refused = Assert.Throws<InvalidOperationException>(() => Packaging.Zip(folder, Path.Combine(folder, "x.zip")));
            Assert.Contains("host.json", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
