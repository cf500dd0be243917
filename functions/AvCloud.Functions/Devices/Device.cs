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
public sealed record DeviceCheckout(string OfficerId, DateTimeOffset At, string HandedOverBy, string Condition);

/// <summary>A change of a device's status, with its reason.</summary>
public sealed record DeviceStatusChange(DeviceStatus From, DeviceStatus To, string Reason, string By, DateTimeOffset At);

/// <summary>
/// A recording device of a unit (Art. 4), in the <c>devices</c> container (partition <c>/unitId</c>, id = the device id
/// the dock reports). Its current holder lives on the device document itself, so a checkout is one conditional write and
/// a device can never be checked out twice.
/// </summary>
public sealed record Device
{
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
}

/// <summary>
/// One finished use of a device, from checkout to return: the ledger of Art. 4. Written when the device comes back, with
/// an id made of the device and the checkout time, so writing it again after a failure is harmless.
/// </summary>
public sealed record DeviceUse
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

    public static string IdFor(string deviceId, DateTimeOffset checkedOutAt) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{deviceId}.use.{checkedOutAt.UtcTicks:D19}");
}

/// <summary>
/// Art. 4 and 18 at ingest: whom a recording belongs to by the ledger (the device's holder when it was recorded), and
/// whether that differs from the officer the dock reported, or the device was not checked out at all (lending, misuse).
/// </summary>
public sealed record Attribution(string? Holder, bool CheckedOut, bool OfficerMatches);
