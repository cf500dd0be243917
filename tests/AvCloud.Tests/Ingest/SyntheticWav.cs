namespace AvCloud.Tests.Ingest;

/// <summary>
/// Small valid WAV files (8 kHz, mono, 8-bit PCM) whose content differs by seed: distinct footage for tests and
/// benchmarks that need many files. Compiled into both projects.
/// </summary>
internal static class SyntheticWav
{
    public static byte[] Create(int seed, int samples)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + samples);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(8000);
        writer.Write(8000);
        writer.Write((short)1);
        writer.Write((short)8);
        writer.Write("data"u8);
        writer.Write(samples);
        var random = new Random(seed);
        for (var i = 0; i < samples; i++)
        {
            writer.Write((byte)random.Next(256));
        }

        writer.Flush();
        return stream.ToArray();
    }
}
