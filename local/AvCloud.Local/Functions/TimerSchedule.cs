using System.Globalization;
using NCrontab;

namespace AvCloud.Local.Functions;

/// <summary>
/// A timer trigger's schedule as the Functions host reads it: a six-field NCRONTAB expression (seconds first),
/// a five-field one, or a TimeSpan ("00:05:00"); <c>%Name%</c> takes it from configuration.
/// </summary>
public sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan? _every;

    private TimerSchedule(string expression, CrontabSchedule? cron, TimeSpan? every)
    {
        Expression = expression;
        _cron = cron;
        _every = every;
    }

    public string Expression { get; }

    public static TimerSchedule Parse(string schedule, IConfiguration configuration)
    {
        var expression = schedule.Length > 2 && schedule.StartsWith('%') && schedule.EndsWith('%')
            ? configuration[schedule[1..^1]] ?? throw new InvalidOperationException($"The setting {schedule} that names a timer schedule is not set.")
            : schedule;
        if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var every) && expression.Contains(':', StringComparison.Ordinal))
        {
            return every > TimeSpan.Zero
                ? new TimerSchedule(expression, null, every)
                : throw new FormatException($"Timer interval '{expression}' must be positive.");
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var cron = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
        return new TimerSchedule(expression, cron, null);
    }

    /// <summary>The next occurrence strictly after <paramref name="after"/> (UTC, as the host runs without WEBSITE_TIME_ZONE).</summary>
    public DateTimeOffset Next(DateTimeOffset after) => _every is { } every
        ? after + every
        : new DateTimeOffset(_cron!.GetNextOccurrence(after.UtcDateTime), TimeSpan.Zero);
}
