using System.ComponentModel.DataAnnotations;
using AvCloud.Functions.Identity;

namespace AvCloud.Functions.Access;

public enum AccessStatus
{
    Pending,
    Approved,
    Rejected,
    Revoked,

    /// <summary>Approved, but its window has ended. Not stored: worked out when the request is read.</summary>
    Expired,
}

/// <summary>How the requester found the footage, kept with the request for the record.</summary>
public sealed record AccessSearch(string? Activity, string? CaseNumber, string? Officer, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>A decision on a request: who, in which role, when, and why.</summary>
public sealed record AccessDecision(string By, string Role, DateTimeOffset At, string? Reason);

/// <summary>
/// A request to view or copy footage (调阅), in the <c>requests</c> container (partition <c>/unitId</c>). The footage
/// list is fixed when the request is made (a search is resolved then), so what is approved is exactly what was asked.
/// </summary>
public sealed record AccessRequest : Audit.IAudited<AccessRequest>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public AccessRequest WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "accessRequest";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string RequestedBy { get; init; }

    public required IReadOnlyList<string> RequesterRoles { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public required IReadOnlyList<string> FootageIds { get; init; }

    public AccessSearch? Search { get; init; }

    public required string Purpose { get; init; }

    public required string CaseName { get; init; }

    public required string CaseNumber { get; init; }

    public required AccessMode Mode { get; init; }

    /// <summary>How long the requester wants access, from approval.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The role whose holder must approve, by the unit's rules, as of the request (worked out again on approval).</summary>
    public required string ApproverRole { get; init; }

    public AccessStatus Status { get; init; } = AccessStatus.Pending;

    public AccessDecision? Approval { get; init; }

    /// <summary>Set on approval: the end of the approved window.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public AccessDecision? Rejection { get; init; }

    public AccessDecision? Revocation { get; init; }

    /// <summary>How the audit trail names request <paramref name="id"/>.</summary>
    public static string TargetOf(string id) => $"access-requests/{id}";

    /// <summary>What the audit trail keeps about every access given under the request (a view, a packaged recording), per recording.</summary>
    public Dictionary<string, string> GrantDetails(Footage.FootageRecord record) => new()
    {
        ["request"] = Id,
        ["requester"] = RequestedBy,
        ["approver"] = Approval?.By ?? "",
        ["purpose"] = Purpose,
        ["case"] = $"{CaseName} {CaseNumber}",
        ["mode"] = AccessRules.Name(Mode),
        ["sha256"] = record.Sha256,
    };

    /// <summary>The request as its reader should see it: an approved request past its window is expired.</summary>
    public AccessRequest AsOf(DateTimeOffset now) =>
        Status == AccessStatus.Approved && ExpiresAt <= now ? this with { Status = AccessStatus.Expired } : this;

    /// <summary>Whether <paramref name="caller"/> may decide it now: nobody decides their own request, and only a pending one is decided.</summary>
    public Outcome<AccessRequest> Decidable(Caller caller, DateTimeOffset now) => AsOf(now).Status switch
    {
        _ when RequestedBy == caller.UserId => Refusal.Forbidden("Not yours to decide.", "Nobody decides their own request.", "own request"),
        AccessStatus.Pending => this,
        var status => Refusal.Conflict($"The request is {AvCloudJson.Name(status)}, not pending.", $"request is {AvCloudJson.Name(status)}"),
    };

    /// <summary>
    /// Approved by <paramref name="caller"/>, who must hold <paramref name="required"/> (or be the head). An approval may
    /// narrow what was asked (fewer recordings, copy to view, a shorter window), never widen it.
    /// </summary>
    public Outcome<AccessRequest> Approve(Caller caller, string required, IReadOnlyList<string> footageIds, AccessMode mode, TimeSpan duration,
        string? reason, DateTimeOffset now) => Decidable(caller, now).Then(_ =>
    {
        var errors = new Dictionary<string, string[]>();
        if (footageIds.Count == 0 || footageIds.Any(f => !FootageIds.Contains(f)))
        {
            errors["footageIds"] = ["An approval may only narrow the footage: give a non-empty subset of the request's footage ids."];
        }

        if (mode == AccessMode.Copy && Mode == AccessMode.View)
        {
            errors["mode"] = ["An approval may narrow copy to view, never widen view to copy."];
        }

        if (duration > Duration)
        {
            errors["duration"] = ["An approval may shorten the window asked for, never lengthen it."];
        }

        if (errors.Count > 0)
        {
            return Refusal.Invalid(errors);
        }

        return AccessRules.ApprovingRole(caller, required) is { } role
            ? this with
            {
                Status = AccessStatus.Approved,
                FootageIds = footageIds,
                Mode = mode,
                Duration = duration,
                ApproverRole = required,
                Approval = new AccessDecision(caller.UserId, role, now, reason),
                ExpiresAt = now + duration,
            }
            : Refusal.Forbidden("Not yours to approve.", $"By the unit's rules this request needs approval by the {required}.", $"needs {required}");
    });

    /// <summary>Rejected, with the reason, by someone who could have approved it.</summary>
    public Outcome<AccessRequest> Reject(Caller caller, string reason, DateTimeOffset now) => Decidable(caller, now).Then(_ =>
        AccessRules.ApprovingRole(caller, ApproverRole) is { } role
            ? this with { Status = AccessStatus.Rejected, Rejection = new AccessDecision(caller.UserId, role, now, reason) }
            : Refusal.Forbidden("Not yours to decide.", $"This request is decided by the {ApproverRole}.", $"needs {ApproverRole}"));

    /// <summary>Revoked, pending or while its window lasts, by the person who approved it or by the head.</summary>
    public Outcome<AccessRequest> Revoke(Caller caller, string reason, DateTimeOffset now)
    {
        if (!caller.HasRole(Roles.Head) && Approval?.By != caller.UserId)
        {
            return Refusal.Forbidden("Not yours to revoke.", "Access is revoked by the person who approved it or by the head.", "neither its approver nor the head");
        }

        var status = AsOf(now).Status;
        return status is AccessStatus.Pending or AccessStatus.Approved
            ? this with { Status = AccessStatus.Revoked, Revocation = new AccessDecision(caller.UserId, caller.HasRole(Roles.Head) ? Roles.Head : Roles.Keeper, now, reason) }
            : Refusal.Conflict($"The request is {AvCloudJson.Name(status)}; only a pending or approved request is revoked.", $"request is {AvCloudJson.Name(status)}");
    }

    /// <summary>
    /// Whether read links may be issued to <paramref name="caller"/> now: to the requester only, while the request is
    /// approved and unexpired, and only if its approver still satisfies <paramref name="required"/> (the rules applied to
    /// the footage as it is classified now).
    /// </summary>
    public Outcome<AccessRequest> AllowsLinks(Caller caller, string required, DateTimeOffset now) => Mode == AccessMode.Copy
        ? Refusal.Conflict($"A copy is taken as an evidence package, with its signed manifest and custody: GET /api/access-requests/{Id}/package.", "copy is a package")
        : Allows(caller, required, now);

    /// <summary>
    /// Whether an evidence package may be made for <paramref name="caller"/> now: an approved copy request, as for
    /// <see cref="AllowsLinks"/> (the requester only, approved, unexpired, not revoked, its approver still sufficient).
    /// </summary>
    public Outcome<AccessRequest> AllowsPackage(Caller caller, string required, DateTimeOffset now) => Mode == AccessMode.View
        ? Refusal.Conflict("This request was approved for viewing: its footage is viewed through read links, not copied.", "view is not a copy")
        : Allows(caller, required, now);

    private Outcome<AccessRequest> Allows(Caller caller, string required, DateTimeOffset now)
    {
        var status = AsOf(now).Status;
        return this switch
        {
            _ when RequestedBy != caller.UserId => Refusal.Forbidden("Not yours.", "Access goes to the person who made the request only.", "not the requester"),
            _ when status != AccessStatus.Approved => new Refusal(StatusCodes.Status409Conflict, "No access now.",
                $"The request is {AvCloudJson.Name(status)}: links are issued for approved, unexpired requests only.", $"request is {AvCloudJson.Name(status)}"),
            { Approval: { } approval } when !AccessRules.Satisfies(approval.Role, required) => new Refusal(StatusCodes.Status409Conflict, "Needs a new approval.",
                $"Footage in this request was classified after it was approved; it now needs approval by the {required}. Make a new request.", $"now needs {required}"),
            _ => this,
        };
    }
}

public sealed class AccessOptions
{
    public const string Section = "AvCloud:Access";

    /// <summary>How long the link one view hands out lives (default 5 minutes): enough to start playing, too short to pass around.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan ViewLinkLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest window a request may ask for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The most footage items one request may cover.</summary>
    [Range(1, 1000)]
    public int MaxItems { get; init; } = 200;
}
