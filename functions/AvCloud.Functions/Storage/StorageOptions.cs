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

    /// <summary>Local only: connection string of the preservation account (Art. 16: the second copy lives apart).</summary>
    public string? PreservationConnectionString { get; init; }

    /// <summary>Azure: blob endpoint of the preservation account, in a second region.</summary>
    public Uri? PreservationServiceUri { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) == (BlobServiceUri is null))
        {
            yield return new ValidationResult(
                "Set exactly one of AvCloud:Storage:ConnectionString (local) or AvCloud:Storage:BlobServiceUri (Azure).",
                [nameof(ConnectionString), nameof(BlobServiceUri)]);
        }

        if (string.IsNullOrWhiteSpace(PreservationConnectionString) == (PreservationServiceUri is null))
        {
            yield return new ValidationResult(
                "Set exactly one of AvCloud:Storage:PreservationConnectionString (local) or AvCloud:Storage:PreservationServiceUri (Azure).",
                [nameof(PreservationConnectionString), nameof(PreservationServiceUri)]);
        }
    }
}
