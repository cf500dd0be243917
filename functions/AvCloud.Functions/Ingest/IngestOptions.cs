using System.ComponentModel.DataAnnotations;

namespace AvCloud.Functions.Ingest;

public sealed class IngestOptions
{
    public const string Section = "AvCloud:Ingest";

    /// <summary>How long a dock's upload URLs stay valid.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan UploadWindow { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Largest manifest accepted (bytes).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxManifestBytes { get; init; } = 1024 * 1024;

    /// <summary>A blob left in <c>ingest</c> this long is re-driven by WatchUploads (its event was lost or its run failed).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RedriveAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Art. 13: footage reaches the keeper within 24 hours of the activity's end.</summary>
    public TimeSpan HandoverAllowance { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How far a dock's clock may run ahead of AvCloud's (its docking time, and a recording's corrected end).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ClockAheadAllowance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long before the session is opened a recorder may have been docked (a station offline hands over later).</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan DockedBeforeReceipt { get; init; } = TimeSpan.FromDays(7);
}
