using System.ComponentModel.DataAnnotations;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Devices;

public sealed record DeviceRegistration([Required] string? Id, [Required] DeviceKind? Kind, [Required] string? Serial, [Required] string? Model);

public sealed record DeviceStatusBody([Required] DeviceStatus? Status, [Required] string? Reason);

/// <summary>Art. 7: the pre-use check as measured: battery charge, free storage, and whether the clock was set to the current time.</summary>
public sealed record PreUseCheckBody([Required] int? BatteryPercent, [Required] int? StorageFreeMb, [Required] bool? ClockSet);

public sealed record CheckoutBody([Required] string? OfficerId, [Required] string? Condition, DateTimeOffset? At = null, [Required] PreUseCheckBody? Check = null,
    string? CheckException = null);

public sealed record MaintenanceBody([Required] MaintenanceKind? Kind, [Required] string? Note, DateTimeOffset? At = null);

public sealed record ReturnBody([Required] string? Condition, DateTimeOffset? At = null);

public sealed record DevicePage(IReadOnlyList<Device> Items, string? ContinuationToken);

/// <summary>What a recording in the ledger shows: which recording, when, and whom the dock said made it.</summary>
public sealed record LedgerRecording(string FootageId, DateTimeOffset Start, DateTimeOffset End, string ReportedOfficer);

/// <summary>One use of the device (the current one has no return yet) and what was recorded during it.</summary>
public sealed record LedgerUse(DeviceUse Use, IReadOnlyList<LedgerRecording> Recordings);

/// <summary>The ledger of one device: each use with its recordings, and recordings made outside any use.</summary>
public sealed record DeviceLedger(Device Device, IReadOnlyList<LedgerUse> Uses, IReadOnlyList<LedgerRecording> OutsideAnyUse)
{
    /// <summary>Art. 4: the device's upkeep in the period (faults, repairs, inspections).</summary>
    public IReadOnlyList<MaintenanceEntry> Maintenance { get; init; } = [];

    /// <summary>Art. 4: each use with what was recorded during it, within <paramref name="from"/>..<paramref name="to"/>.</summary>
    public static DeviceLedger Of(Device device, IEnumerable<DeviceUse> finished, IEnumerable<FootageRecord> recorded, DateTimeOffset from, DateTimeOffset to)
    {
        var uses = finished.Where(u => u.ReturnedAt >= from && u.CheckedOutAt <= to).ToList();
        if (device.Holder is { } holder && holder.At <= to)
        {
            uses.Add(DeviceUse.Of(device, holder));
        }

        var recordings = recorded.Where(r => r.CorrectedStart >= from && r.CorrectedStart <= to).ToList();
        static LedgerRecording Line(FootageRecord r) => new(r.Id, r.CorrectedStart, r.CorrectedEnd, r.OfficerId);
        static bool During(FootageRecord r, DeviceUse u) => r.CorrectedStart >= u.CheckedOutAt && r.CorrectedStart <= (u.ReturnedAt ?? DateTimeOffset.MaxValue);
        return new DeviceLedger(device,
            [.. uses.Select(u => new LedgerUse(u, [.. recordings.Where(r => During(r, u)).Select(Line)]))],
            [.. recordings.Where(r => !uses.Any(u => During(r, u))).Select(Line)])
        {
            Maintenance = [.. device.Maintenance.Where(m => m.At >= from && m.At <= to)],
        };
    }
}

/// <summary>
/// Art. 4: the unit's recording devices and the ledger of who had each, when, and what was recorded.
/// <c>POST /api/devices</c> registers one (Keeper); <c>PUT .../status</c> sends it for repair or retires it;
/// <c>POST .../checkouts</c> and <c>.../returns</c> hand it over and take it back (the rules are on <see cref="Device"/>);
/// <c>GET .../ledger</c> shows each use with its recordings (those the reader may see: Art. 14). Every change is audited,
/// refusals too.
/// </summary>
public sealed class ManageDevices(DeviceStore devices, FootageStore footage, Retention.UnitStore units, AuditTrail audit, TimeProvider time)
{
    private const int MaxBodyBytes = 8 * 1024;

    [Function("RegisterDevice")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(DeviceRegistration))]
    [Answers(StatusCodes.Status201Created, typeof(Device))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/devices")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<DeviceRegistration>(request, MaxBodyBytes, cancellationToken, errors);
        var id = Fields.Id(body.Id, "id", "device id", errors);
        var kind = Fields.Required(body.Kind, "kind", errors);
        var serial = Fields.Text(body.Serial, "serial", 500, errors);
        var model = Fields.Text(body.Model, "model", 500, errors);
        ProblemException.ThrowIfAny(errors);

        var device = new Device
        {
            Id = id!,
            UnitId = caller.UnitId,
            Kind = kind!.Value,
            Serial = serial!,
            Model = model!,
            RegisteredBy = caller.UserId,
            RegisteredAt = time.GetUtcNow(),
        };
        var registered = AuditEntry.By(caller, AuditAction.DeviceRegistered, Target(device.Id), AuditOutcomes.Success,
            new Dictionary<string, string> { ["kind"] = AvCloudJson.Name(device.Kind), ["serial"] = device.Serial });
        if (!await devices.RegisterAsync(device, registered, cancellationToken))
        {
            throw new Refusal(StatusCodes.Status409Conflict, "Already registered.", $"Device {device.Id} is already in your unit's registry.", "already registered")
                .Audited(AuditAction.DeviceRegistered, Target(device.Id));
        }

        return TypedResults.Created($"/api/devices/{device.Id}", device);
    }

    [Function("ListDevices")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(DevicePage))]
    [Query("status", "inService, underRepair or retired.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/devices")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var page = await devices.PageAsync(caller.UnitId, Listing.Enum<DeviceStatus>(request.Query, "status"), request.Query, cancellationToken);
        return TypedResults.Ok(new DevicePage([.. page], page.ContinuationToken));
    }

    [Function("GetDevice")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(Device))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/devices/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(request.Caller(), id, cancellationToken));

    [Function("SetDeviceStatus")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(DeviceStatusBody))]
    [Answers(StatusCodes.Status200OK, typeof(Device))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> SetStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/devices/{id}/status")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<DeviceStatusBody>(request, MaxBodyBytes, cancellationToken, errors);
        var status = Fields.Required(body.Status, "status", errors);
        ProblemException.ThrowIfAny(errors);
        var reason = ProblemException.RequireReason(body.Reason, "Changing a device's status");

        var now = time.GetUtcNow();
        var changed = (await devices.ChangeAsync(caller.UnitId, id, d => d.ChangeStatus(status!.Value, reason, caller.UserId, now),
            (before, after) => AuditEntry.By(caller, AuditAction.DeviceStatusChanged, Target(id), AuditOutcomes.Success,
                new Dictionary<string, string> { ["from"] = AvCloudJson.Name(before.Status), ["to"] = AvCloudJson.Name(after.Status), ["reason"] = reason }),
            cancellationToken)).OrRefuse(AuditAction.DeviceStatusChanged, Target(id));
        return TypedResults.Ok(changed);
    }

    [Function("CheckoutDevice")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(CheckoutBody))]
    [Answers(StatusCodes.Status200OK, typeof(Device))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Checkout(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/devices/{id}/checkouts")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<CheckoutBody>(request, MaxBodyBytes, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var officer = Fields.Id(body.OfficerId, "officerId", "officer id", errors);
        var condition = Fields.Text(body.Condition, "condition", 500, errors);
        var at = When(body.At, time.GetUtcNow(), errors);
        var exception = Fields.Text(body.CheckException, "checkException", 1000, errors, required: false);
        var check = PreUseCheckOf(body.Check, errors);
        ProblemException.ThrowIfAny(errors);

        // Art. 7: the check is judged against the unit's figures as the device changes hands; a failure is refused (and
        // audited) unless the keeper records why it must go out anyway.
        var rules = (await units.SettingsAsync(caller.UnitId, cancellationToken)).Obligations;
        var judged = new DeviceCheckout(officer!, at, caller.UserId, condition!) { Check = check, CheckException = exception }.Checked(rules);
        var checkout = judged.Value;
        var changed = (await devices.ChangeAsync(caller.UnitId, id, d => checkout is null ? judged.Refusal! : d.CheckOut(checkout),
            (_, _) => AuditEntry.By(caller, AuditAction.DeviceCheckedOut, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["officer"] = checkout!.OfficerId,
                ["at"] = at.ToString("O"),
                ["condition"] = checkout.Condition,
                ["check"] = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"battery {check!.BatteryPercent}%, free {check.StorageFreeMb} MB, clock {(check.ClockSet ? "set" : "not set")}"),
                ["checkFailures"] = string.Join("; ", checkout.CheckFailures),
                ["checkException"] = checkout.CheckException ?? "",
            }),
            cancellationToken)).OrRefuse(AuditAction.DeviceCheckedOut, Target(id), new Dictionary<string, string> { ["officer"] = officer! });
        return TypedResults.Ok(changed);
    }

    [Function("ReturnDevice")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(ReturnBody))]
    [Answers(StatusCodes.Status200OK, typeof(DeviceUse))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Return(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/devices/{id}/returns")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ReturnBody>(request, MaxBodyBytes, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var condition = Fields.Text(body.Condition, "condition", 500, errors);
        var at = When(body.At, time.GetUtcNow(), errors);
        ProblemException.ThrowIfAny(errors);

        var current = await ReadAsync(caller, id, cancellationToken);
        current.Return(at).OrRefuse(AuditAction.DeviceReturned, Target(id));
        var holder = current.Holder!;

        // The ledger line first (its id makes a retry harmless), then the device is free again: only that checkout is ended.
        var use = await devices.RecordUseAsync(DeviceUse.Of(current, holder, at, caller.UserId, condition), cancellationToken);
        (await devices.ChangeAsync(caller.UnitId, id, d => d.Return(use.ReturnedAt!.Value, holder),
            (_, _) => AuditEntry.By(caller, AuditAction.DeviceReturned, Target(id), AuditOutcomes.Success,
                new Dictionary<string, string> { ["officer"] = use.OfficerId, ["at"] = use.ReturnedAt!.Value.ToString("O"), ["condition"] = use.ConditionIn! }),
            cancellationToken)).OrRefuse(AuditAction.DeviceReturned, Target(id));
        return TypedResults.Ok(use);
    }

    [Function("RecordDeviceMaintenance")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(MaintenanceBody))]
    [Answers(StatusCodes.Status200OK, typeof(Device))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Maintain(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/devices/{id}/maintenance")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<MaintenanceBody>(request, MaxBodyBytes, cancellationToken, errors);
        var kind = Fields.Required(body.Kind, "kind", errors);
        var note = Fields.Text(body.Note, "note", 1000, errors);
        var at = When(body.At, time.GetUtcNow(), errors);
        ProblemException.ThrowIfAny(errors);

        var entry = new MaintenanceEntry(kind!.Value, note!, caller.UserId, at);
        var changed = (await devices.ChangeAsync(caller.UnitId, id, d => d.Maintain(entry),
            (_, after) => AuditEntry.By(caller, AuditAction.DeviceMaintained, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["kind"] = AvCloudJson.Name(entry.Kind),
                ["note"] = entry.Note,
                ["at"] = at.ToString("O"),
                ["status"] = AvCloudJson.Name(after.Status),
            }),
            cancellationToken)).OrRefuse(AuditAction.DeviceMaintained, Target(id), new Dictionary<string, string> { ["kind"] = AvCloudJson.Name(entry.Kind) });
        return TypedResults.Ok(changed);
    }

    [Function("ReadDeviceLedger")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(DeviceLedger))]
    [Query("from", "Uses and recordings from (ISO 8601).")]
    [Query("to", "Uses and recordings to (ISO 8601).")]
    public async Task<IResult> Ledger(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/devices/{id}/ledger")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var device = await ReadAsync(caller, id, cancellationToken);
        var from = Listing.Time(request.Query, "from") ?? DateTimeOffset.MinValue;
        var to = Listing.Time(request.Query, "to") ?? DateTimeOffset.MaxValue;
        var uses = await devices.UsesAsync(caller.UnitId, id, cancellationToken);
        // Art. 14: recordings the reader may not see are not in their ledger at all, not even counted: a count per use
        // would place them in time and with an officer, and the period (from, to) would narrow that down.
        var recorded = new List<FootageRecord>();
        await foreach (var record in footage.FindAsync(caller.UnitId, new FootageFilter(Device: id, Clearance: AccessRules.ClearanceOf(caller)), cancellationToken))
        {
            recorded.Add(record);
        }

        await audit.RecordAsync(caller, AuditAction.DeviceLedgerRead, Target(id), null, cancellationToken);
        return TypedResults.Ok(DeviceLedger.Of(device, uses, recorded, from, to));
    }

    private async Task<Device> ReadAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await devices.ReadAsync(caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such device in your unit.");

    private static string Target(string id) => $"devices/{id}";

    private static PreUseCheck? PreUseCheckOf(PreUseCheckBody? body, Dictionary<string, string[]> errors)
    {
        if (body is not { BatteryPercent: { } battery and >= 0 and <= 100, StorageFreeMb: { } free and >= 0, ClockSet: { } clockSet })
        {
            errors["check"] = ["Record the pre-use check (Art. 7): batteryPercent (0 to 100), storageFreeMb (0 or more) and clockSet (true or false)."];
            return null;
        }

        return new PreUseCheck(battery, free, clockSet);
    }

    private static DateTimeOffset When(DateTimeOffset? at, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (at > now.AddMinutes(5))
        {
            errors["at"] = ["The time cannot be in the future."];
        }

        return (at ?? now).ToUniversalTime();
    }
}
