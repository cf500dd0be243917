using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Functions;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using AvCloud.Local;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

using AvCloud.Tests.Ingest;

namespace AvCloud.Benchmarks;

/// <summary>
/// Ingest: (1) upload-complete to catalogued latency over many small files, with BlobCreated delivered by the local
/// host's watcher or pushed to the webhook at once (as Event Grid does); (2) verification throughput (SHA-256 while
/// streaming) against a plain download of the same blob, and the memory it allocates for two blob sizes.
/// </summary>
internal static class IngestScenario
{
    public sealed record Latency(string Delivery, int Files, double P50Ms, double P99Ms);

    /// <summary>Throughput, allocation, and this process's CPU seconds per GiB (medians): plain download, verification, SHA-256 of the same bytes in memory.</summary>
    public sealed record Verification(string Placement, long Bytes, double PlainMiBps, double VerifyMiBps, long VerifyAllocatedBytes,
        double PlainCpuPerGiB, double VerifyCpuPerGiB, double HashCpuPerGiB)
    {
        /// <summary>Client CPU verifying over client CPU of a plain download plus an in-memory SHA-256 of the same bytes (target ≤ 1.15).</summary>
        public double CpuRatio => VerifyCpuPerGiB / (PlainCpuPerGiB + HashCpuPerGiB);
    }

    internal static LocalCloudOptions Options(TimeSpan watchInterval) => new()
    {
        Port = 0, AzuritePort = 0, CosmosPort = 0, RunTimerSchedules = false, BlobWatchInterval = watchInterval,
        MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
    };

    public static async Task<IReadOnlyList<Latency>> LatencyAsync(int files)
    {
        var results = new List<Latency>();
        foreach (var (name, interval, push) in new[] { ("local watcher (250 ms scans)", TimeSpan.FromMilliseconds(250), false), ("Event Grid webhook push", TimeSpan.FromHours(1), true) })
        {
            await using var cloud = await LocalCloud.StartAsync(Options(interval));
            using var http = new HttpClient { BaseAddress = cloud.BaseAddress };
            var unit = "unit-bench";
            var contents = Enumerable.Range(0, files).Select(i => Wav(i)).ToList();
            var completed = new Dictionary<string, DateTimeOffset>();
            await DockAsync(cloud, http, unit, contents, (content, target) =>
            {
                completed[Convert.ToHexStringLower(SHA256.HashData(content))] = DateTimeOffset.UtcNow;
                if (push)
                {
                    _ = PushAsync(http, target.Uri, cloud.Keys.BlobsExtensionKey);
                }
            });

            var footage = cloud.Services.GetRequiredService<Database>().GetContainer("footage");
            var latencies = new List<double>();
            var deadline = DateTimeOffset.UtcNow.AddMinutes(5);
            while (latencies.Count < files && DateTimeOffset.UtcNow < deadline)
            {
                latencies.Clear();
                using var feed = footage.GetItemQueryIterator<FootageRecord>(new QueryDefinition("SELECT * FROM c"),
                    requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(unit) });
                while (feed.HasMoreResults)
                {
                    foreach (var record in await feed.ReadNextAsync())
                    {
                        latencies.Add((record.CataloguedAt - completed[record.Id]).TotalMilliseconds);
                    }
                }

                await Task.Delay(200);
            }

            latencies.Sort();
            results.Add(new Latency(name, latencies.Count, latencies[latencies.Count / 2], latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1]));
        }

        return results;
    }

    /// <summary>What a dock does: opens a session for <paramref name="contents"/> and uploads each through its SAS URL.</summary>
    public static async Task DockAsync(LocalCloud cloud, HttpClient http, string unit, IReadOnlyList<byte[]> contents, Action<byte[], BlobClient>? uploaded = null)
    {
        // The dock is who its token says: the manifest names the token's subject.
        var token = cloud.Issuer.Mint("dock-1", unit, [Roles.Dock], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        await RegisterDeviceAsync(cloud, http, unit);

        var dockedAt = DateTimeOffset.UtcNow;
        var manifest = new
        {
            dockId = "dock-1", deviceId = "bwc-1", officerId = "officer-1", dockedAt, deviceClockAtDocking = dockedAt,
            files = contents.Select((c, i) => new
            {
                name = $"f{i}.wav", kind = "audio", size = c.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(c)),
                recordedStart = dockedAt.AddMinutes(-10), recordedEnd = dockedAt.AddMinutes(-9),
            }).ToArray(),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/uploads") { Content = JsonContent.Create(manifest) };
        request.Headers.Authorization = new("Bearer", token);
        using var opened = await http.SendAsync(request);
        var session = (await opened.Content.ReadFromJsonAsync<UploadSessionOpened>(AvCloudJson.Options))!;
        for (var i = 0; i < contents.Count; i++)
        {
            var target = new BlobClient(session.Files[i].UploadUrl);
            await target.UploadAsync(new BinaryData(contents[i]));
            uploaded?.Invoke(contents[i], target);
        }
    }

    /// <summary>Registers the benchmark's recorder (bwc-1) in <paramref name="unit"/>, as its keeper does before the first docking.</summary>
    public static async Task RegisterDeviceAsync(LocalCloud cloud, HttpClient http, string unit)
    {
        using var register = new HttpRequestMessage(HttpMethod.Post, "/api/devices")
        {
            Content = JsonContent.Create(new { id = "bwc-1", kind = "bodyWornCamera", serial = "SN-1", model = "bench" }),
        };
        register.Headers.Authorization = new("Bearer", cloud.Issuer.Mint("keeper-bench", unit, [Roles.Keeper], TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        using var registered = await http.SendAsync(register);
    }

    private static async Task PushAsync(HttpClient http, Uri blob, string webhookKey)
    {
        var created = new Azure.Messaging.EventGrid.EventGridEvent("/blobServices/default/containers/ingest/blobs/x", "Microsoft.Storage.BlobCreated", "1",
            new { api = "PutBlob", url = blob.GetLeftPart(UriPartial.Path), blobType = "BlockBlob" });
        using var content = new StringContent(BinaryData.FromObjectAsJson(new[] { created }).ToString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/runtime/webhooks/blobs?functionName=Host.Functions.CatalogueUpload&code={Uri.EscapeDataString(webhookKey)}", content);
    }

    /// <summary>
    /// Verification against a plain download of the same blob. With <paramref name="storageOnItsOwnCore"/>, Azurite's
    /// Node process is pinned to one core and this process to the other, as in Azure, where the storage service does not
    /// run on the function's cores; otherwise both share the machine's two cores.
    /// </summary>
    public static async Task<IReadOnlyList<Verification>> VerificationAsync(int rounds, bool storageOnItsOwnCore)
    {
        await using var cloud = await LocalCloud.StartAsync(Options(TimeSpan.FromHours(1)));
        if (storageOnItsOwnCore)
        {
            await PinAsync(cloud.ChildProcessIds[0], "1");
            await PinAsync(Environment.ProcessId, "0");
        }

        try
        {
            return await VerificationAsync(cloud, rounds, storageOnItsOwnCore ? "storage on its own core" : "shared cores");
        }
        finally
        {
            if (storageOnItsOwnCore)
            {
                await PinAsync(Environment.ProcessId, $"0-{Environment.ProcessorCount - 1}");
            }
        }
    }

    // Every thread of the process (taskset -a), so the runtime's and Node's worker threads move too.
    private static async Task PinAsync(int processId, string cores)
    {
        using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", cores, processId.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        })!;
        await taskset.StandardOutput.ReadToEndAsync();
        await taskset.WaitForExitAsync();
        if (taskset.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset could not pin process {processId} to cores {cores}.");
        }
    }

    private static async Task<IReadOnlyList<Verification>> VerificationAsync(LocalCloud cloud, int rounds, string placement)
    {
        var container = cloud.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobContainers.Quarantine);
        var results = new List<Verification>();
        foreach (var size in new[] { 256L * 1024 * 1024, 1024L * 1024 * 1024 })
        {
            var blob = container.GetBlobClient($"verify-{size}.bin");
            var data = new byte[size];
            new Random(3).NextBytes(data);
            var hashCpu = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var hashStart = CpuSeconds();
                SHA256.HashData(data);
                hashCpu.Add((CpuSeconds() - hashStart) * Gib / size);
            }

            await blob.UploadAsync(new MemoryStream(data, writable: false), new BlobUploadOptions
            {
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                TransferOptions = new StorageTransferOptions { MaximumTransferSize = 8 * 1024 * 1024, MaximumConcurrency = 4 },
            });
            data = null;
            GC.Collect();

            var plain = new List<double>();
            var verify = new List<double>();
            var plainCpu = new List<double>();
            var verifyCpu = new List<double>();
            long allocated = 0;
            for (var round = 0; round <= rounds; round++)
            {
                // Alternate which goes first, so neither gains from the other's warm caches.
                double plainSeconds = 0, verifySeconds = 0, plainCpuSeconds = 0, verifyCpuSeconds = 0;
                foreach (var verifying in round % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    var cpuBefore = CpuSeconds();
                    var clock = Stopwatch.StartNew();
                    await using (var stream = (await blob.DownloadStreamingAsync()).Value.Content)
                    {
                        if (verifying)
                        {
                            await StreamHasher.HashAsync(stream, CancellationToken.None);
                        }
                        else
                        {
                            var buffer = new byte[4 * 1024 * 1024];
                            while (await stream.ReadAsync(buffer) > 0)
                            {
                            }
                        }
                    }

                    if (verifying)
                    {
                        verifySeconds = clock.Elapsed.TotalSeconds;
                        verifyCpuSeconds = CpuSeconds() - cpuBefore;
                        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                    }
                    else
                    {
                        plainSeconds = clock.Elapsed.TotalSeconds;
                        plainCpuSeconds = CpuSeconds() - cpuBefore;
                    }
                }

                if (round > 0)
                {
                    plain.Add(size / 1048576.0 / plainSeconds);
                    verify.Add(size / 1048576.0 / verifySeconds);
                    plainCpu.Add(plainCpuSeconds * Gib / size);
                    verifyCpu.Add(verifyCpuSeconds * Gib / size);
                }
            }

            await blob.DeleteAsync();
            results.Add(new Verification(placement, size, Median(plain), Median(verify), allocated, Median(plainCpu), Median(verifyCpu), Median(hashCpu)));
        }

        return results;
    }

    private const double Gib = 1024.0 * 1024 * 1024;

    /// <summary>
    /// CPU seconds this process has spent (all its threads): the client's side of a download, which is what the function
    /// pays for in Azure; the storage emulator is another process and is not counted.
    /// </summary>
    internal static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    internal static byte[] Wav(int seed) => SyntheticWav.Create(seed, 4000);
}
