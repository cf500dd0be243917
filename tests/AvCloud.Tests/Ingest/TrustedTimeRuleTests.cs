using AvCloud.Functions.Ingest;

namespace AvCloud.Tests.Ingest;

/// <summary>Arts. 7, 13 and 15: which claimed times a manifest may carry, on the rule alone.</summary>
public sealed class TrustedTimeRuleTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static readonly ClockLimits Limits = new(TimeSpan.FromMinutes(5), TimeSpan.FromDays(7), TimeSpan.FromHours(4));

    private static UploadManifest Manifest(DateTimeOffset dockedAt, DateTimeOffset deviceClock, DateTimeOffset recordedEnd) =>
        new(null, "bwc-1", "officer-zhang", dockedAt, deviceClock,
            [new ManifestFile("a.wav", MediaKind.Audio, 10, new string('a', 64), recordedEnd.AddMinutes(-1), recordedEnd)]);

    [Fact]
    public void Times_near_AvCloud_clock_with_a_small_drift_are_trusted() =>
        Assert.Empty(TrustedTime.Problems(Manifest(Received.AddMinutes(-30), Received.AddMinutes(-32), Received.AddHours(-1)), Received, Limits));

    [Fact]
    public void A_device_clock_twenty_years_ahead_is_refused_not_corrected_into_the_past()
    {
        var problems = TrustedTime.Problems(Manifest(Received, Received.AddYears(20), Received.AddYears(20).AddHours(-1)), Received, Limits);

        var problem = Assert.Single(Assert.Single(problems, p => p.Key == "deviceClockAtDocking").Value);
        Assert.Contains("days ahead of the dock's", problem, StringComparison.Ordinal);
        Assert.Contains("Art. 7", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_docking_in_AvCloud_future_or_long_before_receipt_is_refused_saying_by_how_much()
    {
        var ahead = TrustedTime.Problems(Manifest(Received.AddHours(3), Received.AddHours(3), Received), Received, Limits);
        var stale = TrustedTime.Problems(Manifest(Received.AddDays(-10), Received.AddDays(-10), Received.AddDays(-10)), Received, Limits);

        Assert.Contains("3 hours ahead", Assert.Single(ahead["dockedAt"]), StringComparison.Ordinal);
        Assert.Contains("10 days before", Assert.Single(stale["dockedAt"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_recording_that_ends_after_AvCloud_received_it_is_refused()
    {
        var problems = TrustedTime.Problems(Manifest(Received, Received, Received.AddHours(2)), Received, Limits);

        Assert.Contains("2 hours after", Assert.Single(problems["files[0].recordedEnd"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_drift_within_the_limit_is_corrected_and_the_limit_is_the_units()
    {
        var threeHoursBehind = Manifest(Received, Received.AddHours(-3), Received.AddHours(-4));

        Assert.Empty(TrustedTime.Problems(threeHoursBehind, Received, Limits));
        Assert.Contains("deviceClockAtDocking", TrustedTime.Problems(threeHoursBehind, Received, Limits with { MaxDrift = TimeSpan.FromHours(2) }).Keys);
    }
}
