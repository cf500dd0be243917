using AvCloud.Functions.Cosmos;

namespace AvCloud.Functions.Devices;

/// <summary>Art. 2: the kinds of recording equipment.</summary>
public enum DeviceKind
{
    BodyWornCamera,
    Camera,
    AudioRecorder,
    VideoCamera,
    HandheldTerminal,
    VideoSurveillance,
    Storage,
}

public enum DeviceStatus
{
    InService,
    UnderRepair,
    Retired,
}

/// <summary>Who has the device now: checked out to an officer, by whom, in what condition.</summary>
public sealed record DeviceCheckout(string OfficerId, DateTimeOffset At, string HandedOverBy, string Condition)
{
    /// <summary>Art. 7: the check made before use.</summary>
    public PreUseCheck? Check { get; init; }

    /// <summary>Art. 7: why the device went out although its check failed (null when it passed).</summary>
    public string? CheckException { get; init; }

    /// <summary>Art. 7: what the check found short of the unit's figures, as <see cref="PreUseCheck.Failures"/>.</summary>
    public IReadOnlyList<string> CheckFailures { get; init; } = [];

    /// <summary>
    /// Art. 7: a device goes out only when its check passed against <paramref name="rules"/>, or, when it failed, with the
    /// reason it must go out anyway (kept on the checkout and in its audit event).
    /// </summary>
    public Outcome<DeviceCheckout> Checked(Retention.UnitObligations rules) => Check switch
    {
        null => Refusal.Invalid("check", "Record the pre-use check (Art. 7): battery, free storage and whether the clock was set."),
        { } check when check.Failures(rules) is { Count: > 0 } failures && CheckException is null => Refusal.Conflict(
            $"The device failed its pre-use check (Art. 7): {string.Join("; ", failures)}. Fix it, or give checkException with the reason it must go out.",
            "pre-use check failed: " + string.Join("; ", failures)),
        { } check => this with { CheckFailures = check.Failures(rules) },
    };
}

/// <summary>Art. 7: "电池电量充足，有足够存储空间，并按照当前日期、时间调整好设备时间", as measured before use.</summary>
public sealed record PreUseCheck(int BatteryPercent, int StorageFreeMb, bool ClockSet)
{
    /// <summary>What falls short of the unit's figures; none when the check passed.</summary>
    public IReadOnlyList<string> Failures(Retention.UnitObligations rules) =>
    [
        .. BatteryPercent < rules.MinBatteryPercent ? [$"battery {BatteryPercent}% below {rules.MinBatteryPercent}%"] : Array.Empty<string>(),
        .. StorageFreeMb < rules.MinStorageFreeMb ? [$"free storage {StorageFreeMb} MB below {rules.MinStorageFreeMb} MB"] : Array.Empty<string>(),
        .. ClockSet ? Array.Empty<string>() : ["clock not set to the current date and time"],
    ];
}

/// <summary>Art. 4: the steps of a device's upkeep.</summary>
public enum MaintenanceKind
{
    FaultReported,
    SentForRepair,
    Repaired,
    Inspected,
}

/// <summary>Art. 4: one step of a device's upkeep, with who recorded it and when.</summary>
public sealed record MaintenanceEntry(MaintenanceKind Kind, string Note, string By, DateTimeOffset At);

/// <summary>A change of a device's status, with its reason.</summary>
public sealed record DeviceStatusChange(DeviceStatus From, DeviceStatus To, string Reason, string By, DateTimeOffset At);

/// <summary>
/// A recording device of a unit (Art. 4), in the <c>devices</c> container (partition <c>/unitId</c>, id = the device id
/// the dock reports). Its current holder lives on the device document itself, so a checkout is one conditional write and
/// a device can never be checked out twice.
/// </summary>
public sealed record Device : Audit.IAudited<Device>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public Device WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "device";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required DeviceKind Kind { get; init; }

    public required string Serial { get; init; }

    public required string Model { get; init; }

    public DeviceStatus Status { get; init; } = DeviceStatus.InService;

    public DeviceCheckout? Holder { get; init; }

    /// <summary>When it last came back; a new checkout cannot start before it.</summary>
    public DateTimeOffset? LastReturnedAt { get; init; }

    public required string RegisteredBy { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    public IReadOnlyList<DeviceStatusChange> StatusChanges { get; init; } = [];

    /// <summary>Art. 4: the maintenance log: faults, repairs and inspections, oldest first.</summary>
    public IReadOnlyList<MaintenanceEntry> Maintenance { get; init; } = [];

    /// <summary>Art. 4: a fault was reported and no inspection has cleared the device since.</summary>
    public bool FaultOpen => Maintenance.LastOrDefault(m => m.Kind is MaintenanceKind.FaultReported or MaintenanceKind.Inspected) is { Kind: MaintenanceKind.FaultReported };

    /// <summary>
    /// Art. 4: one step of upkeep. A fault may be reported at any time; a device goes for repair only when it is back
    /// from its officer (and is then under repair); it is repaired only while under repair; an inspection after the
    /// repair puts it back in service, and one without a repair clears a reported fault. A retired device has no upkeep.
    /// </summary>
    public Outcome<Device> Maintain(MaintenanceEntry entry)
    {
        var sinceSent = Maintenance.Reverse().TakeWhile(m => m.Kind != MaintenanceKind.SentForRepair).ToList();
        Outcome<Device> logged = this with { Maintenance = [.. Maintenance, entry] };
        return (entry.Kind, this) switch
        {
            (_, { Status: DeviceStatus.Retired }) => Refusal.Conflict("A retired device has no upkeep.", "retired"),
            (MaintenanceKind.SentForRepair, { Holder: { } holder }) =>
                Refusal.Conflict($"The device is checked out to {holder.OfficerId}; take it back first.", "checked out"),
            (MaintenanceKind.SentForRepair, { Status: DeviceStatus.UnderRepair }) => Refusal.Conflict("The device is already under repair.", "already under repair"),
            (MaintenanceKind.SentForRepair, _) => logged.Then(d => d.Moved(DeviceStatus.UnderRepair, entry)),
            (MaintenanceKind.Repaired, { Status: not DeviceStatus.UnderRepair }) => Refusal.Conflict("Only a device under repair is repaired.", "not under repair"),
            (MaintenanceKind.Inspected, { Status: DeviceStatus.UnderRepair }) when !sinceSent.Any(m => m.Kind == MaintenanceKind.Repaired) =>
                Refusal.Conflict("The device is still under repair: record the repair before the inspection that puts it back in service.", "not repaired yet"),
            (MaintenanceKind.Inspected, { Status: DeviceStatus.UnderRepair }) => logged.Then(d => d.Moved(DeviceStatus.InService, entry)),
            _ => logged,
        };
    }

    private Device Moved(DeviceStatus to, MaintenanceEntry entry) =>
        this with { Status = to, StatusChanges = [.. StatusChanges, new DeviceStatusChange(Status, to, $"{AvCloudJson.Name(entry.Kind)}: {entry.Note}", entry.By, entry.At)] };

    /// <summary>Sent for repair, back in service, or retired (for good), with the reason. A device out with an officer stays in service until it is back.</summary>
    public Outcome<Device> ChangeStatus(DeviceStatus to, string reason, string by, DateTimeOffset at) => this switch
    {
        { Status: DeviceStatus.Retired } => Refusal.Conflict("A retired device stays retired.", "retired"),
        { Holder: { } holder } when to != DeviceStatus.InService =>
            Refusal.Conflict($"The device is checked out to {holder.OfficerId}; take it back first.", "checked out"),
        _ => this with { Status = to, StatusChanges = [.. StatusChanges, new DeviceStatusChange(Status, to, reason, by, at)] },
    };

    /// <summary>Art. 4: handed to an officer. A device is out with one officer at a time, only while in service, and not before it last came back.</summary>
    public Outcome<Device> CheckOut(DeviceCheckout checkout) => this switch
    {
        { Holder: { } holder } => Refusal.Conflict(
            $"The device is already checked out to {holder.OfficerId} since {holder.At:O}; it must be returned first.", "already checked out"),
        { Status: not DeviceStatus.InService } => Refusal.Conflict(
            $"The device is {AvCloudJson.Name(Status)}; only a device in service is checked out.", $"device is {AvCloudJson.Name(Status)}"),
        { FaultOpen: true } => Refusal.Conflict(
            "A fault is reported on the device (Art. 4); it goes out again once an inspection clears it.", "fault reported"),
        { LastReturnedAt: { } returned } when checkout.At < returned => Refusal.Conflict(
            $"The device was returned at {returned:O}; a checkout cannot start before that.", "checkout before last return"),
        _ => this with { Holder = checkout },
    };

    /// <summary>
    /// Art. 4: back from the officer who has it. A return follows a checkout and cannot come before it; with
    /// <paramref name="of"/>, only that checkout is ended (a retry after another return finds nothing to end).
    /// </summary>
    public Outcome<Device> Return(DateTimeOffset at, DeviceCheckout? of = null) => Holder switch
    {
        null => Refusal.Conflict("The device is not checked out: a return must follow a checkout.", "not checked out"),
        // A checkout is the officer and the time it began (its ledger line's id), whatever else it records.
        { } holder when of is not null && (holder.OfficerId, holder.At) != (of.OfficerId, of.At) => Refusal.Conflict("The device was returned meanwhile.", "returned meanwhile"),
        { } holder when at < holder.At => Refusal.Conflict($"The device was checked out at {holder.At:O}; it cannot come back before that.", "return before checkout"),
        _ => this with { Holder = null, LastReturnedAt = at },
    };
}

/// <summary>
/// One finished use of a device, from checkout to return: the ledger of Art. 4. Written when the device comes back, with
/// an id made of the device and the checkout time, so writing it again after a failure is harmless.
/// </summary>
public sealed record DeviceUse : IUnitDocument
{
    public const string DocumentType = "deviceUse";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string DeviceId { get; init; }

    public required string OfficerId { get; init; }

    public required DateTimeOffset CheckedOutAt { get; init; }

    public required string HandedOverBy { get; init; }

    public required string ConditionOut { get; init; }

    public DateTimeOffset? ReturnedAt { get; init; }

    public string? ReceivedBy { get; init; }

    public string? ConditionIn { get; init; }

    /// <summary>Art. 7: the pre-use check at checkout, and why the device went out although it failed.</summary>
    public PreUseCheck? Check { get; init; }

    public string? CheckException { get; init; }

    public IReadOnlyList<string> CheckFailures { get; init; } = [];

    /// <summary>The ledger line of <paramref name="checkout"/> of <paramref name="device"/>, ended at <paramref name="returnedAt"/> (null: still out).</summary>
    public static DeviceUse Of(Device device, DeviceCheckout checkout, DateTimeOffset? returnedAt = null, string? receivedBy = null, string? conditionIn = null) => new()
    {
        Id = IdFor(device.Id, checkout.At),
        UnitId = device.UnitId,
        DeviceId = device.Id,
        OfficerId = checkout.OfficerId,
        CheckedOutAt = checkout.At,
        HandedOverBy = checkout.HandedOverBy,
        ConditionOut = checkout.Condition,
        ReturnedAt = returnedAt,
        ReceivedBy = receivedBy,
        ConditionIn = conditionIn,
        Check = checkout.Check,
        CheckException = checkout.CheckException,
        CheckFailures = checkout.CheckFailures,
    };

    public static string IdFor(string deviceId, DateTimeOffset checkedOutAt) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{deviceId}.use.{checkedOutAt.UtcTicks:D19}");
}

/// <summary>
/// Art. 4 and 18 at ingest: whom a recording belongs to by the ledger (the device's holder when it was recorded), and
/// whether that differs from the officer the dock reported, or the device was not checked out at all (lending, misuse).
/// </summary>
public sealed record Attribution(string? Holder, bool CheckedOut, bool OfficerMatches);
