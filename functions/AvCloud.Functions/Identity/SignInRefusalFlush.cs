using AvCloud.Functions.Audit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Identity;

/// <summary>
/// Writes the summaries of refused sign-ins (<see cref="SignInRefusals"/>) to the audit trail: those whose window has
/// ended, a few times a window, with or without further traffic; and all that remain when the host stops. One batch
/// per round, so the chain's head moves once however many sources there were.
/// </summary>
/// <remarks>
/// The trail is asked for when the first summary is written: resolving it when the host builds its hosted services
/// would create the Cosmos client, and fail on its settings, before the host's start-up validation names every
/// missing setting at once.
/// </remarks>
public sealed partial class SignInRefusalFlush(SignInRefusals refusals, Func<AuditTrail> audit, IOptions<IdentityOptions> options, TimeProvider time,
    ILogger<SignInRefusalFlush> logger) : BackgroundService
{
    /// <summary>Writes every refusal counted so far, whether or not its window has ended.</summary>
    public Task FlushAllAsync(CancellationToken cancellationToken) => WriteAsync(refusals.Take(all: true), cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A quarter of the window: a summary is written at most a quarter window after its window ends.
        using var timer = new PeriodicTimer(options.Value.RefusalWindow / 4, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await WriteAsync(refusals.Take(), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Windows still open when the instance stops are written as they stand: refusals are never dropped silently.
        await FlushAllAsync(cancellationToken);
    }

    private async Task WriteAsync(IReadOnlyList<RefusalSummary> summaries, CancellationToken cancellationToken)
    {
        if (summaries.Count == 0)
        {
            return;
        }

        try
        {
            await audit().AppendAllAsync([.. summaries.Select(s => s.ToEntry())], cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A background loop that throws stops the host; kept for the next round instead, and said in the log.
            refusals.Restore(summaries);
            LogNotWritten(logger, exception, summaries.Count, summaries.Sum(s => s.Count));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Summaries} summaries of {Refusals} refused sign-ins could not be written to the audit trail; kept for the next round")]
    private static partial void LogNotWritten(ILogger logger, Exception exception, int summaries, long refusals);
}
