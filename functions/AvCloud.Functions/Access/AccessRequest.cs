using System.ComponentModel.DataAnnotations;

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
public sealed record AccessRequest
{
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

    /// <summary>The request as its reader should see it: an approved request past its window is expired.</summary>
    public AccessRequest AsOf(DateTimeOffset now) =>
        Status == AccessStatus.Approved && ExpiresAt <= now ? this with { Status = AccessStatus.Expired } : this;
}

public sealed class AccessOptions
{
    public const string Section = "AvCloud:Access";

    /// <summary>The longest a read link lives, however long the approved window (default 8 hours).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxLinkLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>The longest window a request may ask for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The most footage items one request may cover.</summary>
    [Range(1, 1000)]
    public int MaxItems { get; init; } = 200;
}
