using System.Security.Cryptography;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AvCloud.Tests.Worm;

public sealed class LargeBlobTests(LocalCloudFixture fixture)
{
    private const long Size = 256L * 1024 * 1024;

    [Fact]
    public async Task A_256_MiB_upload_through_the_gateway_downloads_with_the_same_SHA_256()
    {
        var container = new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient($"large-{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: TestContext.Current.CancellationToken);
        var blob = container.GetBlobClient("body-worn-camera.mp4");

        using var source = new PseudoRandomStream(Size, seed: 7);
        await blob.UploadAsync(source, new BlobUploadOptions
        {
            // Azurite corrupts data under CRC64 validation; MD5 per block is what runs locally.
            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
            TransferOptions = new StorageTransferOptions { MaximumTransferSize = 8 * 1024 * 1024, MaximumConcurrency = 4 },
        }, TestContext.Current.CancellationToken);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var download = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 8 * 1024 * 1024 },
            TestContext.Current.CancellationToken))
        {
            var buffer = new byte[1024 * 1024];
            int read;
            long total = 0;
            while ((read = await download.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }

            Assert.Equal(Size, total);
        }

        Assert.Equal(Convert.ToHexString(source.Sha256()), Convert.ToHexString(hash.GetHashAndReset()));
        await container.DeleteAsync(cancellationToken: TestContext.Current.CancellationToken);
    }
}

/// <summary>A readable stream of deterministic pseudo-random bytes that hashes what it hands out.</summary>
internal sealed class PseudoRandomStream(long length, int seed) : Stream
{
    private readonly Random _random = new(seed);
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;

    public byte[] Sha256() => _hash.GetCurrentHash();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _position);
        var span = buffer.AsSpan(offset, n);
        _random.NextBytes(span);
        _hash.AppendData(span);
        _position += n;
        return n;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
