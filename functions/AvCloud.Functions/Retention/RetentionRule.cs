namespace AvCloud.Functions.Retention;

/// <summary>When footage may first be disposed of.</summary>
public static class RetentionRule
{
    /// <summary>
    /// Art. 15: kept for the retention period from the moment it was recorded. The moment is the device's recording start
    /// corrected by the clock drift measured at docking (Art. 7), so a recorder with a wrong clock does not shorten it.
    /// </summary>
    public static DateTimeOffset RetainUntil(DateTimeOffset correctedRecordingStart, int months)
    {
        // To the second: storage keeps immutability policy dates to the second, and the record promises what the blob has.
        var until = correctedRecordingStart.ToUniversalTime().AddMonths(months);
        return new DateTimeOffset(until.UtcTicks - (until.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
