using System.Globalization;

namespace AvCloud.Console;

/// <summary>Times as people read them: in the browser's time zone and the chosen language's format.</summary>
public sealed class Clock(TimeProvider time)
{
    public Clock() : this(TimeProvider.System)
    {
    }

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Calls <paramref name="tick"/> every <paramref name="period"/> by this clock (so a test's clock drives it too).</summary>
    public ITimer Every(TimeSpan period, Action tick) => time.CreateTimer(_ => tick(), null, period, period);

    /// <summary>A moment in the person's own time zone, e.g. <c>2026/11/30 14:05</c> in Chinese.</summary>
    public static string Show(DateTimeOffset? moment, TimeZoneInfo? zone = null) =>
        moment is { } value ? TimeZoneInfo.ConvertTime(value, zone ?? TimeZoneInfo.Local).ToString("g", CultureInfo.CurrentCulture) : "";

    /// <summary>What is left of a window, as <c>2:03:09</c> (or <c>1.04:00:00</c> beyond a day); zero once it has passed.</summary>
    public static string Left(DateTimeOffset until, DateTimeOffset now)
    {
        var left = until - now;
        if (left <= TimeSpan.Zero)
        {
            return "0:00:00";
        }

        left = TimeSpan.FromSeconds(Math.Floor(left.TotalSeconds));
        return left.Days > 0 ? left.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture) : left.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What is left of a window of days, as people read it: whole days in <paramref name="daysFormat"/> (e.g.
    /// <c>{0} 天 {1}</c>) and the rest as <c>h:mm:ss</c>; only <c>h:mm:ss</c> under a day; null once it has passed.
    /// </summary>
    public static string? DaysLeft(DateTimeOffset until, DateTimeOffset now, string daysFormat)
    {
        var left = until - now;
        if (left <= TimeSpan.Zero)
        {
            return null;
        }

        left = TimeSpan.FromSeconds(Math.Floor(left.TotalSeconds));
        var clock = left.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
        return left.Days > 0 ? string.Format(CultureInfo.CurrentCulture, daysFormat, left.Days, clock) : clock;
    }
}
