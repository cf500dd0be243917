using AvCloud.Functions.Devices;

namespace AvCloud.Functions.Officers;

public enum OfficerStatus
{
    Active,
    OnLeave,
    Departed,
}

/// <summary>
/// Art. 3: an enforcement officer on the unit's roster, with the kinds of recording device they are issued, in the
/// <c>devices</c> container (partition <c>/unitId</c>, type <c>officer</c>): the roster and the devices are counted
/// against each other, so they live side by side.
/// </summary>
public sealed record Officer : Audit.IAudited<Officer>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public Officer WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "officer";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string Name { get; init; }

    public OfficerStatus Status { get; init; } = OfficerStatus.Active;

    /// <summary>Art. 3: the kinds of recording device the officer is issued.</summary>
    public IReadOnlyList<DeviceKind> IssuedKinds { get; init; } = [];

    public required string RegisteredBy { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    public string? UpdatedBy { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>
    /// A new name, status or issue. A departed officer stays departed: the roster is what the unit counted then, and an
    /// officer who comes back is registered again under a new id.
    /// </summary>
    public Outcome<Officer> Change(string name, OfficerStatus status, IReadOnlyList<DeviceKind> issued, string by, DateTimeOffset at) => this switch
    {
        { Status: OfficerStatus.Departed } when status != OfficerStatus.Departed =>
            Refusal.Conflict("A departed officer stays departed; register the officer again under a new id.", "officer departed"),
        _ => this with { Name = name, Status = status, IssuedKinds = [.. issued.Distinct()], UpdatedBy = by, UpdatedAt = at },
    };
}
