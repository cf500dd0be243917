namespace AvCloud.Functions.Storage;

/// <summary>The blob containers of the footage account, and the preservation account's one (the second copies of Art. 16).</summary>
public static class BlobContainers
{
    /// <summary>Dock uploads land here; no WORM, emptied once catalogued.</summary>
    public const string Ingest = "ingest";

    /// <summary>Catalogued footage, version-level WORM, content-addressed names.</summary>
    public const string Footage = "footage";

    /// <summary>Uploads whose size or SHA-256 did not match their manifest.</summary>
    public const string Quarantine = "quarantine";

    public static IReadOnlyList<string> All { get; } = [Ingest, Footage, Quarantine];

    /// <summary>In the preservation account: second copies of held footage (Art. 16), version-level WORM.</summary>
    public const string Preservation = "preservation";

    /// <summary>The key under which the preservation account's <c>BlobServiceClient</c> is registered.</summary>
    public const string PreservationAccount = "preservation";
}
