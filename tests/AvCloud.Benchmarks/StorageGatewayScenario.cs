using System.Diagnostics;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Local;

namespace AvCloud.Benchmarks;

/// <summary>
/// Upload and download throughput of a 256 MiB blob straight to Azurite and through the WORM gateway, with the
/// settings AvCloud uses locally (8 MiB blocks, 4 at a time, MD5 per block), runs interleaved in one local cloud.
/// </summary>
internal static class StorageGatewayScenario
{
    private const long Size = 256L * 1024 * 1024;

    public sealed record Result(string Path, double UploadMiBps, double DownloadMiBps);

    public static async Task<IReadOnlyList<Result>> RunAsync(int rounds)
    {
        await using var cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            Port = 0, AzuritePort = 0, CosmosPort = 0, RunTimerSchedules = false, MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
        });
        var paths = new (string Name, string ConnectionString)[]
        {
            ("straight to Azurite", cloud.AzuriteConnectionString),
            ("through the WORM gateway", cloud.StorageConnectionString),
        };
        var data = new byte[Size];
        new Random(11).NextBytes(data);
        var uploads = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var downloads = paths.ToDictionary(p => p.Name, _ => new List<double>());

        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, connectionString) in paths)
            {
                var container = new BlobServiceClient(connectionString).GetBlobContainerClient("bench");
                await container.CreateIfNotExistsAsync();
                var blob = container.GetBlobClient($"r{round}-{name.Length}.bin");

                var clock = Stopwatch.StartNew();
                await blob.UploadAsync(new MemoryStream(data, writable: false), new BlobUploadOptions
                {
                    TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                    TransferOptions = new StorageTransferOptions { MaximumTransferSize = 8 * 1024 * 1024, MaximumConcurrency = 4 },
                });
                var upload = Size / 1048576.0 / clock.Elapsed.TotalSeconds;

                clock.Restart();
                await blob.DownloadToAsync(Stream.Null, new BlobDownloadToOptions
                {
                    TransferOptions = new StorageTransferOptions { InitialTransferSize = 8 * 1024 * 1024, MaximumTransferSize = 8 * 1024 * 1024, MaximumConcurrency = 4 },
                });
                var download = Size / 1048576.0 / clock.Elapsed.TotalSeconds;
                await blob.DeleteAsync();

                // Round 0 warms up both paths and is not counted.
                if (round > 0)
                {
                    uploads[name].Add(upload);
                    downloads[name].Add(download);
                }
            }
        }

        return [.. paths.Select(p => new Result(p.Name, Median(uploads[p.Name]), Median(downloads[p.Name])))];
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
