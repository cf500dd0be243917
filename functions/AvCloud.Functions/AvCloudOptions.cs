namespace AvCloud.Functions;

/// <summary>Settings that are not tied to one dependency.</summary>
public sealed class AvCloudOptions
{
    public const string Section = "AvCloud";

    /// <summary>
    /// Azure: client id of the function app's user-assigned managed identity. Local configuration leaves it
    /// empty and uses keys and connection strings instead; no credential ever probes the network.
    /// </summary>
    public string? ManagedIdentityClientId { get; init; }
}
