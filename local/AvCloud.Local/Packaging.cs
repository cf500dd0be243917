using System.IO.Compression;

namespace AvCloud.Local;

/// <summary>
/// The deployable zip of the function app (<c>./avcloud package</c>): the publish folder as it is, which must hold
/// host.json, functions.metadata and the worker, since Flex Consumption runs the zip without building anything.
/// </summary>
public static class Packaging
{
    public static readonly string[] Required = ["host.json", "functions.metadata", "AvCloud.Functions.dll"];

    public static void Zip(string publishFolder, string zipPath)
    {
        var missing = Required.Where(f => !File.Exists(Path.Combine(publishFolder, f))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{publishFolder} is not a published function app: {string.Join(", ", missing)} missing.");
        }

        File.Delete(zipPath);
        ZipFile.CreateFromDirectory(publishFolder, zipPath, CompressionLevel.Optimal, includeBaseDirectory: false);
    }
}
