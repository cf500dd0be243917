using System.Diagnostics;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Local.Emulators;
using Microsoft.Extensions.Logging.Abstractions;

namespace AvCloud.Benchmarks;

/// <summary>
/// Upload and download throughput of a 256 MiB blob straight to Azurite and through the WORM gateway, with the
/// settings AvCloud uses locally (8 MiB blocks, 4 at a time, MD5 per block). Both run in one process of this
/// benchmark, alternating round by round, each downloading a blob of the same bytes.
/// </summary>
internal static class StorageGatewayScenario
{
    private const long Size = 256L * 1024 * 1024;

    public sealed record Result(string Path, double UploadMiBps, double DownloadMiBps);

    private static readonly StorageTransferOptions Transfer = new()
    {
        InitialTransferSize = 8 * 1024 * 1024, MaximumTransferSize = 8 * 1024 * 1024, MaximumConcurrency = 4,
    };

    public static async Task<IReadOnlyList<Result>> RunAsync(int rounds)
    {
        // Two Azurites from the same pinned package, both in memory: one as shipped, one with the gateway wrapped
        // around its request handler, exactly as the local cloud runs it.
        var local = Emulator.FindLocalDirectory();
        var plainPort = Emulator.PickPort(0);
        var gatewayPort = Emulator.PickPort(0);
        await using var plain = NodeProcess.Start("azurite", local, "azurite.js", [.. LocalEmulators.AzuriteArguments(plainPort, null, null), "--no-gateway"],
            NullLogger.Instance);
        await using var gateway = NodeProcess.Start("azurite+gateway", local, "azurite.js", LocalEmulators.AzuriteArguments(gatewayPort, null, null), NullLogger.Instance);
        var paths = new (string Name, BlobContainerClient Container)[]
        {
            ("straight to Azurite", await ContainerAsync(plain, plainPort)),
            ("through the WORM gateway", await ContainerAsync(gateway, gatewayPort)),
        };
        var data = new byte[Size];
        new Random(11).NextBytes(data);
        var uploads = paths.ToDictionary(p => p.Name, _ => new List<double>());
        var downloads = paths.ToDictionary(p => p.Name, _ => new List<double>());

        // Round 0 warms both paths up and is not counted.
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, container) in round % 2 == 0 ? paths : paths.Reverse())
            {
                var blob = container.GetBlobClient($"upload-{round}.bin");
                var clock = Stopwatch.StartNew();
                await blob.UploadAsync(new MemoryStream(data, writable: false), new BlobUploadOptions
                {
                    TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                    TransferOptions = Transfer,
                });
                var elapsed = clock.Elapsed.TotalSeconds;
                await blob.DeleteAsync();
                if (round > 0)
                {
                    uploads[name].Add(Size / 1048576.0 / elapsed);
                }
            }
        }

        foreach (var (_, container) in paths)
        {
            await container.GetBlobClient("download.bin").UploadAsync(new MemoryStream(data, writable: false), new BlobUploadOptions { TransferOptions = Transfer });
        }

        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, container) in round % 2 == 0 ? paths : paths.Reverse())
            {
                var clock = Stopwatch.StartNew();
                await container.GetBlobClient("download.bin").DownloadToAsync(Stream.Null, new BlobDownloadToOptions { TransferOptions = Transfer });
                if (round > 0)
                {
                    downloads[name].Add(Size / 1048576.0 / clock.Elapsed.TotalSeconds);
                }
            }
        }

        return [.. paths.Select(p => new Result(p.Name, Median(uploads[p.Name]), Median(downloads[p.Name])))];
    }

    private static async Task<BlobContainerClient> ContainerAsync(NodeProcess process, int port)
    {
        var endpoint = new Uri($"http://127.0.0.1:{port}/{Emulator.AzuriteAccount}");
        await Emulator.WaitUntilAnsweringAsync(process, "Azurite", new Uri($"{endpoint}?comp=list"), needsSuccess: false, CancellationToken.None);
        var container = new BlobServiceClient(
            $"DefaultEndpointsProtocol=http;AccountName={Emulator.AzuriteAccount};AccountKey={Emulator.AzuriteKey};BlobEndpoint={endpoint};")
            .GetBlobContainerClient("bench");
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
