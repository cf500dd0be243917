using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Local.Functions;

/// <summary>
/// Runs timer-triggered functions on their schedules (when enabled) and on demand through
/// <c>POST /admin/functions/NAME</c>. As in Azure, one function never runs twice at once.
/// </summary>
internal sealed partial class TimerFunctions(
    IReadOnlyList<LocalFunction> functions,
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<TimerFunctions> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public IEnumerable<LocalFunction> Timers => functions.Where(f => f.Kind == TriggerKind.Timer && f.Problem is null);

    public void StartSchedules()
    {
        foreach (var function in Timers)
        {
            var schedule = TimerSchedule.Parse(function.Timer.Schedule, configuration);
            _loops.Add(Task.Run(() => ScheduleAsync(function, schedule, _stop.Token)));
        }
    }

    private async Task ScheduleAsync(LocalFunction function, TimerSchedule schedule, CancellationToken cancellationToken)
    {
        var last = time.GetUtcNow();
        if (function.Timer.RunOnStartup)
        {
            await RunSafelyAsync(function, isPastDue: false, cancellationToken);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var next = schedule.Next(last);
            var wait = next - time.GetUtcNow();
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            last = next;
            await RunSafelyAsync(function, isPastDue: time.GetUtcNow() - next > TimeSpan.FromMinutes(1), cancellationToken);
        }
    }

    private async Task RunSafelyAsync(LocalFunction function, bool isPastDue, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(function, isPastDue, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The next occurrence runs regardless, as the Functions host does.
            LogTimerFailed(logger, exception, function.Name);
        }
    }

    /// <summary>Runs a timer function now, waiting if it is already running.</summary>
    public async Task RunAsync(LocalFunction function, bool isPastDue, CancellationToken cancellationToken)
    {
        var gate = _running.GetOrAdd(function.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var schedule = TimerSchedule.Parse(function.Timer.Schedule, configuration);
            var now = time.GetUtcNow();
            var info = new TimerInfo
            {
                IsPastDue = isPastDue,
                ScheduleStatus = new ScheduleStatus { Last = now.UtcDateTime, Next = schedule.Next(now).UtcDateTime, LastUpdated = now.UtcDateTime },
            };
            await using var scope = scopes.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, http: null, new Dictionary<string, object?>(),
                (_, _) => ValueTask.FromResult<object?>(info), cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {Function} failed; it runs again at its next occurrence")]
    private static partial void LogTimerFailed(ILogger logger, Exception exception, string function);
}
