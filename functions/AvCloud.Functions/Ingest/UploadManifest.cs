using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using AvCloud.Functions.Http;

namespace AvCloud.Functions.Ingest;

/// <summary>What a dock announces when it opens an upload session (<c>POST /api/uploads</c>).</summary>
public sealed record UploadManifest(
    string? DockId,
    [Required] string? DeviceId,
    [Required] string? OfficerId,
    [Required] DateTimeOffset? DockedAt,
    [Required] DateTimeOffset? DeviceClockAtDocking,
    [Required] IReadOnlyList<ManifestFile>? Files);

public sealed record ManifestFile(
    [Required] string? Name,
    [Required] MediaKind? Kind,
    [Required] long? Size,
    [Required] string? Sha256,
    [Required] DateTimeOffset? RecordedStart,
    [Required] DateTimeOffset? RecordedEnd,
    string? ActivityId = null,
    string? Category = null);

/// <summary>The manifest's rules, as a pure function: every problem found, by field, or a clean list of files.</summary>
public static partial class ManifestRules
{
    /// <summary>A block blob holds at most 50,000 blocks of 4,000 MiB.</summary>
    public const long MaxBlockBlobBytes = 50_000L * 4_000 * 1024 * 1024;

    public const int MaxFiles = 1000;

    [GeneratedRegex(@"^[0-9a-fA-F]{64}\z")]
    private static partial Regex Sha256Hex();

    /// <summary>
    /// The manifest's files, validated and normalised; throws a 400 problem naming every bad field. A file may name one
    /// of the unit's record <paramref name="categories"/> (Art. 15).
    /// </summary>
    public static IReadOnlyList<UploadFile> Validate(UploadManifest manifest, string unitId, string sessionId, IReadOnlyCollection<string> categories,
        IReadOnlyDictionary<string, string[]>? bodyErrors = null)
    {
        // What the body itself could not say (an unknown kind) is reported with everything else.
        var errors = (bodyErrors ?? new Dictionary<string, string[]>()).ToDictionary(e => e.Key, e => e.Value.ToList());
        void Fail(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        // The dock is who its token says; a dockId in the body, if any, must name it (checked by the caller).
        if (manifest.DockId is not null)
        {
            Id(manifest.DockId, "dockId", Fail);
        }

        Id(manifest.DeviceId, "deviceId", Fail);
        Id(manifest.OfficerId, "officerId", Fail);
        if (manifest.DockedAt is null)
        {
            Fail("dockedAt", "The docking time (dock clock) is required.");
        }

        if (manifest.DeviceClockAtDocking is null)
        {
            Fail("deviceClockAtDocking", "The device's clock at docking is required, to measure its drift.");
        }

        var files = new List<UploadFile>();
        if (manifest.Files is not { Count: > 0 } manifestFiles)
        {
            Fail("files", "At least one file is required.");
        }
        else if (manifestFiles.Count > MaxFiles)
        {
            Fail("files", $"At most {MaxFiles} files per session.");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < manifestFiles.Count; i++)
            {
                var file = manifestFiles[i];
                var at = string.Create(CultureInfo.InvariantCulture, $"files[{i}]");
                if (file is null)
                {
                    Fail(at, "The file entry is empty.");
                    continue;
                }

                var nameProblem = NameProblem(file.Name);
                if (nameProblem is not null)
                {
                    Fail($"{at}.name", nameProblem);
                }
                else if (!names.Add(file.Name!))
                {
                    Fail($"{at}.name", $"The name '{file.Name}' appears more than once in the manifest.");
                }

                if (file.Kind is null && !errors.ContainsKey($"{at}.kind"))
                {
                    Fail($"{at}.kind", "The kind must be video, audio or photo.");
                }

                if (file.Size is not (> 0 and <= MaxBlockBlobBytes))
                {
                    Fail($"{at}.size", $"The size must be from 1 to {MaxBlockBlobBytes} bytes (the block blob limit).");
                }

                if (file.Sha256 is null || !Sha256Hex().IsMatch(file.Sha256))
                {
                    Fail($"{at}.sha256", "The SHA-256 must be 64 hexadecimal digits.");
                }

                if (file.RecordedStart is null || file.RecordedEnd is null)
                {
                    Fail($"{at}.recordedStart", "The recording start and end (device clock) are required.");
                }
                else if (file.RecordedEnd < file.RecordedStart)
                {
                    Fail($"{at}.recordedEnd", "The recording cannot end before it starts.");
                }

                if (file.ActivityId is not null && !Fields.IsId(file.ActivityId))
                {
                    Fail($"{at}.activityId", "The activity id may hold letters, digits, '.', '_' and '-' only.");
                }

                if (file.Category is not null && !categories.Contains(file.Category))
                {
                    Fail($"{at}.category", $"Unknown category '{file.Category}'. This unit's categories: {string.Join(", ", categories)}.");
                }

                if (errors.Count == 0)
                {
                    files.Add(new UploadFile
                    {
                        Name = file.Name!,
                        BlobName = UploadSession.IngestBlobName(unitId, sessionId, file.Name!),
                        Kind = file.Kind!.Value,
                        Size = file.Size!.Value,
                        Sha256 = file.Sha256!.ToLowerInvariant(),
                        RecordedStart = file.RecordedStart!.Value.ToUniversalTime(),
                        RecordedEnd = file.RecordedEnd!.Value.ToUniversalTime(),
                        ActivityId = file.ActivityId,
                        Category = file.Category is null or "default" ? null : file.Category,
                    });
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "The manifest is not valid.", "See errors for each field.")
            {
                Errors = errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            };
        }

        return files;
    }

    private static void Id(string? value, string field, Action<string, string> fail)
    {
        if (!Fields.IsId(value))
        {
            fail(field, $"The {field} is required: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
    }

    /// <summary>File names become blob names: no path segments, control characters or dot-only names.</summary>
    public static string? NameProblem(string? name) => name switch
    {
        null or "" => "The file name is required.",
        { Length: > 255 } => "The file name may be at most 255 characters.",
        "." or ".." => "The file name cannot be '.' or '..'.",
        _ when name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) => "The file name cannot contain path segments ('/' or '\\').",
        _ when name.Any(char.IsControl) => "The file name cannot contain control characters.",
        _ when name.Trim() != name => "The file name cannot start or end with white space.",
        _ => null,
    };
}
