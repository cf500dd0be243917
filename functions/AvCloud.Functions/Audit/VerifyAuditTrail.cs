using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Audit;

/// <summary>
/// <c>GET /api/audit/verify</c>: walks the caller's unit's chain and reports the first broken link, if any
/// (Art. 18: deleting or editing records must be detectable). For supervisors and the unit head; audited.
/// </summary>
public sealed class VerifyAuditTrail(AuditTrail audit)
{
    [Function(nameof(VerifyAuditTrail))]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ChainReport))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "audit/verify")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var head = await audit.ReadHeadAsync(caller.UnitId, cancellationToken);
        var events = new List<AuditEvent>();
        await foreach (var e in audit.ReadChainAsync(caller.UnitId, cancellationToken))
        {
            events.Add(e);
        }

        var report = AuditChain.Verify(events, head);
        await audit.RecordAsync(caller, AuditAction.AuditVerified, "audit",
            new Dictionary<string, string>
            {
                ["eventsChecked"] = report.EventsChecked.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["firstBreak"] = report.FirstBreak?.Reason ?? "",
            }, cancellationToken, report.Intact ? AuditOutcomes.Success : AuditOutcomes.Failure);
        return TypedResults.Ok(report);
    }
}
