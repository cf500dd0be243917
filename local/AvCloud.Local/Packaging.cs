using System.IO.Compression;

namespace AvCloud.Local;

/// <summary>
/// The deployable zip of the function app (<c>./avcloud package</c>): the publish folder as it is, which must hold
/// host.json, functions.metadata and the worker, since Flex Consumption runs the zip without building anything, and
/// the published web console under <c>wwwroot/</c>, which the function app serves itself (ServeConsole), so Azure
/// needs no other resource for it.
/// </summary>
public static class Packaging
{
    public const string ConsoleFolder = "wwwroot";

    public static readonly string[] Required = ["host.json", "functions.metadata", "AvCloud.Functions.dll"];

    public static void Zip(string publishFolder, string consoleFolder, string zipPath)
    {
        var missing = Required.Where(f => !File.Exists(Path.Combine(publishFolder, f))).ToList();
        if (!File.Exists(Path.Combine(consoleFolder, "index.html")))
        {
            missing.Add($"the published console ({consoleFolder}/index.html)");
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{publishFolder} is not a published function app: {string.Join(", ", missing)} missing.");
        }

        File.Delete(zipPath);
        ZipFile.CreateFromDirectory(publishFolder, zipPath, CompressionLevel.Optimal, includeBaseDirectory: false);
        using var archive = ZipFile.Open(zipPath, ZipArchiveMode.Update);
        foreach (var file in Directory.EnumerateFiles(consoleFolder, "*", SearchOption.AllDirectories))
        {
            var name = $"{ConsoleFolder}/{Path.GetRelativePath(consoleFolder, file).Replace(Path.DirectorySeparatorChar, '/')}";
            // Brotli and gzip copies are compressed already.
            var level = file.EndsWith(".br", StringComparison.Ordinal) || file.EndsWith(".gz", StringComparison.Ordinal) ? CompressionLevel.NoCompression : CompressionLevel.Optimal;
            archive.CreateEntryFromFile(file, name, level);
        }
    }

    private static readonly string[] Compressible = [".js", ".mjs", ".css", ".html", ".json", ".svg", ".txt", ".wasm", ".dat", ".blat"];

    /// <summary>
    /// Gives every text or binary asset under <paramref name="folder"/> its Brotli and gzip copies where they are missing
    /// or older than the file. The console's publish compresses the app's own files but not those packages bring (the
    /// sign-in's AuthenticationService.js, 290 KB), and the function app only ever sends precompressed bytes.
    /// </summary>
    public static void Precompress(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => Compressible.Contains(Path.GetExtension(f))))
        {
            var written = File.GetLastWriteTimeUtc(file);
            WriteIfStale(file, ".br", written, output => new BrotliStream(output, CompressionLevel.SmallestSize));
            WriteIfStale(file, ".gz", written, output => new GZipStream(output, CompressionLevel.SmallestSize));
        }
    }

    private static void WriteIfStale(string file, string suffix, DateTime written, Func<Stream, Stream> compress)
    {
        var copy = file + suffix;
        if (File.Exists(copy) && File.GetLastWriteTimeUtc(copy) >= written)
        {
            return;
        }

        using (var input = File.OpenRead(file))
        using (var output = File.Create(copy + ".tmp"))
        using (var compressed = compress(output))
        {
            input.CopyTo(compressed);
        }

        File.Move(copy + ".tmp", copy, overwrite: true);
    }
}
