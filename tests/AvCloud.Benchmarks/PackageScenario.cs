using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using AvCloud.Local;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Benchmarks;

/// <summary>
/// Evidence packages: the throughput of <c>GET /api/access-requests/{id}/package</c> for 256 MiB and 1 GiB of footage
/// (64 MiB recordings) against plain downloads of the same blobs from storage in the same run, and the process's
/// memory while a package streams (working set and managed heap above what they were before), which must not grow
/// with the package. The recordings are written straight into <c>footage</c> with their catalogue records, as the
/// cataloguer leaves them, so the run measures packaging and not ingest.
/// </summary>
internal static class PackageScenario
{
    /// <summary>
    /// Throughput and memory, and CPU seconds per GiB (medians): this process while it reads the plain downloads, while it
    /// serves and reads the package (the function and the reading client share the process), and one in-memory SHA-256 pass.
    /// </summary>
    public sealed record Result(long Bytes, int Files, double PlainMiBps, double PackageMiBps, double PeakWorkingSetMiB, double PeakHeapMiB,
        double PlainCpuPerGiB, double PackageCpuPerGiB, double HashCpuPerGiB)
    {
        /// <summary>The SHA-256 passes a package must make over every byte: against the catalogue hash, and the package's own hash.</summary>
        public const int HashPasses = 2;

        /// <summary>Package CPU over (plain download CPU + the hash passes it must make).</summary>
        public double CpuRatio => PackageCpuPerGiB / (PlainCpuPerGiB + (HashPasses * HashCpuPerGiB));
    }

    private const double Gib = 1024.0 * 1024 * 1024;

    private const int RecordingBytes = 64 * 1024 * 1024;

    public static async Task<IReadOnlyList<Result>> RunAsync(int rounds)
    {
        await using var cloud = await LocalCloud.StartAsync(IngestScenario.Options(TimeSpan.FromHours(1)));
        using var http = new HttpClient { BaseAddress = cloud.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var container = new BlobServiceClient(cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage);
        var catalogue = cloud.Services.GetRequiredService<Database>().GetContainer("footage");
        var results = new List<Result>();
        foreach (var files in new[] { 4, 16 })
        {
            var unit = $"unit-package-{files}";
            var records = await SeedAsync(container, catalogue, unit, files);
            var requestId = await ApprovedCopyAsync(cloud, http, unit, records);
            var reviewer = cloud.Issuer.Mint("reviewer-1", unit, [Roles.Reviewer], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);

            var plain = new List<double>();
            var packaged = new List<double>();
            var plainCpu = new List<double>();
            var packageCpu = new List<double>();
            var hashCpu = new List<double>();
            double peakWorkingSet = 0, peakHeap = 0;
            for (var round = 0; round < rounds; round++)
            {
                var cpu = IngestScenario.CpuSeconds();
                var clock = Stopwatch.StartNew();
                foreach (var record in records)
                {
                    using var download = (await container.GetBlobClient(record.BlobName).DownloadStreamingAsync()).Value;
                    await download.Content.CopyToAsync(Stream.Null);
                }

                plain.Add((double)files * RecordingBytes / (1024 * 1024) / clock.Elapsed.TotalSeconds);
                plainCpu.Add((IngestScenario.CpuSeconds() - cpu) * Gib / ((double)files * RecordingBytes));

                cpu = IngestScenario.CpuSeconds();
                var (seconds, workingSet, heap) = await PackageAsync(http, requestId, reviewer, (long)files * RecordingBytes);
                packageCpu.Add((IngestScenario.CpuSeconds() - cpu) * Gib / ((double)files * RecordingBytes));
                hashCpu.Add(HashCpuPerGiB());
                packaged.Add((double)files * RecordingBytes / (1024 * 1024) / seconds);
                peakWorkingSet = Math.Max(peakWorkingSet, workingSet);
                peakHeap = Math.Max(peakHeap, heap);
            }

            results.Add(new Result((long)files * RecordingBytes, files, Median(plain), Median(packaged), peakWorkingSet, peakHeap,
                Median(plainCpu), Median(packageCpu), Median(hashCpu)));
        }

        return results;
    }

    /// <summary>Seconds to read the whole package, and the most working set and managed heap above the start, in MiB, while it streamed.</summary>
    private static async Task<(double Seconds, double WorkingSetMiB, double HeapMiB)> PackageAsync(HttpClient http, string requestId, string token, long atLeast)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var baseWorkingSet = process.WorkingSet64;
        var baseHeap = GC.GetTotalMemory(forceFullCollection: false);
        long peakWorkingSet = baseWorkingSet, peakHeap = baseHeap;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(20);
            }
        });

        var clock = Stopwatch.StartNew();
        using var message = new HttpRequestMessage(HttpMethod.Get, $"/api/access-requests/{requestId}/package");
        message.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1024 * 1024];
        long length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            length += read;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await done.CancelAsync();
        await sampler;
        if (length < atLeast)
        {
            throw new InvalidOperationException($"The package was {length} bytes, less than its {atLeast} bytes of footage.");
        }

        return (seconds, (peakWorkingSet - baseWorkingSet) / 1048576.0, (peakHeap - baseHeap) / 1048576.0);
    }

    private static async Task<IReadOnlyList<FootageRecord>> SeedAsync(BlobContainerClient container, Container catalogue, string unit, int files)
    {
        var content = new byte[RecordingBytes];
        RandomNumberGenerator.Fill(content);
        var records = new List<FootageRecord>();
        var recorded = DateTimeOffset.UtcNow.AddHours(-3);
        for (var i = 0; i < files; i++)
        {
            BitConverter.TryWriteBytes(content, i);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
            var record = new FootageRecord
            {
                Id = sha256, UnitId = unit, Sha256 = sha256, Size = content.Length, Kind = MediaKind.Video,
                BlobName = $"{unit}/{recorded:yyyy}/{recorded:MM}/{sha256}.mp4", DeviceId = "bwc-bench", OfficerId = "officer-bench", DockId = "dock-bench",
                RecordedStart = recorded.AddMinutes(i), RecordedEnd = recorded.AddMinutes(i + 1), ClockDriftSeconds = 0,
                CorrectedStart = recorded.AddMinutes(i), CorrectedEnd = recorded.AddMinutes(i + 1), DockedAt = recorded.AddHours(1),
                CataloguedAt = recorded.AddHours(1), HandoverDeadline = recorded.AddHours(25), HandedOverInTime = true, DockedToCataloguedSeconds = 1,
                RetentionUntil = recorded.AddMonths(24),
                Uploads = [new FootageUpload("session-bench", $"clip{i}.mp4", "dock-bench", "bwc-bench", "officer-bench", recorded.AddHours(1), recorded.AddHours(1))],
            };
            await container.GetBlobClient(record.BlobName).UploadAsync(new BinaryData(content), overwrite: true);
            await catalogue.UpsertItemAsync(record, new PartitionKey(unit));
            records.Add(record);
        }

        return records;
    }

    private static async Task<string> ApprovedCopyAsync(LocalCloud cloud, HttpClient http, string unit, IReadOnlyList<FootageRecord> records)
    {
        var reviewer = cloud.Issuer.Mint("reviewer-1", unit, [Roles.Reviewer], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        var head = cloud.Issuer.Mint("head-1", unit, [Roles.Head], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        using var asked = await SendAsync(http, HttpMethod.Post, "/api/access-requests", reviewer, new
        {
            footageIds = records.Select(r => r.Id).ToArray(), purpose = "benchmark", caseName = "benchmark", caseNumber = "B-1", mode = "copy", duration = "PT8H",
        });
        asked.EnsureSuccessStatusCode();
        var request = (await asked.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options))!;
        using var approved = await SendAsync(http, HttpMethod.Post, $"/api/access-requests/{request.Id}/approve", head, new { });
        approved.EnsureSuccessStatusCode();
        return request.Id;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object body)
    {
        using var message = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        message.Headers.Authorization = new("Bearer", token);
        return await http.SendAsync(message);
    }

    /// <summary>CPU seconds per GiB of one SHA-256 pass over 64 MiB in memory, as the package's hashing runs (incremental, 1 MiB at a time).</summary>
    private static double HashCpuPerGiB()
    {
        var buffer = new byte[RecordingBytes];
        RandomNumberGenerator.Fill(buffer);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var cpu = IngestScenario.CpuSeconds();
        for (var offset = 0; offset < buffer.Length; offset += 1024 * 1024)
        {
            hash.AppendData(buffer, offset, 1024 * 1024);
        }

        hash.GetHashAndReset();
        return (IngestScenario.CpuSeconds() - cpu) * Gib / RecordingBytes;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
