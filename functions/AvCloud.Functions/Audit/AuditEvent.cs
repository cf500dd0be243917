using System.Text.RegularExpressions;

namespace AvCloud.Functions.Audit;

/// <summary>What happened, by whom, to what: the part of an audit event its writer supplies.</summary>
public sealed record AuditEntry(
    string UnitId,
    string Actor,
    string Role,
    AuditAction Action,
    string Target,
    string Outcome,
    IReadOnlyDictionary<string, string>? Details = null)
{
    /// <summary>An entry for what <paramref name="caller"/> did, in their unit and roles.</summary>
    public static AuditEntry By(Identity.Caller caller, AuditAction action, string target, string outcome, IReadOnlyDictionary<string, string>? details = null) =>
        new(caller.UnitId, caller.UserId, caller.RoleList, action, target, outcome, details);
}

/// <summary>
/// An audit event as stored in the <c>audit</c> container (partition <c>/unitId</c>). The events of a unit are
/// numbered 1, 2, 3, ... and each carries the hash of the one before, so a missing, edited or reordered event breaks
/// the chain where it happened.
/// </summary>
public sealed record AuditEvent
{
    public const string DocumentType = "auditEvent";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required long Sequence { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string Actor { get; init; }

    public required string Role { get; init; }

    public required string Action { get; init; }

    public required string Target { get; init; }

    public required string Outcome { get; init; }

    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    public required string PreviousHash { get; init; }

    public required string Hash { get; init; }

    public static string IdFor(long sequence) => $"event-{sequence:D12}";

    /// <summary>
    /// Art. 14: whether the event names one of <paramref name="footageIds"/> anywhere: in its target, or in its details
    /// (a review's score, a misconduct case's recordings, a share's play), where the target is something else.
    /// </summary>
    public bool Names(IReadOnlySet<string> footageIds) =>
        footageIds.Count > 0 && Details.Values.Prepend(Target).Any(text => FootageIds.Matches(text).Any(m => footageIds.Contains(m.Value)));

    // A recording's id is its SHA-256 in 64 lower-case hexadecimal digits (Fields.IsId), wherever an event writes it.
    private static readonly Regex FootageIds = new("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", RegexOptions.CultureInvariant);
}

/// <summary>The newest event of a unit's chain: where the next writer starts looking. Kept in the <c>units</c> container.</summary>
public sealed record AuditHead
{
    public const string DocumentId = "audit-head";

    public string Id { get; init; } = DocumentId;

    public required string UnitId { get; init; }

    public string Type { get; init; } = "auditHead";

    public required long Sequence { get; init; }

    public required string Hash { get; init; }
}

public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Denied = "denied";
    public const string Failure = "failure";
}
