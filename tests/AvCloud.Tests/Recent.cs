namespace AvCloud.Tests;

/// <summary>
/// Times a little before now, to the minute. What a dock claims about time is checked against AvCloud's own clock
/// (a docking in the future, or days before the upload, is refused), so test recordings are made recently.
/// </summary>
internal static class Recent
{
    /// <summary>
    /// Art. 15's floor: a recording is kept at least <paramref name="months"/> from when AvCloud catalogued it, to the
    /// second as storage keeps policy dates.
    /// </summary>
    public static DateTimeOffset KeptFromCatalogue(Functions.Footage.FootageRecord record, int months)
    {
        var until = record.CataloguedAt.ToUniversalTime().AddMonths(months);
        return new DateTimeOffset(until.UtcTicks - (until.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    public static DateTimeOffset HoursAgo(double hours)
    {
        var at = DateTimeOffset.UtcNow.AddHours(-hours);
        return new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }
}
