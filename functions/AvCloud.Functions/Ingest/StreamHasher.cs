using System.Security.Cryptography;

namespace AvCloud.Functions.Ingest;

/// <summary>
/// SHA-256 and length of a stream, read once from start to end: the next chunk downloads while the previous one is
/// hashed, so verifying runs at download speed, with two fixed buffers whatever the file's size.
/// </summary>
public static class StreamHasher
{
    private const int ChunkBytes = 1024 * 1024;

    public static async Task<(long Length, string Sha256)> HashAsync(Stream content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[][] buffers = [new byte[ChunkBytes], new byte[ChunkBytes]];
        var current = 0;
        long length = 0;
        var reading = FillAsync(content, buffers[current], cancellationToken);
        while (true)
        {
            var read = await reading;
            if (read == 0)
            {
                break;
            }

            var next = 1 - current;
            reading = FillAsync(content, buffers[next], cancellationToken);
            hash.AppendData(buffers[current], 0, read);
            length += read;
            current = next;
        }

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
