using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AvCloud.DockSync;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.DockSync;

/// <summary>
/// The dock sync client against the local cloud: real recordings end catalogued; a killed upload resumes sending only
/// what storage does not have; a network outage is retried through; files still being written wait; nothing is wiped
/// before AvCloud verified it.
/// </summary>
public sealed class DockSyncTests(LocalCloudFixture fixture) : IDisposable
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>How long to wait on the real avdock in a child process: it starts .NET before its first pass.</summary>
    private static readonly TimeSpan DockService = TimeSpan.FromSeconds(60);

    private static readonly string[] Zhang = ["officer-zhang"];

    private readonly string _root = Directory.CreateTempSubdirectory("avdock-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A dock station: its settings, token, journal and a folder of docked recorders, for a unit of its own.</summary>
    private sealed class Station
    {
        public required string Unit { get; init; }

        public required string Recorders { get; init; }

        public required string SettingsPath { get; init; }

        public required DockSettings Settings { get; init; }

        public string Device(string deviceId = Ingest.Dock.DeviceId, double clockOffSeconds = 0)
        {
            var folder = Directory.CreateDirectory(Path.Combine(Recorders, deviceId)).FullName;
            var now = DateTimeOffset.UtcNow;
            File.WriteAllText(Path.Combine(folder, Recorder.DeviceFile), JsonSerializer.Serialize(
                new DeviceInfo(deviceId, "officer-zhang", now.AddSeconds(-clockOffSeconds), now), DockSettings.Json));
            return folder;
        }

        public static string Put(string folder, string name, byte[] content, string kind, int minutesAgo = 90, string? activityId = null)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllBytes(path, content);
            var end = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo);
            File.WriteAllText(path + Recorder.MetaSuffix, JsonSerializer.Serialize(new RecordingInfo(kind, end.AddMinutes(-1), end, activityId, false, null), DockSettings.Json));
            return path;
        }
    }

    private async Task<Station> StationAsync(Func<DockSettings, DockSettings>? adjust = null)
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        await new Ingest.Dock(fixture, unit).RegisterDeviceAsync();
        var home = Directory.CreateTempSubdirectory("station-").FullName;
        var tokenFile = Path.Combine(home, "token");
        await File.WriteAllTextAsync(tokenFile, fixture.Cloud.Issuer.Mint("dock-3", unit, [Roles.Dock], TimeSpan.FromHours(2), DateTimeOffset.UtcNow), Cancel);
        var settings = new DockSettings
        {
            Api = new Uri(fixture.Cloud.BaseAddress, "api/"),
            DockId = "dock-3",
            Journal = Path.Combine(home, "journal.json"),
            Auth = new DockAuth { TokenFile = tokenFile },
            StableSeconds = 0.3,
            VerifySeconds = 30,
        };
        settings = adjust?.Invoke(settings) ?? settings;
        var settingsPath = Path.Combine(home, "avdock.json");
        await File.WriteAllTextAsync(settingsPath, JsonSerializer.Serialize(settings, DockSettings.Json), Cancel);
        var recorders = Directory.CreateDirectory(Path.Combine(_root, unit)).FullName;
        return new Station { Unit = unit, Recorders = recorders, SettingsPath = settingsPath, Settings = settings };
    }

    private static async Task<PushReport> PushAsync(Station station, bool wipe = false, HttpMessageHandler? handler = null, double? maxMbps = null,
        TextWriter? output = null)
    {
        using var pusher = new Pusher(station.Settings, output ?? TextWriter.Null, handler);
        return await pusher.PushAsync(station.Recorders, wipe, maxMbps, Cancel);
    }

    private async Task<Functions.Footage.FootageRecord> FootageAsync(Station station, byte[] content) =>
        await new Ingest.Dock(fixture, station.Unit).FootageAsync(Ingest.Dock.Sha256(content));

    [Fact]
    public async Task A_folder_of_real_recordings_ends_catalogued_and_status_says_so()
    {
        var station = await StationAsync();
        var folder = station.Device();
        var files = new (string Name, string Kind)[] { ("bodycam.mp4", "video"), ("interview.m4a", "audio"), ("scene.jpg", "photo") };
        foreach (var (name, kind) in files)
        {
            Station.Put(folder, name, await File.ReadAllBytesAsync(Ingest.Dock.MediaPath(name), Cancel), kind);
        }

        var report = await PushAsync(station);

        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        Assert.Equal((3, 3, 3), (report.FilesSeen, report.FilesUploaded, report.FilesVerified));
        foreach (var (name, _) in files)
        {
            var record = await FootageAsync(station, await File.ReadAllBytesAsync(Ingest.Dock.MediaPath(name), Cancel));
            Assert.Equal("dock-3", record.DockId);
        }

        using var output = new StringWriter();
        Assert.Equal(0, await Cli.RunAsync(["status", "--settings", station.SettingsPath, "--json"], output, TextWriter.Null));
        var rows = JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal("verified", r.GetProperty("stage").GetString()));
        Assert.All(rows, r => Assert.Equal("handed over", r.GetProperty("deadline").GetString()));

        // A second pass finds nothing new to send.
        var again = await PushAsync(station);
        Assert.Equal((0, 0), (again.FilesUploaded, again.BlocksSent));
    }

    [Fact]
    public async Task A_killed_upload_resumes_sending_only_the_blocks_storage_does_not_have()
    {
        var station = await StationAsync(s => s with { BlockSizeBytes = 256 * 1024, ParallelBlocks = 2 });
        var content = SyntheticWav.Create(1801, 3 * 1024 * 1024);
        Station.Put(station.Device(), "long.wav", content, "audio");
        var totalBlocks = (content.Length + (256 * 1024) - 1) / (256 * 1024);

        // The real program, slowed to 4 Mbit/s, killed once some blocks are in storage.
        var avdock = Path.Combine(AppContext.BaseDirectory, "avdock.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", avdock, "push", station.Recorders, "--settings", station.SettingsPath, "--max-mbps", "4", "--json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var staged = 0;
        await Eventually.That(async () => (staged = await StagedAsync(station, "long.wav")) >= 4, "the dock to stage 4 blocks of long.wav", DockService, Cancel);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(Cancel);
        // A block whose bytes had all left the dock may still land in storage just after the kill: count once it is quiet.
        // Nothing signals the last one landed, so quiet means the same count 500 ms apart.
        var stagedAfterKill = await StagedAsync(station, "long.wav");
        for (var previous = -1; stagedAfterKill != previous; stagedAfterKill = await StagedAsync(station, "long.wav"))
        {
            previous = stagedAfterKill;
            await Task.Delay(500, Cancel);
        }

        Assert.True(stagedAfterKill < totalBlocks, $"the upload finished before the kill ({stagedAfterKill} of {totalBlocks} blocks)");

        var report = await PushAsync(station);

        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        Assert.Equal(totalBlocks - stagedAfterKill, report.BlocksSent);
        Assert.True(stagedAfterKill >= staged, "storage lost blocks it had accepted before the kill");
        Assert.Equal(content.Length, (await FootageAsync(station, content)).Size);
    }

    [Fact]
    public async Task Watch_waits_for_the_recorders_picks_up_each_new_recording_and_stops_cleanly_when_the_service_stops()
    {
        var station = await StationAsync();
        Directory.Delete(station.Recorders);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var avdock = Path.Combine(AppContext.BaseDirectory, "avdock.dll");
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet",
                ["exec", avdock, "watch", station.Recorders, "--settings", station.SettingsPath, "--interval", "0.5", "--wipe-after-verify"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        process.ErrorDataReceived += (_, line) => errors.Enqueue(line.Data ?? "");
        process.Start();
        process.BeginErrorReadLine();
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        try
        {
            // The station started before the recorders' folder was there: the service says so and keeps going.
            await Eventually.That(() => errors.Any(e => e.Contains("No folder", StringComparison.Ordinal)), "the service to say the folder is missing", DockService, Cancel);
            Directory.CreateDirectory(station.Recorders);
            var folder = station.Device();
            var first = SyntheticWav.Create(1871, 8000);
            var firstPath = Station.Put(folder, "first.wav", first, "audio");
            await Eventually.That(() => !File.Exists(firstPath), "the service to hand over and wipe first.wav", DockService, Cancel);

            // A recorder docked later is picked up by a later pass of the same service.
            await new Ingest.Dock(fixture, station.Unit).RegisterDeviceAsync("recorder-2");
            var second = SyntheticWav.Create(1872, 8000);
            var secondPath = Station.Put(station.Device("recorder-2"), "second.wav", second, "audio");
            await Eventually.That(() => !File.Exists(secondPath), "the service to hand over and wipe second.wav", DockService, Cancel);

            Assert.Equal(first.Length, (await FootageAsync(station, first)).Size);
            Assert.Equal(second.Length, (await FootageAsync(station, second)).Size);
        }
        finally
        {
            // What a service manager does to stop it.
            Assert.Equal(0, Terminate(process.Id, SigTerm));
            await process.WaitForExitAsync(CancellationToken.None);
        }

        Assert.Equal(0, process.ExitCode);
        var passes = (await output).Split('\n').Where(l => l.Contains(" files ready, ", StringComparison.Ordinal)).ToList();
        // One line for each pass that handed something over; the quiet passes in between say nothing.
        Assert.Equal(2, passes.Count(l => l.Contains("1 verified by AvCloud, 1 wiped", StringComparison.Ordinal)));
        Assert.DoesNotContain(passes, l => l.StartsWith("0 files ready, 0 uploaded", StringComparison.Ordinal) && l.Contains(" 0 problems", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("stopped; the next run continues", StringComparison.Ordinal));
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int pid, int signal);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task In_Azure_the_dock_signs_in_as_its_own_Entra_app_by_secret_or_certificate(bool byCertificate)
    {
        var station = await StationAsync();
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(30));
        using var certificate = FakeEntra.SelfSigned("CN=dock-3");
        await using var entra = await FakeEntra.StartAsync(() => DockToken(station.Unit), byCertificate ? null : secret, byCertificate ? certificate : null);
        var certificatePath = Path.Combine(_root, "dock-3.pem");
        using (var key = certificate.GetRSAPrivateKey()!)
        {
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem(), Cancel);
        }

        var content = SyntheticWav.Create(1881, 8000);
        Station.Put(station.Device(), "signed-in.wav", content, "audio");
        using var secretVariable = new EnvironmentVariable(secret);
        var settings = station.Settings with
        {
            Auth = EntraSignIn(entra) with
            {
                CertificatePath = byCertificate ? certificatePath : null,
                ClientSecretVariable = byCertificate ? null : secretVariable.Name,
            },
        };

        using var trusting = entra.TrustingHandler();
        using var pusher = new Pusher(settings, TextWriter.Null, trusting);
        var report = await pusher.PushAsync(station.Recorders, wipeAfterVerify: false, maxMbps: null, Cancel);

        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        Assert.Equal(1, report.FilesVerified);
        Assert.Equal(content.Length, (await FootageAsync(station, content)).Size);
        // One sign-in for the whole pass (the credential keeps the token), for AvCloud's scope; nothing else asked of Entra ID.
        var grant = Assert.Single(entra.Granted);
        Assert.Equal("api://avcloud/.default", grant["scope"]);
        Assert.Equal(byCertificate ? "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" : null, grant.GetValueOrDefault("client_assertion_type"));
        Assert.All(entra.Requests, r => Assert.Equal($"POST /{FakeEntra.TenantId}/oauth2/v2.0/token", r));
    }

    [Fact]
    public async Task A_refused_sign_in_is_named_and_nothing_is_sent()
    {
        var station = await StationAsync();
        await using var entra = await FakeEntra.StartAsync(() => DockToken(station.Unit), secret: "the secret on the app registration");
        Station.Put(station.Device(), "kept.wav", SyntheticWav.Create(1882, 8000), "audio");
        using var expired = new EnvironmentVariable("a secret that has since been rotated");
        var settings = station.Settings with { Auth = EntraSignIn(entra) with { ClientSecretVariable = expired.Name } };

        using var trusting = entra.TrustingHandler();
        using var pusher = new Pusher(settings, TextWriter.Null, trusting);
        var refused = await Assert.ThrowsAsync<DockException>(() => pusher.PushAsync(station.Recorders, wipeAfterVerify: false, maxMbps: null, Cancel));

        Assert.Contains($"Signing in to Entra ID as app {FakeEntra.ClientId} of tenant {FakeEntra.TenantId} failed", refused.Message, StringComparison.Ordinal);
        Assert.True(refused.Message.Contains("AADSTS7000215", StringComparison.Ordinal), refused.Message);
        Assert.Empty(entra.Granted);
        Assert.Equal(FileStage.Hashed, Assert.Single(pusher.Journal.Entries).Stage);
    }

    private string DockToken(string unit) => fixture.Cloud.Issuer.Mint("dock-3", unit, [Roles.Dock], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    private static DockAuth EntraSignIn(FakeEntra entra) => new()
    {
        TenantId = FakeEntra.TenantId,
        ClientId = FakeEntra.ClientId,
        Scope = "api://avcloud/.default",
        AuthorityHost = entra.AuthorityHost,
        DisableInstanceDiscovery = true,
    };

    /// <summary>A secret in an environment variable of its own, as the settings file names it; removed on dispose.</summary>
    private sealed class EnvironmentVariable : IDisposable
    {
        public EnvironmentVariable(string value) => Environment.SetEnvironmentVariable(Name, value);

        public string Name { get; } = $"AVDOCK_SECRET_{Guid.NewGuid():N}";

        public void Dispose() => Environment.SetEnvironmentVariable(Name, null);
    }

    private async Task<int> StagedAsync(Station station, string name)
    {
        if (!File.Exists(station.Settings.Journal))
        {
            return 0;
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(station.Settings.Journal, Cancel);
        }
        catch (IOException)
        {
            return 0;
        }

        var entry = JsonSerializer.Deserialize<List<JournalEntry>>(text, DockSettings.Json)?.FirstOrDefault(e => e.Name == name);
        if (entry?.SessionId is null)
        {
            return 0;
        }

        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/uploads/{entry.SessionId}/files/{name}/blocks", fixture.TokenFor(station.Unit, Roles.Dock));
        return (await response.Content.ReadFromJsonAsync<UploadBlocks>(DockSettings.Json, Cancel))!.Uncommitted.Count;
    }

    /// <summary>Storage unreachable for a while: every request to it fails at the connection, as when the link drops.</summary>
    private sealed class Outage(int storagePort, TimeSpan length) : DelegatingHandler(new SocketsHttpHandler())
    {
        private long _startedTicks;

        public int Refused;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Port == storagePort && request.Method == HttpMethod.Put)
            {
                Interlocked.CompareExchange(ref _startedTicks, DateTimeOffset.UtcNow.UtcTicks, 0);
                if (DateTimeOffset.UtcNow.UtcTicks - Interlocked.Read(ref _startedTicks) < length.Ticks)
                {
                    Interlocked.Increment(ref Refused);
                    throw new HttpRequestException("Connection refused (injected outage).", new System.Net.Sockets.SocketException(111));
                }
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_storage_outage_is_retried_through_and_the_upload_completes()
    {
        var station = await StationAsync(s => s with { BlockSizeBytes = 256 * 1024 });
        var content = SyntheticWav.Create(1811, 700 * 1024);
        Station.Put(station.Device(), "cut.wav", content, "audio");
        using var outage = new Outage(new Uri(fixture.Cloud.StorageConnectionString.Split("BlobEndpoint=")[1].Split(';')[0]).Port, TimeSpan.FromSeconds(2));

        var report = await PushAsync(station, handler: outage);

        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        Assert.True(outage.Refused > 0, "the outage never hit");
        Assert.Equal(1, report.FilesVerified);
        Assert.Equal(content.Length, (await FootageAsync(station, content)).Size);
    }

    /// <summary>Storage commits the block list, and the answer is lost on the way back (the connection drops after storage acted).</summary>
    private sealed class LostCommitAnswer(int storagePort) : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Lost;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.Port == storagePort && request.Method == HttpMethod.Put && request.RequestUri.Query.Contains("comp=blocklist", StringComparison.Ordinal)
                && response.IsSuccessStatusCode && Interlocked.Increment(ref Lost) == 1)
            {
                response.Dispose();
                throw new HttpRequestException("Connection reset after the commit (injected).", new IOException("reset"));
            }

            return response;
        }
    }

    [Fact]
    public async Task A_commit_whose_answer_was_lost_is_handed_over_in_its_own_session_not_uploaded_again()
    {
        var station = await StationAsync();
        var content = SyntheticWav.Create(1815, 9000);
        Station.Put(station.Device(), "lost.wav", content, "audio");
        using var lost = new LostCommitAnswer(new Uri(fixture.Cloud.StorageConnectionString.Split("BlobEndpoint=")[1].Split(';')[0]).Port);

        var report = await PushAsync(station, handler: lost);

        Assert.True(lost.Lost > 0, "no commit answer was lost");
        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        Assert.Equal(1, report.FilesVerified);
        var entry = Assert.Single(Journal.Open(station.Settings.Journal).Entries);
        var record = await FootageAsync(station, content);
        // The journal keeps the session the file was committed in, and the catalogue notes that one upload only.
        Assert.Equal(FileStage.Verified, entry.Stage);
        Assert.Equal(entry.SessionId, Assert.Single(record.Uploads).SessionId);
        var again = await PushAsync(station);
        Assert.Equal((0, 0), (again.FilesUploaded, again.BlocksSent));
    }

    [Fact]
    public async Task A_file_still_being_written_waits_and_the_rest_go()
    {
        var station = await StationAsync(s => s with { StableSeconds = 1 });
        var folder = station.Device();
        var done = SyntheticWav.Create(1821, 8000);
        Station.Put(folder, "done.wav", done, "audio");
        var growing = Station.Put(folder, "growing.wav", SyntheticWav.Create(1822, 8000), "audio");
        using var writing = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                await File.AppendAllTextAsync(growing, "more", CancellationToken.None);
                // The recorder's pace of writing, not a wait: the file must keep changing within StableSeconds.
                await Task.Delay(100, CancellationToken.None);
            }
        }, Cancel);

        PushReport report;
        try
        {
            report = await PushAsync(station);
        }
        finally
        {
            await writing.CancelAsync();
            await writer;
        }

        Assert.Contains(report.Problems, p => p.Contains("growing.wav", StringComparison.Ordinal) && p.Contains("still being written", StringComparison.Ordinal));
        Assert.Equal(1, report.FilesUploaded);
        Assert.Equal(1, report.FilesVerified);
        using var pusher = new Pusher(station.Settings, TextWriter.Null);
        Assert.DoesNotContain(pusher.Journal.Entries, e => e.Name == "growing.wav");
    }

    [Fact]
    public async Task Only_files_AvCloud_verified_are_wiped_and_bad_files_are_named_and_kept()
    {
        var station = await StationAsync();
        var folder = station.Device();
        var good = SyntheticWav.Create(1831, 8000);
        var goodPath = Station.Put(folder, "good.wav", good, "audio");
        var brokenPath = Station.Put(folder, "broken.mp4", SyntheticWav.Create(1832, 4000)[100..], "video");
        var emptyPath = Station.Put(folder, "empty.wav", [], "audio");
        var bare = Path.Combine(folder, "bare.wav");
        await File.WriteAllBytesAsync(bare, SyntheticWav.Create(1833, 4000), Cancel);

        var report = await PushAsync(station, wipe: true);

        Assert.False(File.Exists(goodPath));
        Assert.False(File.Exists(goodPath + Recorder.MetaSuffix));
        Assert.True(File.Exists(brokenPath));
        Assert.True(File.Exists(emptyPath));
        Assert.True(File.Exists(bare));
        Assert.Equal(1, report.FilesWiped);
        Assert.Contains(report.Problems, p => p.Contains("empty.wav", StringComparison.Ordinal) && p.Contains("0 bytes", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("bare.wav", StringComparison.Ordinal) && p.Contains(Recorder.MetaSuffix, StringComparison.Ordinal));
        using var pusher = new Pusher(station.Settings, TextWriter.Null);
        Assert.Equal(FileStage.Quarantined, pusher.Journal.Entries.Single(e => e.Name == "broken.mp4").Stage);
        Assert.Equal(FileStage.Wiped, pusher.Journal.Entries.Single(e => e.Name == "good.wav").Stage);
        Assert.Equal(good.Length, (await FootageAsync(station, good)).Size);
    }

    [Fact]
    public async Task A_recorder_whose_clock_is_far_off_is_not_uploaded_until_it_is_set()
    {
        var station = await StationAsync();
        var content = SyntheticWav.Create(1841, 8000);
        Station.Put(station.Device(clockOffSeconds: 3600), "drift.wav", content, "audio");

        var report = await PushAsync(station);

        Assert.Equal(0, report.FilesSeen);
        Assert.Contains(report.Problems, p => p.Contains("clock", StringComparison.Ordinal) && p.Contains(Ingest.Dock.DeviceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_settings_and_arguments_get_a_clear_message()
    {
        using var errors = new StringWriter();
        var missing = await Cli.RunAsync(["push", _root, "--settings", Path.Combine(_root, "nope.json")], TextWriter.Null, errors);
        var path = Path.Combine(_root, "bad.json");
        await File.WriteAllTextAsync(path, "{\"api\":\"http://127.0.0.1:1/api/\",\"dockId\":\"d\",\"journal\":\"j\",\"auth\":{}}", Cancel);
        var noAuth = await Cli.RunAsync(["push", _root, "--settings", path], TextWriter.Null, errors);

        Assert.Equal(1, missing);
        Assert.Equal(1, noAuth);
        Assert.Contains("No settings file", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("auth needs", errors.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Takes the recorder away (its folder moves) the moment the dock asks what storage holds of a file.</summary>
    private sealed class Undock(string folder, string elsewhere) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _done;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/blocks", StringComparison.Ordinal) && Interlocked.Exchange(ref _done, 1) == 0)
            {
                Directory.Move(folder, elsewhere);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_recorder_that_goes_away_mid_upload_is_reported_and_the_next_run_finishes_it()
    {
        var station = await StationAsync();
        var folder = station.Device();
        var content = SyntheticWav.Create(1851, 8000);
        Station.Put(folder, "away.wav", content, "audio");
        var elsewhere = folder + ".undocked";

        PushReport first;
        using (var undock = new Undock(folder, elsewhere))
        {
            first = await PushAsync(station, handler: undock);
        }

        Assert.Contains(first.Problems, p => p.Contains("away.wav", StringComparison.Ordinal) && p.Contains("went away", StringComparison.Ordinal));
        Assert.Equal(0, first.FilesVerified);

        Directory.Move(elsewhere, folder);
        var second = await PushAsync(station);

        Assert.True(second.Problems.Count == 0, string.Join("\n", second.Problems));
        Assert.Equal(1, second.FilesVerified);
        Assert.Equal(content.Length, (await FootageAsync(station, content)).Size);
    }

    [Fact]
    public async Task Recordings_of_urgent_activities_go_first_then_the_oldest()
    {
        var station = await StationAsync(s => s with { ParallelFiles = 1 });
        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", station.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        using var created = await fixture.SendAsync(HttpMethod.Post, "/api/activities", officer, JsonContent.Create(new
        {
            kind = "onSiteEnforcement", officers = Zhang, place = "market", urgent = true,
            start = DateTimeOffset.UtcNow.AddHours(-1), end = DateTimeOffset.UtcNow.AddMinutes(-20),
        }));
        var activity = (await created.Content.ReadFromJsonAsync<Functions.Activities.Activity>(Functions.AvCloudJson.Options, Cancel))!;
        var folder = station.Device();
        Station.Put(folder, "a-new.wav", SyntheticWav.Create(1861, 8000), "audio", minutesAgo: 60);
        Station.Put(folder, "b-old.wav", SyntheticWav.Create(1862, 8000), "audio", minutesAgo: 180);
        Station.Put(folder, "c-urgent.wav", SyntheticWav.Create(1863, 8000), "audio", minutesAgo: 30, activityId: activity.Id);

        using var output = new StringWriter();
        var report = await PushAsync(station, output: output);

        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        var order = output.ToString().Split('\n').Where(l => l.Contains(": uploading", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf('/', StringComparison.Ordinal) + 1)..l.IndexOf(':', StringComparison.Ordinal)]).ToList();
        Assert.Equal(["c-urgent.wav", "b-old.wav", "a-new.wav"], order);
    }

    /// <summary>A journal entry for a recording that ended <paramref name="endedAgo"/> ago, its file (if any) under the test's folder.</summary>
    private JournalEntry Entry(string name, TimeSpan endedAgo, FileStage stage)
    {
        var now = DateTimeOffset.UtcNow;
        return new()
        {
            DeviceId = Ingest.Dock.DeviceId, Name = name, Path = Path.Combine(_root, name), Size = 1, LastWriteUtc = DateTime.UtcNow,
            Sha256 = new string('0', 64), Kind = "audio", RecordedStart = now - endedAgo - TimeSpan.FromMinutes(1), RecordedEnd = now - endedAgo, Stage = stage,
        };
    }

    [Fact]
    public async Task The_journal_forgets_files_handed_over_and_gone_from_the_recorder_after_a_month_and_keeps_the_rest()
    {
        var station = await StationAsync();
        var journal = Journal.Open(station.Settings.Journal);
        var month = TimeSpan.FromDays(40);
        await File.WriteAllBytesAsync(Path.Combine(_root, "old-still-there.wav"), [1], Cancel);
        journal.Put(Entry("old-wiped.wav", month, FileStage.Wiped));
        journal.Put(Entry("old-removed-elsewhere.wav", month, FileStage.Verified));
        journal.Put(Entry("old-still-there.wav", month, FileStage.Verified));
        journal.Put(Entry("old-never-sent.wav", month, FileStage.Hashed));
        journal.Put(Entry("old-quarantined.wav", month, FileStage.Quarantined));
        journal.Put(Entry("recent-wiped.wav", TimeSpan.FromDays(2), FileStage.Wiped));

        var report = await PushAsync(station);

        Assert.Equal(0, report.FilesSeen);
        using var pusher = new Pusher(station.Settings, TextWriter.Null);
        Assert.Equal(["old-never-sent.wav", "old-quarantined.wav", "old-still-there.wav", "recent-wiped.wav"],
            pusher.Journal.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Status_shows_files_past_or_near_their_24_hour_deadline()
    {
        var station = await StationAsync();
        var journal = Journal.Open(station.Settings.Journal);
        journal.Put(Entry("late.wav", TimeSpan.FromHours(30), FileStage.Uploading));
        journal.Put(Entry("soon.wav", TimeSpan.FromHours(21), FileStage.Hashed));
        journal.Put(Entry("fresh.wav", TimeSpan.FromHours(1), FileStage.Hashed));
        journal.Put(Entry("done.wav", TimeSpan.FromHours(30), FileStage.Verified));

        using var output = new StringWriter();
        Assert.Equal(0, await Cli.RunAsync(["status", "--settings", station.SettingsPath, "--json"], output, TextWriter.Null));

        var deadlines = JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray()
            .ToDictionary(r => r.GetProperty("file").GetString()!.Split('/')[1], r => r.GetProperty("deadline").GetString());
        Assert.Equal("PAST DEADLINE", deadlines["late.wav"]);
        Assert.StartsWith("due in 3", deadlines["soon.wav"], StringComparison.Ordinal);
        Assert.Equal("", deadlines["fresh.wav"]);
        Assert.Equal("handed over", deadlines["done.wav"]);
    }

    [Fact]
    public async Task Status_shows_the_deadline_AvCloud_records_with_the_device_s_drift_and_the_activity_s_end()
    {
        var station = await StationAsync();
        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", station.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        using var created = await fixture.SendAsync(HttpMethod.Post, "/api/activities", officer, JsonContent.Create(new
        {
            kind = "investigation", officers = Zhang, place = "depot", start = DateTimeOffset.UtcNow.AddHours(-3), end = DateTimeOffset.UtcNow.AddMinutes(-40),
        }));
        var activity = (await created.Content.ReadFromJsonAsync<Functions.Activities.Activity>(Functions.AvCloudJson.Options, Cancel))!;
        // The recorder's clock is four minutes behind the dock's.
        var folder = station.Device(clockOffSeconds: 240);
        var linked = SyntheticWav.Create(1871, 8000);
        var plain = SyntheticWav.Create(1872, 8000);
        Station.Put(folder, "linked.wav", linked, "audio", minutesAgo: 60, activityId: activity.Id);
        Station.Put(folder, "plain.wav", plain, "audio", minutesAgo: 90);

        var report = await PushAsync(station);

        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        Assert.Equal(2, report.FilesVerified);
        using var output = new StringWriter();
        Assert.Equal(0, await Cli.RunAsync(["status", "--settings", station.SettingsPath, "--json"], output, TextWriter.Null));
        var dueBy = JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray()
            .ToDictionary(r => r.GetProperty("file").GetString()!.Split('/')[1], r => r.GetProperty("dueBy").GetDateTimeOffset());
        var plainRecord = await FootageAsync(station, plain);
        var linkedRecord = await FootageAsync(station, linked);
        Assert.Equal(plainRecord.HandoverDeadline, dueBy["plain.wav"]);
        Assert.Equal(linkedRecord.HandoverDeadline, dueBy["linked.wav"]);
        // And both are what Art. 13 says: the corrected end, or the activity's end; plus 24 hours.
        Assert.Equal(plainRecord.RecordedEnd.AddSeconds(240).AddHours(24), dueBy["plain.wav"]);
        Assert.Equal(activity.End.AddHours(24), dueBy["linked.wav"]);
    }

    [Fact]
    public async Task Status_runs_the_24_hours_of_an_activity_away_from_the_unit_from_the_officers_return()
    {
        var station = await StationAsync();
        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", station.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var now = DateTimeOffset.UtcNow;
        using var created = await fixture.SendAsync(HttpMethod.Post, "/api/activities", officer, JsonContent.Create(new
        {
            kind = "investigation", officers = Zhang, place = "river", start = now.AddHours(-4), end = now.AddHours(-3), away = true,
        }));
        var activity = (await created.Content.ReadFromJsonAsync<Functions.Activities.Activity>(Functions.AvCloudJson.Options, Cancel))!;
        using (var returned = await fixture.SendAsync(HttpMethod.Put, $"/api/activities/{activity.Id}/return", officer, JsonContent.Create(new { returnedAt = now.AddMinutes(-30) })))
        {
            Assert.True(returned.IsSuccessStatusCode, await returned.Content.ReadAsStringAsync(Cancel));
        }

        var folder = station.Device(clockOffSeconds: 0);
        var content = SyntheticWav.Create(1873, 8000);
        Station.Put(folder, "river.wav", content, "audio", minutesAgo: 210, activityId: activity.Id);

        var report = await PushAsync(station);

        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        using var output = new StringWriter();
        Assert.Equal(0, await Cli.RunAsync(["status", "--settings", station.SettingsPath, "--json"], output, TextWriter.Null));
        var dueBy = JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray().Single().GetProperty("dueBy").GetDateTimeOffset();
        Assert.Equal(now.AddMinutes(-30).AddHours(24), dueBy);
        Assert.Equal((await FootageAsync(station, content)).HandoverDeadline, dueBy);
    }
}
