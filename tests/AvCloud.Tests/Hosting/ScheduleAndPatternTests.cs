using AvCloud.Local.Functions;
using Microsoft.Extensions.Configuration;

namespace AvCloud.Tests.Hosting;

public sealed class ScheduleAndPatternTests
{
    private static readonly IConfiguration Settings = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["SweepSchedule"] = "0 0 2 * * *" }).Build();

    [Theory]
    [InlineData("0 0 2 * * *", "2026-11-27T01:59:59Z", "2026-11-27T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2026-11-27T02:00:00Z", "2026-11-28T02:00:00Z")]
    [InlineData("*/15 * * * *", "2026-11-27T10:07:00Z", "2026-11-27T10:15:00Z")]
    [InlineData("00:05:00", "2026-11-27T10:07:00Z", "2026-11-27T10:12:00Z")]
    [InlineData("%SweepSchedule%", "2026-11-27T03:00:00Z", "2026-11-28T02:00:00Z")]
    public void A_schedule_gives_the_next_occurrence_as_the_Functions_host_would(string schedule, string after, string expected)
    {
        var next = TimerSchedule.Parse(schedule, Settings).Next(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Theory]
    [InlineData("not a schedule")]
    [InlineData("%MissingSetting%")]
    [InlineData("-00:05:00")]
    public void A_bad_schedule_is_refused(string schedule)
    {
        Assert.ThrowsAny<Exception>(() => TimerSchedule.Parse(schedule, Settings));
    }

    [Fact]
    public void A_blob_path_pattern_binds_its_placeholders()
    {
        var pattern = new BlobPathPattern("ingest/{unit}/{name}.{ext}");

        var data = pattern.Match("ingest", "unit-7/2026/clip.final.mp4");

        Assert.NotNull(data);
        Assert.Equal("ingest/unit-7/2026/clip.final.mp4", data["BlobTrigger"]);
        Assert.Equal("unit-7/2026/clip.final", $"{data["unit"]}/{data["name"]}");
        Assert.Equal("mp4", data["ext"]);
        Assert.Null(pattern.Match("footage", "unit-7/clip.mp4"));
        Assert.Null(pattern.Match("ingest", "no-extension"));
    }

    [Theory]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("-2h", -120)]
    [InlineData("90m", 90)]
    [InlineData("1.12:00:00", 36 * 60)]
    public void Clock_offsets_read_as_days_hours_minutes_or_a_timespan(string text, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), Local.Program.ParseOffset(text));
    }
}
