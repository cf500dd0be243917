using AvCloud.DockSync;
using Microsoft.Extensions.Time.Testing;

namespace AvCloud.Tests.DockSync;

/// <summary>What the dock shows while it uploads, and the bandwidth cap, on a clock the test moves.</summary>
public sealed class ProgressAndCapTests
{
    private const long Megabyte = 1_000_000;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-03-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_log_gets_a_line_per_file_start_quarter_and_end()
    {
        using var log = new StringWriter();
        var progress = new Progress(log, terminal: false, _clock);

        progress.Started("recorder-7/a.wav", 4 * Megabyte, 0);
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            progress.Advanced("recorder-7/a.wav", Megabyte);
        }

        progress.Finished("recorder-7/a.wav");

        Assert.Equal(
        [
            "recorder-7/a.wav: uploading 3.8 MiB",
            "recorder-7/a.wav: 25% (8.0 Mbit/s)",
            "recorder-7/a.wav: 50% (8.0 Mbit/s)",
            "recorder-7/a.wav: 75% (8.0 Mbit/s)",
            "recorder-7/a.wav: committed",
        ], Lines(log));
    }

    [Fact]
    public void A_terminal_gets_one_redrawn_line_with_each_file_the_total_the_rate_and_the_time_left()
    {
        using var screen = new StringWriter();
        var progress = new Progress(screen, terminal: true, _clock);
        progress.Started("recorder-7/a.wav", 4 * Megabyte, 0);
        progress.Started("recorder-8/b.wav", 4 * Megabyte, alreadyThere: 2 * Megabyte);
        screen.GetStringBuilder().Clear();

        _clock.Advance(TimeSpan.FromSeconds(1));
        progress.Advanced("recorder-7/a.wav", Megabyte);
        var drawn = screen.ToString();
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        progress.Advanced("recorder-7/a.wav", 1);

        // One megabyte in the first second: 8 Mbit/s, and five megabytes still to go at that rate.
        Assert.Equal("\r\u001b[Ka.wav 25%  b.wav 50%  total 37% of 7.6 MiB  8.0 Mbit/s  00:00:05 left", drawn);
        Assert.Equal(drawn, screen.ToString());

        _clock.Advance(TimeSpan.FromMilliseconds(150));
        progress.Advanced("recorder-7/a.wav", Megabyte - 1);
        Assert.Contains("\r\u001b[Ka.wav 50%  b.wav 50%  total 50% of 7.6 MiB", screen.ToString()[drawn.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public void The_cap_spaces_blocks_of_all_uploads_on_one_timeline()
    {
        // 8 Mbit/s: one megabyte a second, whichever upload sends it.
        var cap = new Throttle(8, _clock);

        var first = cap.WaitAsync((int)Megabyte, TestContext.Current.CancellationToken);
        var second = cap.WaitAsync((int)Megabyte, TestContext.Current.CancellationToken);
        var third = cap.WaitAsync((int)Megabyte, TestContext.Current.CancellationToken);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(second.IsCompletedSuccessfully);
        Assert.False(third.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(third.IsCompletedSuccessfully);

        // After an idle spell the cap does not let a burst through to make up for it, nor hold the next block back.
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(cap.WaitAsync((int)Megabyte, TestContext.Current.CancellationToken).IsCompletedSuccessfully);
        Assert.False(cap.WaitAsync((int)Megabyte, TestContext.Current.CancellationToken).IsCompleted);
    }

    [Fact]
    public void Without_a_cap_nothing_waits()
    {
        var cap = new Throttle(null, _clock);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(cap.WaitAsync(8 * 1024 * 1024, TestContext.Current.CancellationToken).IsCompletedSuccessfully));
    }

    private static string[] Lines(StringWriter writer) => writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
