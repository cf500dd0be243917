using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.DockSync;
using AvCloud.Functions.Identity;
using AvCloud.Local;

namespace AvCloud.Benchmarks;

/// <summary>
/// The dock sync client against the Azure SDK's own parallel upload: the same four files, to the same local storage, in
/// the same run, rounds alternating which goes first. The dock's time includes hashing every file and opening the
/// session; its peak memory is read from the kernel (VmHWM) while it runs as its own process.
/// </summary>
internal static class DockScenario
{
    public sealed record Result(int Files, long FileBytes, int BlockBytes, int ParallelBlocks, int ParallelFiles, double SdkMiBps, double DockMiBps, long DockPeakBytes);

    public static async Task<Result> RunAsync(int files, long fileBytes, int rounds)
    {
        // No cataloguing during the measurement: the watcher waits an hour, so both uploads compete with nothing.
        await using var cloud = await LocalCloud.StartAsync(IngestScenario.Options(TimeSpan.FromHours(1)));
        using var http = new HttpClient { BaseAddress = cloud.BaseAddress };
        const string unit = "unit-dock";
        var work = Directory.CreateTempSubdirectory("avdock-bench-").FullName;
        try
        {
            await IngestScenario.RegisterDeviceAsync(cloud, http, unit);

            var recorders = Path.Combine(work, "recorders");
            var folder = Directory.CreateDirectory(Path.Combine(recorders, "bwc-1")).FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, Recorder.DeviceFile),
                JsonSerializer.Serialize(new DeviceInfo("bwc-1", "officer-1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), DockSettings.Json));
            var paths = new List<string>();
            var buffer = new byte[4 * 1024 * 1024];
            for (var i = 0; i < files; i++)
            {
                var path = Path.Combine(folder, $"long-{i}.mp4");
                await using (var stream = File.Create(path))
                {
                    var random = new Random(i);
                    for (long written = 0; written < fileBytes; written += buffer.Length)
                    {
                        random.NextBytes(buffer);
                        await stream.WriteAsync(buffer);
                    }
                }

                var end = DateTimeOffset.UtcNow.AddHours(-1);
                await File.WriteAllTextAsync(path + Recorder.MetaSuffix, JsonSerializer.Serialize(new RecordingInfo("video", end.AddMinutes(-30), end, null, false, null), DockSettings.Json));
                paths.Add(path);
            }

            var tokenFile = Path.Combine(work, "token");
            await File.WriteAllTextAsync(tokenFile, cloud.Issuer.Mint("dock-1", unit, [Roles.Dock], TimeSpan.FromHours(2), DateTimeOffset.UtcNow));
            var settings = new DockSettings
            {
                Api = new Uri(cloud.BaseAddress, "api/"), DockId = "dock-1", Journal = Path.Combine(work, "journal.json"), Auth = new DockAuth { TokenFile = tokenFile },
                StableSeconds = 0.1, VerifySeconds = 0,
            };

            var container = new BlobServiceClient(cloud.StorageConnectionString).GetBlobContainerClient("bench-sdk");
            await container.CreateIfNotExistsAsync();
            var sdk = new List<double>();
            var dock = new List<double>();
            long peak = 0;
            for (var round = 0; round < rounds; round++)
            {
                foreach (var useDock in round % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    if (useDock)
                    {
                        var (seconds, bytes) = await DockRoundAsync(recorders, work, settings with { Journal = Path.Combine(work, $"journal-{round}.json") }, round);
                        dock.Add(seconds);
                        peak = Math.Max(peak, bytes);
                    }
                    else
                    {
                        var clock = Stopwatch.StartNew();
                        await Task.WhenAll(paths.Select(p => container.GetBlobClient($"{round}/{Path.GetFileName(p)}").UploadAsync(p, new BlobUploadOptions
                        {
                            TransferOptions = new Azure.Storage.StorageTransferOptions
                            {
                                MaximumConcurrency = settings.ParallelBlocks, MaximumTransferSize = settings.BlockSizeBytes, InitialTransferSize = settings.BlockSizeBytes,
                            },
                        })));
                        sdk.Add(clock.Elapsed.TotalSeconds);
                    }
                }
            }

            var total = files * fileBytes / 1048576.0;
            return new Result(files, fileBytes, settings.BlockSizeBytes, settings.ParallelBlocks, settings.ParallelFiles, total / Median(sdk), total / Median(dock), peak);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>One pass of the real program; its wall time and the peak resident memory the kernel recorded for it.</summary>
    private static async Task<(double Seconds, long PeakBytes)> DockRoundAsync(string recorders, string work, DockSettings settings, int round)
    {
        var settingsPath = Path.Combine(work, $"avdock-{round}.json");
        await File.WriteAllTextAsync(settingsPath, JsonSerializer.Serialize(settings, DockSettings.Json));
        var avdock = Path.Combine(AppContext.BaseDirectory, "avdock.dll");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", avdock, "push", recorders, "--settings", settingsPath, "--json"])
        {
            RedirectStandardOutput = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakResident(process.Id));
            await Task.Delay(50);
        }

        await process.WaitForExitAsync();
        var report = JsonSerializer.Deserialize<PushReport>(await output, DockSettings.Json)!;
        if (report.FilesUploaded == 0 || report.Problems.Count > 0)
        {
            throw new InvalidOperationException($"The dock round failed: {string.Join("; ", report.Problems)}");
        }

        return (clock.Elapsed.TotalSeconds, peak);
    }

    private static long PeakResident(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
