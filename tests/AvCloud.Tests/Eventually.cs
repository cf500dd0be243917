using System.Diagnostics;

namespace AvCloud.Tests;

/// <summary>
/// Waits for what the local cloud does in the background (a blob trigger, a watcher pass, an expiry, a dock service) by
/// polling its outcome until a timeout. It uses no xunit, so the benchmarks compile it too; in a test the timeout
/// fails the test with what was waited for.
/// </summary>
internal static class Eventually
{
    /// <summary>Ample for a background run on a busy two-core machine; a stuck test still fails soon.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private static readonly object Reached = new();

    public static Task That(Func<bool> condition, string waitingFor, CancellationToken cancellationToken = default) =>
        That(condition, waitingFor, DefaultTimeout, cancellationToken);

    public static Task That(Func<bool> condition, string waitingFor, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        That(() => Task.FromResult(condition()), waitingFor, timeout, cancellationToken);

    public static Task That(Func<Task<bool>> condition, string waitingFor, CancellationToken cancellationToken = default) =>
        That(condition, waitingFor, DefaultTimeout, cancellationToken);

    public static Task That(Func<Task<bool>> condition, string waitingFor, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        That(async () => await condition() ? Reached : null, waitingFor, timeout, cancellationToken);

    /// <summary>Calls <paramref name="attempt"/> until it returns a value, and returns that value.</summary>
    public static Task<T> That<T>(Func<Task<T?>> attempt, string waitingFor, CancellationToken cancellationToken = default)
        where T : class =>
        That(attempt, waitingFor, DefaultTimeout, cancellationToken);

    /// <summary>Calls <paramref name="attempt"/> until it returns a value, and returns that value.</summary>
    public static async Task<T> That<T>(Func<Task<T?>> attempt, string waitingFor, TimeSpan timeout, CancellationToken cancellationToken = default)
        where T : class
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (await attempt() is { } value)
            {
                return value;
            }

            if (Stopwatch.GetElapsedTime(started) >= timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds} s for {waitingFor}, in vain.");
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }
}
