using AvCloud.Functions.Identity;

namespace AvCloud.Functions.Accountability;

/// <summary>Art. 18: the six kinds of misconduct with recording devices, in the regulation's order.</summary>
public enum MisconductItem
{
    /// <summary>(一) not wearing or not using the recorder as required.</summary>
    NotRecording,

    /// <summary>(二) cutting, altering or falsifying enforcement records.</summary>
    Tampering,

    /// <summary>(三) misusing the recorder, using it privately, or handing it to someone outside the unit.</summary>
    MisuseOrLending,

    /// <summary>(四) copying, keeping, spreading or leaking enforcement recordings without authority.</summary>
    CopyingOrLeaking,

    /// <summary>(五) deliberately damaging recorders or the media footage is stored on.</summary>
    Destroying,

    /// <summary>(六) any other serious breach of the rules on recording devices.</summary>
    OtherSerious,
}

public enum MisconductCaseStatus
{
    Open,
    Closed,
}

/// <summary>Art. 18: "予以批评教育；情节严重的，按照有关规定处理，同时追究有关人员的责任".</summary>
public enum MisconductOutcome
{
    /// <summary>The finding does not bear out the misconduct.</summary>
    NotUpheld,

    /// <summary>Criticism and education.</summary>
    CriticismAndEducation,

    /// <summary>Serious: handled under the relevant rules, and those responsible held to account.</summary>
    DealtWithUnderRules,
}

/// <summary>
/// Art. 18: a misconduct case about one person: which item, the recordings and audit events (by sequence) involved, and,
/// once closed, the finding and outcome. In the <c>activities</c> container. Opened by a supervisor or the head, never
/// about themselves; closed by a supervisor or the head who is not the person the case is about.
/// </summary>
public sealed record MisconductCase : Audit.IAudited<MisconductCase>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public MisconductCase WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "misconductCase";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    /// <summary>Whom the case is about.</summary>
    public required string PersonId { get; init; }

    public required MisconductItem Item { get; init; }

    public required string Description { get; init; }

    public required IReadOnlyList<string> FootageIds { get; init; }

    /// <summary>The unit's audit events involved, by their sequence in its chain.</summary>
    public required IReadOnlyList<long> AuditEvents { get; init; }

    /// <summary>Whether opening the case placed a preservation hold on its recordings (Art. 16).</summary>
    public bool Held { get; init; }

    public required string OpenedBy { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public MisconductCaseStatus Status { get; init; } = MisconductCaseStatus.Open;

    public string? Finding { get; init; }

    public MisconductOutcome? Outcome { get; init; }

    public string? ClosedBy { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Separation of duties: nobody opens a case about themselves.</summary>
    public Outcome<MisconductCase> OpenableBy(Caller caller) =>
        caller.UserId == PersonId
            ? Refusal.Forbidden("Not yours to open.", "Nobody opens a misconduct case about themselves.", "own case")
            : this;

    /// <summary>Art. 18: closed once, with the finding and outcome, by someone other than the person the case is about.</summary>
    public Outcome<MisconductCase> Close(Caller caller, string finding, MisconductOutcome outcome, DateTimeOffset at) => this switch
    {
        _ when caller.UserId == PersonId => Refusal.Forbidden("Not yours to close.", "Nobody closes a misconduct case about themselves.", "own case"),
        { Status: MisconductCaseStatus.Closed } => Refusal.Conflict($"The case was closed at {ClosedAt:O}.", "case closed"),
        _ => this with { Status = MisconductCaseStatus.Closed, Finding = finding, Outcome = outcome, ClosedBy = caller.UserId, ClosedAt = at },
    };

    /// <summary>Art. 14: the case as someone who may not see <paramref name="withheld"/> reads it: those recordings left out, and counted.</summary>
    public MisconductCaseView ViewFor(IReadOnlySet<string> withheld) =>
        new(this with { FootageIds = [.. FootageIds.Where(f => !withheld.Contains(f))] }, FootageIds.Count(withheld.Contains));
}

/// <summary>A case as its reader may see it: <see cref="Withheld"/> counts its recordings at a level they may not see (Art. 14).</summary>
public sealed record MisconductCaseView(MisconductCase Case, int Withheld);
