using System.Security.Cryptography;
using System.Threading.Channels;

namespace AvCloud.Functions.Ingest;

/// <summary>
/// SHA-256 and length of a stream, read once from start to end. Reading and hashing run side by side on a small ring
/// of fixed buffers (the download never waits for the hash unless the ring is full), so verifying runs close to
/// download speed and uses the same memory whatever the file's size.
/// </summary>
public static class StreamHasher
{
    private const int ChunkBytes = 1024 * 1024;
    private const int Buffers = 4;

    public static async Task<(long Length, string Sha256)> HashAsync(Stream content, CancellationToken cancellationToken)
    {
        var empty = Channel.CreateBounded<byte[]>(Buffers);
        var full = Channel.CreateBounded<(byte[] Buffer, int Count)>(Buffers);
        for (var i = 0; i < Buffers; i++)
        {
            empty.Writer.TryWrite(new byte[ChunkBytes]);
        }

        var reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var buffer = await empty.Reader.ReadAsync(cancellationToken);
                    var filled = await FillAsync(content, buffer, cancellationToken);
                    if (filled == 0)
                    {
                        break;
                    }

                    await full.Writer.WriteAsync((buffer, filled), cancellationToken);
                }

                full.Writer.Complete();
            }
            catch (Exception exception)
            {
                full.Writer.Complete(exception);
            }
        }, cancellationToken);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await foreach (var (buffer, count) in full.Reader.ReadAllAsync(cancellationToken))
        {
            hash.AppendData(buffer, 0, count);
            length += count;
            empty.Writer.TryWrite(buffer);
        }

        await reading;
        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }
}
