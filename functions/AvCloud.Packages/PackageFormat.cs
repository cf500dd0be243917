using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

// The function app writes evidence packages with these types, and `avdock verify-package` (which `avcloud
// verify-package` runs) checks them offline, with the base class library only.
namespace AvCloud.Packages;

/// <summary>The names and encodings of an evidence package: one zip with a signed manifest.</summary>
public static class PackageFormat
{
    public const int Version = 1;

    public const string Manifest = "manifest.json";

    public const string Signature = "manifest.sig";

    public const string Custody = "custody.json";

    public const string CustodyReport = "custody.pdf";

    /// <summary>Where the recordings are in the zip: <c>files/NAME</c>.</summary>
    public const string FilesFolder = "files/";

    /// <summary>ECDSA on P-256 with SHA-256, the signature as r‖s (IEEE P1363, 64 bytes), as Key Vault's ES256 gives it.</summary>
    public const string Algorithm = "ES256";

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>A public key's fingerprint: SHA-256 (hex) of its SubjectPublicKeyInfo, as a court compares it with the published one.</summary>
    public static string Fingerprint(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>The fingerprint of a PEM public key (SubjectPublicKeyInfo), or null when it is not a P-256 key.</summary>
    public static string? FingerprintOfPem(string pem)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return null;
        }

        return key.KeySize == 256 ? Fingerprint(key) : null;
    }
}

/// <summary>
/// <c>manifest.json</c>: what the package holds and why it was made. Every file of the package but the manifest and its
/// signature is listed with its SHA-256 and size, so the signature covers all of it.
/// </summary>
public sealed record PackageManifest(
    int FormatVersion,
    string PackageId,
    string UnitId,
    DateTimeOffset CreatedAt,
    string CreatedFor,
    string Reference,
    string Purpose,
    string? CaseName,
    string? CaseNumber,
    IReadOnlyList<PackagedFile> Files,
    IReadOnlyList<PackagedDocument> Documents);

/// <summary>One recording: its catalogue facts, where it is in the zip (<see cref="Path"/>), and its SHA-256 and size.</summary>
public sealed record PackagedFile(
    string Id,
    string Path,
    string OriginalName,
    string Sha256,
    long Size,
    string Kind,
    DateTimeOffset RecordedStart,
    DateTimeOffset RecordedEnd,
    DateTimeOffset CorrectedStart,
    DateTimeOffset CorrectedEnd,
    string DeviceId,
    string OfficerId,
    string? ActivityId,
    IReadOnlyList<PackagedCase> Cases,
    string Classification);

/// <summary>A case a recording belongs to through its activity: each case that groups the activity, or the case the activity itself names.</summary>
public sealed record PackagedCase(string? Name, string? Number);

/// <summary>A document AvCloud made for the package (custody.json, custody.pdf).</summary>
public sealed record PackagedDocument(string Path, string Sha256, long Size);

/// <summary><c>manifest.sig</c>: the signature over the exact bytes of <c>manifest.json</c>, and the key that made it.</summary>
public sealed record ManifestSignature(string Algorithm, string KeyId, string PublicKey, string Fingerprint, string Signature);

/// <summary>What verifying a package found: valid only when <see cref="Problems"/> is empty.</summary>
public sealed record VerificationReport(string? KeyId, string? Fingerprint, int Files, IReadOnlyList<string> Problems)
{
    public bool Valid => Problems.Count == 0;
}

/// <summary>
/// Offline verification of an evidence package: the manifest's signature (and, when asked, that a given key made it),
/// then every file listed against its SHA-256 and size, entries missing or not listed. It names each mismatch: the
/// file and the field.
/// </summary>
public static class PackageVerifier
{
    private const long MaxManifestBytes = 64 * 1024 * 1024;

    public static VerificationReport Verify(Stream zip, string? requiredKey)
    {
        var problems = new List<string>();
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            return new VerificationReport(null, null, 0, ["The file is not a zip archive (or its end was cut off)."]);
        }

        using (archive)
        {
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries)
            {
                if (!entries.TryAdd(entry.FullName, entry))
                {
                    problems.Add($"{entry.FullName}: appears more than once in the package.");
                }
            }

            if (Read(entries, PackageFormat.Manifest, problems) is not { } manifestBytes)
            {
                return new VerificationReport(null, null, 0, problems);
            }

            var signature = CheckSignature(entries, manifestBytes, requiredKey, problems);
            PackageManifest? manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<PackageManifest>(manifestBytes, PackageFormat.Json);
            }
            catch (JsonException e)
            {
                problems.Add($"{PackageFormat.Manifest}: not readable as a manifest ({e.Path}).");
                return new VerificationReport(signature?.KeyId, signature?.Fingerprint, 0, problems);
            }

            if (manifest is null || manifest.Files is null || manifest.Documents is null)
            {
                problems.Add($"{PackageFormat.Manifest}: lists no files.");
                return new VerificationReport(signature?.KeyId, signature?.Fingerprint, 0, problems);
            }

            var listed = new HashSet<string>(StringComparer.Ordinal) { PackageFormat.Manifest, PackageFormat.Signature };
            foreach (var (path, sha256, size) in manifest.Files.Select(f => (f.Path, f.Sha256, f.Size)).Concat(manifest.Documents.Select(d => (d.Path, d.Sha256, d.Size))))
            {
                listed.Add(path);
                CheckContent(entries, path, sha256, size, problems);
            }

            foreach (var name in entries.Keys.Where(name => !listed.Contains(name)).Order(StringComparer.Ordinal))
            {
                problems.Add($"{name}: in the package but not in the manifest.");
            }

            return new VerificationReport(signature?.KeyId, signature?.Fingerprint, manifest.Files.Count, problems);
        }
    }

    /// <summary>
    /// The command both <c>avcloud verify-package</c> and <c>avdock verify-package</c> run:
    /// <c>verify-package FILE.zip [--key PUBLIC.pem | --key FINGERPRINT]</c>. Exit code 0 valid, 1 invalid, 2 usage.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? path = null, key = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--key" && i + 1 < args.Count)
            {
                key = args[++i];
            }
            else if (path is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                path = args[i];
            }
            else
            {
                error.WriteLine("Usage: verify-package FILE.zip [--key PUBLIC.pem | --key FINGERPRINT]");
                return 2;
            }
        }

        if (path is null)
        {
            error.WriteLine("Usage: verify-package FILE.zip [--key PUBLIC.pem | --key FINGERPRINT]");
            return 2;
        }

        string? requiredKey = null;
        if (key is not null)
        {
            requiredKey = File.Exists(key) ? PackageFormat.FingerprintOfPem(File.ReadAllText(key)) : Normalise(key);
            if (requiredKey is null)
            {
                error.WriteLine($"{key}: neither a P-256 public key (PEM) nor a SHA-256 fingerprint (64 hex digits).");
                return 2;
            }
        }

        VerificationReport report;
        try
        {
            using var file = File.OpenRead(path);
            report = Verify(file, requiredKey);
        }
        catch (IOException e)
        {
            error.WriteLine($"{path}: cannot be read ({e.GetType().Name}).");
            return 2;
        }
        catch (UnauthorizedAccessException)
        {
            error.WriteLine($"{path}: cannot be read (permission denied).");
            return 2;
        }

        output.WriteLine($"Package:     {Path.GetFileName(path)}");
        output.WriteLine($"Signed by:   {report.KeyId ?? "(unknown)"}");
        output.WriteLine($"Fingerprint: {report.Fingerprint ?? "(unknown)"}");
        output.WriteLine(requiredKey is null
            ? "             Compare this fingerprint with the one the agency publishes (or pass --key)."
            : $"Required:    {requiredKey}");
        output.WriteLine($"Files:       {report.Files}");
        if (report.Valid)
        {
            output.WriteLine("VALID: the signature holds and every file matches the manifest.");
            return 0;
        }

        foreach (var problem in report.Problems)
        {
            output.WriteLine($"  - {problem}");
        }

        output.WriteLine($"INVALID: {report.Problems.Count} problem(s).");
        return 1;
    }

    private static ManifestSignature? CheckSignature(Dictionary<string, ZipArchiveEntry> entries, byte[] manifest, string? requiredKey, List<string> problems)
    {
        if (Read(entries, PackageFormat.Signature, problems) is not { } bytes)
        {
            return null;
        }

        ManifestSignature? signature;
        try
        {
            signature = JsonSerializer.Deserialize<ManifestSignature>(bytes, PackageFormat.Json);
        }
        catch (JsonException)
        {
            signature = null;
        }

        if (signature is not { Algorithm: not null, PublicKey: not null, Signature: not null })
        {
            problems.Add($"{PackageFormat.Signature}: not readable as a signature.");
            return null;
        }

        if (signature.Algorithm != PackageFormat.Algorithm)
        {
            problems.Add($"{PackageFormat.Signature}: algorithm is {signature.Algorithm}, expected {PackageFormat.Algorithm}.");
            return signature;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(signature.PublicKey);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            problems.Add($"{PackageFormat.Signature}: publicKey is not a PEM public key.");
            return signature;
        }

        var fingerprint = PackageFormat.Fingerprint(key);
        if (!string.Equals(signature.Fingerprint, fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{PackageFormat.Signature}: fingerprint {signature.Fingerprint} is not that of its public key ({fingerprint}).");
        }

        signature = signature with { Fingerprint = fingerprint };
        if (requiredKey is not null && requiredKey != fingerprint)
        {
            problems.Add($"{PackageFormat.Signature}: signed by key {fingerprint}, not by the required key {requiredKey}.");
        }

        byte[] value;
        try
        {
            value = Convert.FromBase64String(signature.Signature);
        }
        catch (FormatException)
        {
            problems.Add($"{PackageFormat.Signature}: signature is not base64.");
            return signature;
        }

        if (!key.VerifyData(manifest, value, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            problems.Add($"{PackageFormat.Manifest}: the signature does not match: the manifest was changed after it was signed, or another key signed it.");
        }

        return signature;
    }

    private static void CheckContent(Dictionary<string, ZipArchiveEntry> entries, string path, string sha256, long size, List<string> problems)
    {
        if (!entries.TryGetValue(path, out var entry))
        {
            problems.Add($"{path}: listed in the manifest but missing from the package.");
            return;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        var damaged = false;
        try
        {
            using var content = entry.Open();
            var buffer = new byte[1024 * 1024];
            int read;
            while ((read = content.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        catch (InvalidDataException)
        {
            // The zip's own CRC check fails at the end of a changed entry, after every byte was read: the hash still says what changed.
            damaged = true;
        }

        var before = problems.Count;
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{path}: sha256 is {actual}, the manifest says {sha256}.");
        }

        if (length != size)
        {
            problems.Add($"{path}: size is {length} bytes, the manifest says {size}.");
        }

        if (damaged && problems.Count == before)
        {
            problems.Add($"{path}: its bytes in the zip are damaged (the zip's own CRC or format check failed).");
        }
    }

    private static byte[]? Read(Dictionary<string, ZipArchiveEntry> entries, string name, List<string> problems)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            problems.Add($"{name}: missing from the package.");
            return null;
        }

        if (entry.Length > MaxManifestBytes)
        {
            problems.Add($"{name}: larger than a manifest can be.");
            return null;
        }

        try
        {
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            return copy.ToArray();
        }
        catch (InvalidDataException)
        {
            problems.Add($"{name}: its bytes in the zip are damaged (the zip's own CRC or format check failed).");
            return null;
        }
    }

    private static string? Normalise(string fingerprint)
    {
        var hex = fingerprint.Replace(":", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? hex : null;
    }
}
