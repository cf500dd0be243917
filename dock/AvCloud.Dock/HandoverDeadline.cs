namespace AvCloud.DockSync;

/// <summary>
/// Art. 13 as AvCloud judges it when it catalogues a recording, so that <c>avdock status</c> shows the deadline the
/// server will hold the file to: the recording's end by the device's clock corrected by the drift measured at docking,
/// or, when the file names an activity, the activity's end (for one away from the unit, its officers' return, as AvCloud
/// lists it in <c>handoverFrom</c>); plus 24 hours. AvCloud compares it with when it received
/// the file, so the dock's own clock plays no part.
/// </summary>
public static class HandoverDeadline
{
    /// <summary>Art. 13: handed over within 24 hours.</summary>
    public static readonly TimeSpan Allowance = TimeSpan.FromHours(24);

    /// <summary>The device's drift, as AvCloud records it from the manifest: the dock's clock minus the device's at docking, to the millisecond.</summary>
    public static double DriftSeconds(DateTimeOffset dockClock, DateTimeOffset deviceClock) => Math.Round((dockClock - deviceClock).TotalSeconds, 3);

    /// <summary>The deadline of a recording that ended at <paramref name="recordedEnd"/> by the device's clock.</summary>
    public static DateTimeOffset For(DateTimeOffset recordedEnd, double clockDriftSeconds, DateTimeOffset? activityEnd) =>
        (activityEnd ?? recordedEnd + TimeSpan.FromSeconds(clockDriftSeconds)) + Allowance;
}
