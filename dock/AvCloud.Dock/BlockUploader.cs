using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AvCloud.DockSync;

/// <summary>
/// Uploads one file to its create-only upload URL as a block blob: fixed-size blocks with deterministic ids, each sent
/// with its MD5 so storage rejects a block damaged on the way, several at a time, then the block list is committed.
/// Blocks storage already holds (asked through AvCloud) are not sent again, so after a crash or a cut only the blocks
/// that were in flight go again. Memory is the blocks in flight, whatever the file's size.
/// </summary>
public sealed class BlockUploader(DockSettings settings, AvCloudApi api, Throttle throttle, Progress progress, HttpMessageHandler? handler = null)
{
    /// <summary>Blocks actually sent in this run (resumed ones are not counted).</summary>
    public int BlocksSent => _blocksSent;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    private int _blocksSent;
    private long _bytesSent;

    public static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"avdock-block-{index:D6}"));

    public async Task UploadAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        var blob = new BlockBlobClient(entry.UploadUrl!, ClientOptions(handler));
        var blockSize = settings.BlockSizeBytes;
        var count = (int)((entry.Size + blockSize - 1) / blockSize);
        var staged = await api.BlocksAsync(entry.SessionId!, entry.Name, cancellationToken);
        if (staged.Committed)
        {
            return;
        }

        var have = staged.Uncommitted.ToDictionary(b => b.Name, b => b.Size);
        var missing = Enumerable.Range(0, count).Where(i => !have.TryGetValue(BlockId(i), out var size) || size != Length(i)).ToList();
        progress.Started(entry.Key, entry.Size, (count - missing.Count) * (long)blockSize);

        await using var file = new FileStream(entry.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.RandomAccess);
        if (file.Length != entry.Size)
        {
            throw new DockException($"{entry.Key}: the file changed size since it was hashed; it will be hashed again on the next run.");
        }

        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = settings.ParallelBlocks, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var length = (int)Length(index);
                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    var read = 0;
                    while (read < length)
                    {
                        var n = await RandomAccess.ReadAsync(file.SafeFileHandle, buffer.AsMemory(read, length - read), ((long)index * blockSize) + read, token);
                        read += n > 0 ? n : throw new DockException($"{entry.Key}: the file ended early; it will be hashed again on the next run.");
                    }

                    await throttle.WaitAsync(length, token);
#pragma warning disable CA5351 // Storage's transfer check is MD5 by definition: it catches damage on the way, the SHA-256 proves the content.
                    var md5 = MD5.HashData(buffer.AsSpan(0, length));
#pragma warning restore CA5351
                    using var content = new MemoryStream(buffer, 0, length, writable: false);
                    await blob.StageBlockAsync(BlockId(index), content, new BlockBlobStageBlockOptions
                    {
                        TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5, PrecalculatedChecksum = md5 },
                    }, token);
                    Interlocked.Increment(ref _blocksSent);
                    Interlocked.Add(ref _bytesSent, length);
                    progress.Advanced(entry.Key, length);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            });

        await blob.CommitBlockListAsync(Enumerable.Range(0, count).Select(BlockId), cancellationToken: cancellationToken);
        progress.Finished(entry.Key);

        long Length(int index) => Math.Min(blockSize, entry.Size - ((long)index * blockSize));
    }

    /// <summary>Storage calls retry transient failures (timeouts, 5xx, lost connections) with exponential backoff and jitter.</summary>
    public static BlobClientOptions ClientOptions(HttpMessageHandler? handler)
    {
        var options = new BlobClientOptions
        {
            Retry = { Mode = RetryMode.Exponential, MaxRetries = 8, Delay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(30), NetworkTimeout = TimeSpan.FromSeconds(100) },
        };
        if (handler is not null)
        {
            options.Transport = new HttpClientTransport(new HttpClient(handler, disposeHandler: false));
        }

        return options;
    }
}

/// <summary>
/// A bandwidth cap (<c>--max-mbps</c>) shared by all uploads: each block books the next free slot on one timeline that
/// advances at the cap, and waits for its slot, so the blocks of all files together never exceed it.
/// </summary>
public sealed class Throttle(double? megabitsPerSecond, TimeProvider? time = null)
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly double _bytesPerSecond = (megabitsPerSecond ?? 0) * 1_000_000 / 8;
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public async Task WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        if (_bytesPerSecond <= 0)
        {
            return;
        }

        TimeSpan wait;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var start = _next > now ? _next : now;
            _next = start + TimeSpan.FromSeconds(bytes / _bytesPerSecond);
            wait = start - now;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }
    }
}
