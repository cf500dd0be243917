using System.ComponentModel.DataAnnotations;

namespace AvCloud.Functions.Storage;

/// <summary>
/// Where footage lives. In Azure the app reaches storage with its managed identity (service URIs, no keys);
/// on one machine it uses connection strings to the local emulator.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "AvCloud:Storage";

    /// <summary>Local only: connection string of the footage account.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Azure: blob endpoint of the footage account, reached with the managed identity.</summary>
    public Uri? BlobServiceUri { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) == (BlobServiceUri is null))
        {
            yield return new ValidationResult(
                "Set exactly one of AvCloud:Storage:ConnectionString (local) or AvCloud:Storage:BlobServiceUri (Azure).",
                [nameof(ConnectionString), nameof(BlobServiceUri)]);
        }
    }
}
