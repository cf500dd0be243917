namespace AvCloud.Local;

/// <summary>
/// The system clock shifted by an offset, for the functions and (through <c>GET /admin/clock</c>) the WORM gateway:
/// <c>./avcloud up --clock-offset 760d</c> runs "25 months later"; a test shifts it on to let retention periods pass.
/// </summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    // Ticks, so a test thread can shift while the host's threads read.
    private long _offsetTicks = offset.Ticks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock on by <paramref name="by"/> (back when negative).</summary>
    public void Shift(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
