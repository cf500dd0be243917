using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Audit;

/// <summary>
/// <c>GET /api/audit/verify</c>: walks the caller's unit's chain and reports the first broken link, if any
/// (Art. 18: deleting or editing records must be detectable), held against the unit's daily anchors in immutable
/// storage, which also find a tail deleted together with a rewound head. For supervisors and the unit head; audited.
/// Verify writes no anchor itself: one made on demand would seal whatever the chain holds at that moment (a tail cut
/// off just before included), let any supervisor add undeletable blobs at will, and take the day's name before the
/// daily run could give it the day's last event.
/// </summary>
public sealed class VerifyAuditTrail(AuditTrail audit, AuditAnchors anchors)
{
    [Function(nameof(VerifyAuditTrail))]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ChainReport))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/audit/verify")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var report = await anchors.VerifyChainAsync(audit, caller.UnitId, cancellationToken);
        await audit.RecordAsync(caller, AuditAction.AuditVerified, "audit",
            new Dictionary<string, string>
            {
                ["eventsChecked"] = report.EventsChecked.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["anchorsChecked"] = report.AnchorsChecked.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["firstBreak"] = report.FirstBreak?.Reason ?? "",
            }, cancellationToken, report.Intact ? AuditOutcomes.Success : AuditOutcomes.Failure);
        return TypedResults.Ok(report);
    }
}
