namespace AvCloud.Functions.Cosmos;

/// <summary>
/// The containers of the <c>avcloud</c> database. Every one is partitioned by <c>/unitId</c>: an enforcement
/// unit is the tenant, and every query a person makes is scoped to one unit.
/// </summary>
public static class CosmosContainers
{
    public const string PartitionKeyPath = "/unitId";

    public const string Footage = "footage";
    public const string Uploads = "uploads";
    public const string Requests = "requests";
    public const string Devices = "devices";
    public const string Activities = "activities";

    /// <summary>External shares (prosecutor, court, a party's lawyer).</summary>
    public const string Shares = "shares";

    /// <summary>Per-unit settings (the unit's rules as data) and the head of the unit's audit chain.</summary>
    public const string Units = "units";

    /// <summary>Append-only and hash-chained per unit.</summary>
    public const string Audit = "audit";

    public static IReadOnlyList<string> All { get; } = [Footage, Uploads, Requests, Devices, Activities, Shares, Units, Audit];
}
