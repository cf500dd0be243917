using System.ComponentModel.DataAnnotations;

namespace AvCloud.Functions.Cosmos;

/// <summary>The catalogue database. In Azure: endpoint + managed identity; locally: the stand-in and its key.</summary>
public sealed class CosmosOptions
{
    public const string Section = "AvCloud:Cosmos";

    [Required]
    public required Uri Endpoint { get; init; }

    /// <summary>Local only. Azure accounts have local (key) authentication disabled.</summary>
    public string? Key { get; init; }

    [Required]
    public string Database { get; init; } = "avcloud";
}
