using System.Reflection;

namespace AvCloud.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The function app's build output, where the Worker SDK writes functions.metadata.</summary>
    public static string FunctionsOutput => Path.Combine(Root, "functions", "AvCloud.Functions", "bin", Configuration, "net10.0");

    /// <summary>The web console as <c>./avcloud build</c> publishes it (trimmed, fingerprinted, precompressed).</summary>
    public static string PublishedConsole => Path.Combine(Root, "console", "AvCloud.Console", "bin", "publish", "wwwroot");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AvCloud.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests are not running inside the AvCloud repository.");
    }
}
