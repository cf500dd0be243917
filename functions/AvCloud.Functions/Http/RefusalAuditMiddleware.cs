using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AvCloud.Functions.Http;

/// <summary>
/// The one path from a <see cref="Refusal"/> to the caller: the denial goes into the caller's audit chain (action,
/// target, reason, and what was asked), then the refusal becomes the RFC 9457 problem that
/// <see cref="ProblemDetailsMiddleware"/> writes. Runs inside authentication, so the caller is known.
/// </summary>
public sealed class RefusalAuditMiddleware(AuditTrail audit) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (RefusedException refused) when (context.GetHttpContext()?.Features.Get<Caller>() is { } caller)
        {
            var details = new Dictionary<string, string>(refused.Details ?? new Dictionary<string, string>()) { ["reason"] = refused.Refusal.Reason };
            await audit.RecordAsync(caller, refused.Action, refused.Target, details, context.CancellationToken, AuditOutcomes.Denied);
            throw;
        }
    }
}
