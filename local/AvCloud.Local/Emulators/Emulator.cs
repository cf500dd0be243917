using System.Net;
using System.Net.Sockets;

namespace AvCloud.Local.Emulators;

/// <summary>Starting the emulators: where their Node packages are, free ports, and waiting until they answer.</summary>
internal static class Emulator
{
    public const string AzuriteAccount = "devstoreaccount1";

    // Azurite's published development key: it protects nothing and is the same on every machine.
    public const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The second storage account, for preservation copies (keys as in <c>local/azurite.js</c>).</summary>
    public const string PreservationAccount = "avcloudpreservation";

    public const string PreservationKey = "YXZjbG91ZC1sb2NhbC1wcmVzZXJ2YXRpb24tYWNjb3VudC1rZXktbm90LWEtc2VjcmV0LTAxMjM0NTY3ODlhYg==";

    // The Cosmos DB emulator's published key; the stand-in accepts any key.
    public const string CosmosKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    /// <summary>The <c>local/</c> folder, which holds package.json, node_modules and the launcher scripts.</summary>
    public static string FindLocalDirectory()
    {
        if (Environment.GetEnvironmentVariable("AVCLOUD_LOCAL_DIR") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "local");
            if (File.Exists(Path.Combine(candidate, "package.json")) && File.Exists(Path.Combine(candidate, "cosmos", "launcher.js")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules")))
                {
                    throw new InvalidOperationException($"The emulators are not installed in {candidate}: run ./avcloud up or ./avcloud test, which install them.");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException("Could not find the local/ folder of the AvCloud repository; set AVCLOUD_LOCAL_DIR.");
    }

    /// <summary><paramref name="preferred"/> if it is free on 127.0.0.1, otherwise a free port the system picks.</summary>
    public static int PickPort(int preferred)
    {
        if (preferred > 0 && IsFree(preferred))
        {
            return preferred;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Three distinct ports, each the preferred one when it is free.</summary>
    public static (int, int, int) PickPorts(int first, int second, int third)
    {
        var taken = new HashSet<int>();
        int Pick(int preferred)
        {
            var port = PickPort(taken.Contains(preferred) ? 0 : preferred);
            while (!taken.Add(port))
            {
                port = PickPort(0);
            }

            return port;
        }

        return (Pick(first), Pick(second), Pick(third));
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="probe"/> until the process answers it, or fails with what the process printed.</summary>
    public static async Task WaitUntilAnsweringAsync(NodeProcess process, string name, Uri probe, bool needsSuccess, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} stopped while starting:{Environment.NewLine}{process.RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(probe, cancellationToken);
                if (!needsSuccess || response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{name} did not answer {probe} within 60 s:{Environment.NewLine}{process.RecentOutput}");
    }
}
