using System.Security.Cryptography;
using System.Text;
using AvCloud.Functions.Footage;

namespace AvCloud.Functions.Cases;

/// <summary>
/// A case (案件), in the <c>activities</c> container (partition <c>/unitId</c>): its number (unique in the unit) and name,
/// the enforcement activities it groups (and through them their recordings and the access requests made under its
/// number), and the holds placed on the whole case (Art. 16), which hold every recording of its activities, including
/// those linked later while the hold stands.
/// </summary>
public sealed record EnforcementCase : Audit.IAudited<EnforcementCase>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public EnforcementCase WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "case";

    /// <summary><see cref="IdFor"/> the number: the id carries the number's uniqueness in the unit, so two creations of one number cannot both succeed.</summary>
    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string Number { get; init; }

    public required string Name { get; init; }

    public IReadOnlyList<string> ActivityIds { get; init; } = [];

    /// <summary>Art. 16: holds on the whole case that stand.</summary>
    public IReadOnlyList<CaseHold> Holds { get; init; } = [];

    /// <summary>Number and name, lower-cased in one string, so one CONTAINS finds a case by either.</summary>
    public string SearchText => $"{Number} | {Name}".ToLowerInvariant();

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The id of the case numbered <paramref name="number"/>: case and surrounding spaces do not make another number.</summary>
    public static string IdFor(string number) =>
        "case-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(number.Trim().ToUpperInvariant())))[..32];

    public Outcome<EnforcementCase> AddActivity(string activityId) =>
        ActivityIds.Contains(activityId)
            ? Refusal.Conflict("The activity is already in this case.", "activity already in the case")
            : this with { ActivityIds = [.. ActivityIds, activityId] };

    /// <summary>The activity leaves the case; holds the case placed on its recordings stay until the case hold is released (Art. 16).</summary>
    public Outcome<EnforcementCase> RemoveActivity(string activityId) =>
        ActivityIds.Contains(activityId)
            ? this with { ActivityIds = [.. ActivityIds.Where(a => a != activityId)] }
            : Refusal.NotFound("No such activity in this case.");

    public Outcome<EnforcementCase> PlaceHold(CaseHold hold) =>
        Holds.Any(h => h.Id == hold.Id) ? Refusal.Conflict("The case is already held under this hold.", "already held") : this with { Holds = [.. Holds, hold] };

    public Outcome<EnforcementCase> ReleaseHold(string holdId) =>
        Holds.Any(h => h.Id == holdId)
            ? this with { Holds = [.. Holds.Where(h => h.Id != holdId)] }
            : Refusal.NotFound("No such case or hold in your unit.");

    /// <summary>The hold <paramref name="hold"/> of this case as it is placed on one of its recordings: same id, the case's name and number, who linked it.</summary>
    public PreservationHold OnRecording(CaseHold hold, string placedBy, DateTimeOffset at) =>
        new(hold.Id, hold.Reason, hold.ReasonText, Name, Number, hold.RequestedBy, placedBy, at, Id);
}

/// <summary>Art. 16: a hold on a whole case: why, who asked, who placed it and when.</summary>
public sealed record CaseHold(string Id, HoldReason Reason, string? ReasonText, string RequestedBy, string PlacedBy, DateTimeOffset PlacedAt);
