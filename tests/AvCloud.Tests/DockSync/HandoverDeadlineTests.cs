using AvCloud.DockSync;

namespace AvCloud.Tests.DockSync;

/// <summary>The dock's Art. 13 deadline on its own: the rule AvCloud applies when it catalogues a recording.</summary>
public sealed class HandoverDeadlineTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 20, 9, 10, 2, TimeSpan.Zero);

    [Fact]
    public void Without_an_activity_the_deadline_is_the_drift_corrected_end_plus_24_hours()
    {
        // The device's clock ran five minutes behind the dock's: the recording really ended five minutes later.
        var drift = HandoverDeadline.DriftSeconds(End.AddHours(3), End.AddHours(3).AddMinutes(-5));

        Assert.Equal(300, drift);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 15, 2, TimeSpan.Zero), HandoverDeadline.For(End, drift, null));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 5, 2, TimeSpan.Zero), HandoverDeadline.For(End, -300, null));
    }

    [Fact]
    public void With_an_activity_the_deadline_is_its_end_plus_24_hours_whatever_the_drift()
    {
        var activityEnd = End.AddHours(2);

        Assert.Equal(activityEnd.AddHours(24), HandoverDeadline.For(End, 300, activityEnd));
        Assert.Equal(activityEnd.AddHours(24), HandoverDeadline.For(End, -7200, activityEnd));
    }

    [Fact]
    public void The_drift_is_kept_to_the_millisecond_as_AvCloud_records_it()
    {
        var dock = End.AddTicks(1_234_567);

        Assert.Equal(0.123, HandoverDeadline.DriftSeconds(dock, End));
        Assert.Equal(End.AddMilliseconds(123).AddHours(24), HandoverDeadline.For(End, HandoverDeadline.DriftSeconds(dock, End), null));
    }

    [Fact]
    public void A_journal_entry_s_deadline_is_the_rule_s()
    {
        var entry = new JournalEntry
        {
            DeviceId = "bwc-0042", Name = "a.wav", Path = "/media/a.wav", Size = 1, LastWriteUtc = DateTime.UtcNow, Sha256 = new string('0', 64),
            Kind = "audio", RecordedStart = End.AddMinutes(-1), RecordedEnd = End, ClockDriftSeconds = 90,
        };

        Assert.Equal(End.AddSeconds(90).AddHours(24), entry.Deadline);
        Assert.Equal(End.AddHours(26), (entry with { ActivityEnd = End.AddHours(2) }).Deadline);
    }
}
