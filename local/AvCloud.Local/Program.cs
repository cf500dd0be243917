using System.Globalization;
using System.Runtime.InteropServices;
using AvCloud.Local.Functions;

namespace AvCloud.Local;

/// <summary><c>./avcloud up</c>: runs AvCloud on this machine until Ctrl+C.</summary>
public static class Program
{
    private const string Usage = """
        Usage: avcloud up [--port N] [--data DIR] [--clock-offset OFFSET] [--no-timers] [--verbose]
                          [--blob-endpoint URL --cosmos-endpoint URL]
          --port N               port of the function host (default 7071; a taken port is replaced by a free one)
          --data DIR             keep blobs and documents in DIR across restarts (default: in memory), and the keys
          --blob-endpoint URL    use Azurite already running there (http://127.0.0.1:PORT/devstoreaccount1) ...
          --cosmos-endpoint URL  ... and the Cosmos stand-in already running there; the host starts and stops neither
          --clock-offset OFFSET  run the functions' clock shifted, e.g. 30d, -2h, 400d, 1.12:00:00
          --no-timers            do not run timer functions on their schedules (POST /admin/functions/NAME still does)
          --verbose              log everything, emulators included
        """;

    private const string TokenUsage = """
        Usage: avcloud token --role ROLE [--role ROLE ...] --unit UNIT --user NAME [--minutes N] [--data DIR] [--port N]
          prints a bearer token signed by the local issuer (the key of `avcloud up`, or of `avcloud up --data DIR`),
          valid by the clock of the host running on --port (default 7071), so tokens work under --clock-offset too
          roles: Officer, Keeper, Reviewer, Supervisor, Head, Dock
        """;

    private const string RunUsage = """
        Usage: avcloud run NAME [--data DIR] [--port N]
          runs the timer function NAME now on the host running on --port (default 7071), through the admin API
          (POST /admin/functions/NAME) with the master key of `avcloud up` (or of `avcloud up --data DIR`)
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "token")
        {
            return await PrintTokenAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "run")
        {
            return await RunFunctionAsync(args[1..]);
        }

        if (args is ["openapi", var descriptionPath])
        {
            // The description GET /api/openapi.json serves, without a host: the console's client is generated from it.
            await File.WriteAllTextAsync(descriptionPath, AvCloud.Functions.Http.ServeOpenApi.Build(typeof(AvCloud.Functions.Health.CheckHealth).Assembly).ToJsonString());
            return 0;
        }

        if (args is ["precompress", var published])
        {
            Packaging.Precompress(published);
            return 0;
        }

        if (args is ["zip", var publishFolder, var consoleFolder, var zipPath])
        {
            try
            {
                Packaging.Zip(publishFolder, consoleFolder, zipPath);
                return 0;
            }
            catch (InvalidOperationException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 1;
            }
        }

        LocalCloudOptions options;
        try
        {
            options = ParseArguments(args);
        }
        catch (FormatException exception)
        {
            await Console.Error.WriteLineAsync($"{exception.Message}{Environment.NewLine}{Usage}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        LocalCloud cloud;
        try
        {
            cloud = await LocalCloud.StartAsync(options, stop.Token);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"AvCloud could not start: {exception.Message}");
            return 1;
        }

        await using (cloud)
        {
            PrintWhereItListens(cloud, options);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            Console.WriteLine("Stopping AvCloud...");
        }

        Console.WriteLine("Stopped; nothing is left running.");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static LocalCloudOptions ParseArguments(string[] args)
    {
        var port = 7071;
        string? data = null;
        var offset = TimeSpan.Zero;
        var timers = true;
        var level = LogLevel.Warning;
        Uri? blobs = null, cosmos = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out port) && port is >= 0 and < 65536:
                    i++;
                    break;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                case "--clock-offset" when i + 1 < args.Length:
                    offset = ParseOffset(args[++i]);
                    break;
                case "--no-timers":
                    timers = false;
                    break;
                case "--verbose":
                    level = LogLevel.Debug;
                    break;
                case "--blob-endpoint" when i + 1 < args.Length:
                    blobs = LoopbackAddress(args[++i]);
                    break;
                case "--cosmos-endpoint" when i + 1 < args.Length:
                    cosmos = LoopbackAddress(args[++i]);
                    break;
                default:
                    throw new FormatException($"Unknown or incomplete argument: {args[i]}");
            }
        }

        if ((blobs is null) != (cosmos is null))
        {
            throw new FormatException("--blob-endpoint and --cosmos-endpoint go together: both emulators are already running, or the host starts both.");
        }

        return new LocalCloudOptions
        {
            Port = port, DataDirectory = data, ClockOffset = offset, RunTimerSchedules = timers, MinimumLogLevel = level,
            Emulators = blobs is null ? null : new Emulators.RunningEmulators(blobs, cosmos!),
            IssuerKeyFile = IssuerKeyFile(data), HostKeysFile = HostKeysFile(data),
            SigningKeyFile = Path.Combine(Path.GetDirectoryName(IssuerKeyFile(data))!, "signing-key.pem"),
        };
    }

    /// <summary>An emulator's address: http on 127.0.0.1 only (no network but loopback).</summary>
    private static Uri LoopbackAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var address) && address.Scheme == Uri.UriSchemeHttp && address.Host == "127.0.0.1"
            ? address
            : throw new FormatException($"Not an emulator address on this machine: {text} (http://127.0.0.1:PORT/...)");

    /// <summary>The local issuer's key: under --data DIR, or under local/.data (ignored by git) when up keeps data in memory.</summary>
    private static string IssuerKeyFile(string? data) =>
        Path.Combine(data is null ? Path.Combine(Emulators.Emulator.FindLocalDirectory(), ".data") : Path.GetFullPath(data), "issuer-key.pem");

    /// <summary>The host keys, beside the issuer's key (as the Functions host keeps them per app).</summary>
    private static string HostKeysFile(string? data) => Path.Combine(Path.GetDirectoryName(IssuerKeyFile(data))!, "host-keys.json");

    private static async Task<int> RunFunctionAsync(string[] args)
    {
        string? name = null, data = null;
        var port = 7071;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out port):
                    i++;
                    break;
                case var value when name is null && !value.StartsWith("--", StringComparison.Ordinal):
                    name = value;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"Unknown or incomplete argument: {args[i]}{Environment.NewLine}{RunUsage}");
                    return 2;
            }
        }

        var file = HostKeysFile(data);
        if (name is null || !File.Exists(file))
        {
            await Console.Error.WriteLineAsync($"{(name is null ? "NAME is required." : $"No host keys at {file}: start `avcloud up` first.")}{Environment.NewLine}{RunUsage}");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/functions/{Uri.EscapeDataString(name)}");
        request.Headers.Add(HostKeys.Header, HostKeys.LoadOrCreate(file).Master);
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Console.WriteLine(response.IsSuccessStatusCode ? $"{name} ran." : $"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException exception)
        {
            await Console.Error.WriteLineAsync($"No AvCloud host answers on port {port}: {exception.Message}");
            return 1;
        }
    }

    private static async Task<int> PrintTokenAsync(string[] args)
    {
        var roles = new List<string>();
        string? unit = null, user = null, data = null;
        var minutes = 60;
        var port = 7071;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--role" when i + 1 < args.Length:
                    roles.Add(args[++i]);
                    break;
                case "--unit" when i + 1 < args.Length:
                    unit = args[++i];
                    break;
                case "--user" when i + 1 < args.Length:
                    user = args[++i];
                    break;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out port):
                    i++;
                    break;
                case "--minutes" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out minutes) && minutes is > 0 and <= 1440:
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete argument: {args[i]}{Environment.NewLine}{TokenUsage}");
                    return 2;
            }
        }

        var unknown = roles.FirstOrDefault(r => !AvCloud.Functions.Identity.Roles.All.Contains(r));
        if (roles.Count == 0 || unit is null || user is null || unknown is not null)
        {
            Console.Error.WriteLine($"{(unknown is null ? "--role, --unit and --user are required." : $"Unknown role: {unknown}.")}{Environment.NewLine}{TokenUsage}");
            return 2;
        }

        using var issuer = Identity.LocalIssuer.LoadOrCreate(IssuerKeyFile(data));
        Console.WriteLine(issuer.Mint(user, unit, roles, TimeSpan.FromMinutes(minutes), await HostTimeAsync(port)));
        return 0;
    }

    /// <summary>The running host's clock (shifted with --clock-offset), or this machine's when no host answers.</summary>
    private static async Task<DateTimeOffset> HostTimeAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            var clock = await http.GetFromJsonAsync<HostClock>($"http://127.0.0.1:{port}{AdminFunctions.ClockPath}");
            return clock?.Now ?? DateTimeOffset.UtcNow;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return DateTimeOffset.UtcNow;
        }
    }

    private sealed record HostClock(DateTimeOffset Now);

    /// <summary>"30d", "-2h", "90m", or a TimeSpan ("1.12:00:00").</summary>
    public static TimeSpan ParseOffset(string text)
    {
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            switch (text[^1])
            {
                case 'd': return TimeSpan.FromDays(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 's': return TimeSpan.FromSeconds(amount);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : throw new FormatException($"Not a clock offset: {text} (try 30d, -2h or 1.12:00:00)");
    }

    private static void PrintWhereItListens(LocalCloud cloud, LocalCloudOptions options)
    {
        var api = new Uri(cloud.BaseAddress, "api/");
        Console.WriteLine($"""
            AvCloud is running on this machine (127.0.0.1 only).
              Console        {new Uri(cloud.BaseAddress, LocalCloud.ConsolePath)}   (sign in on the local issuer's page: pick user, roles, unit)
              API            {api}   (try: curl {api}health)
              Blob storage   {cloud.BlobEndpoint}   (Azurite, with the WORM gateway; second account avcloudpreservation)
              Cosmos DB      {cloud.CosmosEndpoint}   (Cosmos stand-in)
              Admin          {cloud.BaseAddress}admin/functions   (master key; or: ./avcloud run NAME)
              Host keys      {cloud.Keys.File ?? "in memory"}   (master for /admin, blobs_extension for /runtime/webhooks/blobs;
                             send one as the x-functions-key header or the code query parameter)
              Data           {(options.Emulators is not null ? "in the emulators already running" : options.DataDirectory is null ? "in memory (use --data DIR to keep it)" : Path.GetFullPath(options.DataDirectory))}
              Clock          {(options.ClockOffset == TimeSpan.Zero ? "system time" : $"shifted by {options.ClockOffset}")}
            Functions:
            """);
        foreach (var function in cloud.Functions)
        {
            var what = function.Kind switch
            {
                TriggerKind.Http => $"{string.Join(',', function.HttpMethods)} {HttpFunctions.PathOf(function)}",
                TriggerKind.Blob => $"blob created in {function.Blob.BlobPath} (Event Grid)",
                TriggerKind.Timer => $"timer {function.Timer.Schedule}",
                _ => "not served",
            };
            Console.WriteLine($"  {function.Name,-28} {what}{(function.Problem is null ? "" : $"  NOT SERVED: {function.Problem}")}");
        }

        Console.WriteLine("Press Ctrl+C to stop.");
    }
}
