using AvCloud.Functions.Ingest;

namespace AvCloud.Tests.Ingest;

/// <summary>
/// Makes the cataloguer crash after its copy to <c>footage</c> for one ingest blob, on the runs <c>crashOn</c> picks
/// (given the run's number, from 1), until <see cref="Stop"/>; the pipeline's hook is put back on dispose.
/// </summary>
internal sealed class CrashAfterCopy : IDisposable
{
    private readonly CataloguePipelineHooks _hooks;
    private readonly Func<string, CancellationToken, Task> _previous;
    private int _runs;
    private volatile bool _stopped;

    public CrashAfterCopy(CataloguePipelineHooks hooks, string blobName, Func<int, bool> crashOn)
    {
        _hooks = hooks;
        _previous = hooks.AfterCopy;
        hooks.AfterCopy = (name, ct) =>
        {
            if (name != blobName)
            {
                return _previous(name, ct);
            }

            var run = Interlocked.Increment(ref _runs);
            return !_stopped && crashOn(run) ? throw new InvalidOperationException($"Injected crash after the copy, run {run}.") : _previous(name, ct);
        };
    }

    /// <summary>How many runs reached the point after the copy.</summary>
    public int Runs => Volatile.Read(ref _runs);

    public void Stop() => _stopped = true;

    public void Dispose() => _hooks.AfterCopy = _previous;
}
