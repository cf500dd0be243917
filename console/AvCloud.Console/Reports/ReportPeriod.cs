using System.Globalization;

namespace AvCloud.Console.Reports;

/// <summary>The month a report covers, in the person's time zone: from its first instant to the next month's first, less a tick.</summary>
public sealed record ReportPeriod(int Year, int Month, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>As the month picker shows it (yyyy-MM).</summary>
    public string Value => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");

    /// <summary>The month <paramref name="value"/> names (yyyy-MM) in <paramref name="zone"/>; null for anything else.</summary>
    public static ReportPeriod? Parse(string? value, TimeZoneInfo zone) =>
        DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) ? Of(month.Year, month.Month, zone) : null;

    /// <summary>The month <paramref name="now"/> falls in, in <paramref name="zone"/>.</summary>
    public static ReportPeriod Containing(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return Of(local.Year, local.Month, zone);
    }

    public static ReportPeriod Of(int year, int month, TimeZoneInfo zone)
    {
        var start = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var next = start.AddMonths(1);
        return new ReportPeriod(year, month, new DateTimeOffset(start, zone.GetUtcOffset(start)), new DateTimeOffset(next, zone.GetUtcOffset(next)).AddTicks(-1));
    }

    /// <summary>An instant as the API reads it (ISO 8601 with its offset).</summary>
    public static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}
