using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Storage;
using AvCloud.Packages;
using Azure.Storage.Blobs;

namespace AvCloud.Functions.Packages;

/// <summary>
/// What goes into one evidence package: the unit's recordings, for whom (a requester, a share's recipient) and on what
/// authority (<see cref="Reference"/>, the audit target of the request or share), the purpose and case it was given
/// for, and the language of its custody report.
/// </summary>
public sealed record PackageOrder(
    string UnitId,
    string For,
    string Reference,
    string Purpose,
    string? CaseName,
    string? CaseNumber,
    IReadOnlyList<FootageRecord> Footage,
    string Language = CustodyReport.Chinese);

/// <summary>A package as it was sent: its id, its own SHA-256 and length (as the caller received them), and how many recordings it holds.</summary>
public sealed record PackageSent(string PackageId, string Sha256, long Size, int Files);

/// <summary>
/// Evidence packages (what "copy" means): one zip, streamed to the caller as it is made, never held in memory or on
/// disk, with <c>manifest.json</c> (each recording's facts, SHA-256 and size, and the custody documents' hashes),
/// <c>manifest.sig</c> (ES256 over the manifest's bytes, by the app's signing key), <c>custody.json</c> (every audit
/// event about each recording, with the hashes that chain them, and the chain's verification), <c>custody.pdf</c> and
/// the recordings under <c>files/</c>, stored as they are (media does not compress). The manifest comes first, so a
/// reader knows what to expect before the bytes arrive. Each recording is hashed again as it is sent and the package
/// is cut short if storage returns other bytes, so a package's files always match its signed manifest.
/// Art. 14: a package never holds state-secret footage.
/// </summary>
public sealed class EvidencePackages(BlobServiceClient blobs, CustodyRecords custody, Activities.ActivityStore activities, ManifestSigner signer, TimeProvider time)
{
    private const int BufferSize = 1024 * 1024;

    /// <summary>Art. 14: why <paramref name="footage"/> cannot be packaged, or null when it can.</summary>
    public static Refusal? Refuses(IReadOnlyList<FootageRecord> footage) =>
        AccessRules.NeverAllowed(footage.Select(f => f.Classification), AccessMode.Copy)
        ?? (footage.FirstOrDefault(f => !f.IsStored) is { } gone
            ? Refusal.Conflict($"Recording {gone.Id} is {AvCloudJson.Name(gone.Status)}: there is nothing to package.", "footage not stored")
            : null);

    /// <summary>The zip's file name for a package made under <paramref name="reference"/>.</summary>
    public static string FileName(string reference, DateTimeOffset at) =>
        $"evidence-{reference.Replace('/', '-')}-{at.UtcDateTime:yyyyMMdd-HHmmss}.zip";

    /// <summary>
    /// The cases a recording belongs to through its activity: every case that groups the activity, or, when none does,
    /// the case name and number the activity itself was recorded with.
    /// </summary>
    private async Task<IReadOnlyList<PackagedCase>> CasesOfAsync(string unitId, string? activityId, CancellationToken cancellationToken)
    {
        if (activityId is null)
        {
            return [];
        }

        var grouped = await activities.CasesOfAsync(unitId, activityId, cancellationToken);
        if (grouped.Count > 0)
        {
            return [.. grouped.Select(c => new PackagedCase(c.Name, c.Number))];
        }

        var activity = await activities.ReadAsync(unitId, activityId, cancellationToken);
        return activity is { CaseName: null, CaseNumber: null } or null ? [] : [new PackagedCase(activity.CaseName, activity.CaseNumber)];
    }

    /// <summary>
    /// Writes the package of <paramref name="order"/> to <paramref name="output"/> (an HTTP response body, any
    /// forward-only stream) and returns what was sent. Callers check <see cref="Refuses"/> and audit the result.
    /// </summary>
    public async Task<PackageSent> WriteAsync(PackageOrder order, Stream output, CancellationToken cancellationToken)
    {
        if (Refuses(order.Footage) is { } refusal)
        {
            throw new InvalidOperationException($"A package was asked for that the rules refuse: {refusal.Reason}.");
        }

        var packageId = Guid.NewGuid().ToString("N");
        var madeAt = time.GetUtcNow();
        var records = new List<Custody>(order.Footage.Count);
        foreach (var record in order.Footage)
        {
            records.Add(await custody.OfAsync(record, cancellationToken));
        }

        var chain = await custody.ChainAsync(order.UnitId, cancellationToken);
        var custodyJson = JsonSerializer.SerializeToUtf8Bytes(new PackageCustody(packageId, order.UnitId, madeAt, chain, records), CustodyRecords.Json);
        var scope = new CustodyReportScope(order.UnitId, madeAt, order.For, order.Reference, order.Purpose, $"{order.CaseName} {order.CaseNumber}".Trim());
        var custodyPdf = CustodyReport.Render(scope, records, chain, order.Language);

        var files = new List<PackagedFile>(order.Footage.Count);
        foreach (var record in order.Footage)
        {
            var cases = await CasesOfAsync(order.UnitId, record.ActivityId, cancellationToken);
            files.Add(new PackagedFile(record.Id, PackageFormat.FilesFolder + Access.ReadLinkIssuer.FileName(record),
                record.Uploads.Count > 0 ? record.Uploads[0].FileName : record.BlobName, record.Sha256, record.Size, AvCloudJson.Name(record.Kind),
                record.RecordedStart, record.RecordedEnd, record.CorrectedStart, record.CorrectedEnd, record.DeviceId, record.OfficerId, record.ActivityId,
                cases,
                AvCloudJson.Name(record.Classification)));
        }

        var manifest = JsonSerializer.SerializeToUtf8Bytes(new PackageManifest(PackageFormat.Version, packageId, order.UnitId, madeAt, order.For, order.Reference,
            order.Purpose, order.CaseName, order.CaseNumber, files,
            [Document(PackageFormat.Custody, custodyJson), Document(PackageFormat.CustodyReport, custodyPdf)]), PackageFormat.Json);
        var signature = JsonSerializer.SerializeToUtf8Bytes(await signer.SignAsync(manifest, cancellationToken), PackageFormat.Json);

        await using var sent = new HashingStream(output);
        var zip = await ZipArchive.CreateAsync(sent, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        await using (zip)
        {
            foreach (var (name, content) in new[] { (PackageFormat.Manifest, manifest), (PackageFormat.Signature, signature), (PackageFormat.Custody, custodyJson),
                (PackageFormat.CustodyReport, custodyPdf) })
            {
                await AddAsync(zip, name, content, madeAt, cancellationToken);
                await sent.FlushAsync(cancellationToken);
            }

            var footage = blobs.GetBlobContainerClient(BlobContainers.Footage);
            foreach (var (record, file) in order.Footage.Zip(files))
            {
                var entry = zip.CreateEntry(file.Path, CompressionLevel.NoCompression);
                entry.LastWriteTime = record.CorrectedStart;
                await using (var target = await entry.OpenAsync(cancellationToken))
                {
                    await CopyVerifiedAsync(footage.GetBlobClient(record.BlobName), record, target, cancellationToken);
                }

                await sent.FlushAsync(cancellationToken);
            }
        }

        await sent.FlushAsync(cancellationToken);
        return new PackageSent(packageId, sent.Sha256(), sent.Length, files.Count);
    }

    private static PackagedDocument Document(string path, byte[] content) => new(path, Convert.ToHexStringLower(SHA256.HashData(content)), content.Length);

    private static async Task AddAsync(ZipArchive zip, string name, byte[] content, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = at;
        await using (var target = await entry.OpenAsync(cancellationToken))
        {
            await target.WriteAsync(content, cancellationToken);
        }
    }

    /// <summary>
    /// Art. 18: the bytes sent are the bytes catalogued; anything else stops the package before its end. The next block
    /// is read from storage while this one is hashed and sent, and the hash runs beside the send, so the copy costs
    /// about its slowest step rather than the sum of them.
    /// </summary>
    private static async Task CopyVerifiedAsync(BlobClient blob, FootageRecord record, Stream target, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(BufferSize), ArrayPool<byte>.Shared.Rent(BufferSize)];
        long length = 0;
        try
        {
            using var download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;
            await using var content = download.Content;
            var current = 0;
            var reading = content.ReadAsync(buffers[current].AsMemory(0, BufferSize), cancellationToken);
            int read;
            while ((read = await reading) > 0)
            {
                var block = buffers[current].AsMemory(0, read);
                current = 1 - current;
                reading = content.ReadAsync(buffers[current].AsMemory(0, BufferSize), cancellationToken);
                var hashing = Task.Run(() => hash.AppendData(block.Span), cancellationToken);
                await target.WriteAsync(block, cancellationToken);
                await hashing;
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (sha256 != record.Sha256 || length != record.Size)
        {
            throw new InvalidDataException($"Footage {record.Id} read back as {length} bytes with SHA-256 {sha256}: the package was cut short.");
        }
    }

    /// <summary><c>custody.json</c>: each recording's custody and the unit's chain as verified when the package was made.</summary>
    private sealed record PackageCustody(string PackageId, string UnitId, DateTimeOffset MadeAt, ChainReport AuditChain, IReadOnlyList<Custody> Recordings);

    /// <summary>
    /// A forward-only stream that keeps the SHA-256 and length of everything written and passes it on. The zip writer
    /// writes headers, descriptors and the end of a compressed entry synchronously, which an HTTP response refuses; those
    /// few bytes wait here and go out, in order, with the next asynchronous write or flush (the recordings' bytes pass
    /// straight through).
    /// </summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private const int ParallelHashBytes = 64 * 1024;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly MemoryStream _waiting = new();
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public string Sha256() => Convert.ToHexStringLower(_hash.GetCurrentHash());

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            _length += buffer.Length;
            _waiting.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await SendWaitingAsync(cancellationToken);
            // Hashed beside the send, in order: each write's hash is done before the next write starts.
            var hashing = buffer.Length < ParallelHashBytes ? null : Task.Run(() => _hash.AppendData(buffer.Span), cancellationToken);
            if (hashing is null)
            {
                _hash.AppendData(buffer.Span);
            }

            _length += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
            if (hashing is not null)
            {
                await hashing;
            }
        }

        public override void Flush()
        {
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await SendWaitingAsync(cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }

        private async ValueTask SendWaitingAsync(CancellationToken cancellationToken)
        {
            if (_waiting.Length > 0)
            {
                await inner.WriteAsync(_waiting.GetBuffer().AsMemory(0, (int)_waiting.Length), cancellationToken);
                _waiting.SetLength(0);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
                _waiting.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
