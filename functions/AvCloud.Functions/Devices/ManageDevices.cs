using System.Net;
using System.Text.RegularExpressions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Devices;

public sealed record DeviceRegistration(string? Id, string? Kind, string? Serial, string? Model);

public sealed record DeviceStatusBody(string? Status, string? Reason);

public sealed record CheckoutBody(string? OfficerId, string? Condition, DateTimeOffset? At);

public sealed record ReturnBody(string? Condition, DateTimeOffset? At);

public sealed record DevicePage(IReadOnlyList<Device> Items, string? ContinuationToken);

/// <summary>What a recording in the ledger shows: which recording, when, and whom the dock said made it.</summary>
public sealed record LedgerRecording(string FootageId, DateTimeOffset Start, DateTimeOffset End, string ReportedOfficer);

/// <summary>One use of the device (the current one has no return yet) and what was recorded during it.</summary>
public sealed record LedgerUse(DeviceUse Use, IReadOnlyList<LedgerRecording> Recordings);

/// <summary>The ledger of one device: each use with its recordings, and recordings made outside any use.</summary>
public sealed record DeviceLedger(Device Device, IReadOnlyList<LedgerUse> Uses, IReadOnlyList<LedgerRecording> OutsideAnyUse);

/// <summary>
/// Art. 4: the unit's recording devices and the ledger of who had each, when, and what was recorded.
/// <c>POST /api/devices</c> registers one (Keeper); <c>PUT .../status</c> sends it for repair or retires it;
/// <c>POST .../checkouts</c> and <c>.../returns</c> hand it over and take it back (a device cannot be checked out twice,
/// and a return must follow a checkout); <c>GET .../ledger</c> shows each use with its recordings. Every change is audited.
/// </summary>
public sealed partial class ManageDevices(Database database, DeviceRegistry registry, AuditTrail audit, TimeProvider time)
{
    private const int MaxBodyBytes = 8 * 1024;

    private Container Devices => database.GetContainer(CosmosContainers.Devices);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex SafeId();

    [Function("RegisterDevice")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(DeviceRegistration))]
    [Answers(StatusCodes.Status201Created, typeof(Device))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "devices")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<DeviceRegistration>(request, MaxBodyBytes, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (body.Id is null || !SafeId().IsMatch(body.Id))
        {
            errors["id"] = ["The device id is required: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }

        var kind = ParseEnum<DeviceKind>(body.Kind, "kind", errors);
        Fields.Text(body.Serial, "serial", 500, errors);
        Fields.Text(body.Model, "model", 500, errors);
        ProblemException.ThrowIfAny(errors);

        var device = new Device
        {
            Id = body.Id!,
            UnitId = caller.UnitId,
            Kind = kind!.Value,
            Serial = body.Serial!.Trim(),
            Model = body.Model!.Trim(),
            RegisteredBy = caller.UserId,
            RegisteredAt = time.GetUtcNow(),
        };
        try
        {
            await Devices.CreateItemAsync(device, new PartitionKey(caller.UnitId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
        }
        catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ProblemException(StatusCodes.Status409Conflict, "Already registered.", $"Device {device.Id} is already in your unit's registry.");
        }

        await AuditAsync(caller, "device.registered", device.Id, new() { ["kind"] = AvCloudJson.Name(device.Kind), ["serial"] = device.Serial }, cancellationToken);
        return TypedResults.Created($"/api/devices/{device.Id}", device);
    }

    [Function("ListDevices")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(DevicePage))]
    [Query("status", "inService, underRepair or retired.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "devices")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var conditions = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = Device.DocumentType };
        if (Listing.Text(request.Query, "status") is { } text)
        {
            var errors = new Dictionary<string, string[]>();
            var status = ParseEnum<DeviceStatus>(text, "status", errors);
            ProblemException.ThrowIfAny(errors);
            conditions.Add("c.status = @status");
            parameters["@status"] = AvCloudJson.Name(status!.Value);
        }

        var page = await Listing.PageAsync<Device>(Devices, Listing.Where(conditions, parameters, "c.id"), caller.UnitId, request.Query, cancellationToken);
        return TypedResults.Ok(new DevicePage([.. page], page.ContinuationToken));
    }

    [Function("GetDevice")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(Device))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "devices/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(request.Caller(), id, cancellationToken));

    [Function("SetDeviceStatus")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(DeviceStatusBody))]
    [Answers(StatusCodes.Status200OK, typeof(Device))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> SetStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "devices/{id}/status")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<DeviceStatusBody>(request, MaxBodyBytes, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var status = ParseEnum<DeviceStatus>(body.Status, "status", errors);
        ProblemException.ThrowIfAny(errors);
        var reason = ProblemException.RequireReason(body.Reason, "Changing a device's status");
        var current = await ReadAsync(caller, id, cancellationToken);
        var problem = current switch
        {
            { Status: DeviceStatus.Retired } => "A retired device stays retired.",
            { Holder: not null } when status != DeviceStatus.InService => $"The device is checked out to {current.Holder.OfficerId}; take it back first.",
            _ => null,
        };
        if (problem is not null)
        {
            throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", problem);
        }

        var now = time.GetUtcNow();
        var changed = await ChangeAsync(caller, id, d => d.Status == DeviceStatus.Retired || (d.Holder is not null && status != DeviceStatus.InService) ? null : d with
        {
            Status = status!.Value,
            StatusChanges = [.. d.StatusChanges, new DeviceStatusChange(d.Status, status.Value, reason, caller.UserId, now)],
        }, cancellationToken);
        await AuditAsync(caller, "device.status", id, new() { ["from"] = AvCloudJson.Name(current.Status), ["to"] = AvCloudJson.Name(status!.Value), ["reason"] = reason }, cancellationToken);
        return TypedResults.Ok(changed);
    }

    [Function("CheckoutDevice")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(CheckoutBody))]
    [Answers(StatusCodes.Status200OK, typeof(Device))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Checkout(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "devices/{id}/checkouts")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<CheckoutBody>(request, MaxBodyBytes, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (body.OfficerId is null || !SafeId().IsMatch(body.OfficerId))
        {
            errors["officerId"] = ["The officer id is required: 1-128 letters, digits, '.', '_' or '-'."];
        }

        Fields.Text(body.Condition, "condition", 500, errors);
        var now = time.GetUtcNow();
        var at = When(body.At, now, errors);
        ProblemException.ThrowIfAny(errors);

        var current = await ReadAsync(caller, id, cancellationToken);
        var problem = current switch
        {
            { Holder: { } holder } => $"The device is already checked out to {holder.OfficerId} since {holder.At:O}; it must be returned first.",
            { Status: not DeviceStatus.InService } => $"The device is {AvCloudJson.Name(current.Status)}; only a device in service is checked out.",
            { LastReturnedAt: { } returned } when at < returned => $"The device was returned at {returned:O}; a checkout cannot start before that.",
            _ => null,
        };
        if (problem is not null)
        {
            await AuditAsync(caller, "device.checkout", id, new() { ["refused"] = problem }, cancellationToken, AuditOutcomes.Denied);
            throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", problem);
        }

        var checkout = new DeviceCheckout(body.OfficerId!, at, caller.UserId, body.Condition!.Trim());
        var changed = await ChangeAsync(caller, id, d => d.Holder is null && d.Status == DeviceStatus.InService ? d with { Holder = checkout } : null, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", "The device was checked out meanwhile.");
        await AuditAsync(caller, "device.checkout", id, new() { ["officer"] = checkout.OfficerId, ["at"] = at.ToString("O"), ["condition"] = checkout.Condition }, cancellationToken);
        return TypedResults.Ok(changed);
    }

    [Function("ReturnDevice")]
    [RequiresRole(Roles.Keeper)]
    [Accepts(typeof(ReturnBody))]
    [Answers(StatusCodes.Status200OK, typeof(DeviceUse))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Return(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "devices/{id}/returns")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ReturnBody>(request, MaxBodyBytes, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        Fields.Text(body.Condition, "condition", 500, errors);
        var at = When(body.At, time.GetUtcNow(), errors);
        ProblemException.ThrowIfAny(errors);

        var current = await ReadAsync(caller, id, cancellationToken);
        if (current.Holder is not { } holder || at < holder.At)
        {
            var problem = current.Holder is null
                ? "The device is not checked out: a return must follow a checkout."
                : $"The device was checked out at {current.Holder.At:O}; it cannot come back before that.";
            await AuditAsync(caller, "device.return", id, new() { ["refused"] = problem }, cancellationToken, AuditOutcomes.Denied);
            throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", problem);
        }

        // The ledger entry first (its id makes a retry harmless), then the device is free again.
        var use = new DeviceUse
        {
            Id = DeviceUse.IdFor(id, holder.At),
            UnitId = caller.UnitId,
            DeviceId = id,
            OfficerId = holder.OfficerId,
            CheckedOutAt = holder.At,
            HandedOverBy = holder.HandedOverBy,
            ConditionOut = holder.Condition,
            ReturnedAt = at,
            ReceivedBy = caller.UserId,
            ConditionIn = body.Condition!.Trim(),
        };
        try
        {
            await Devices.CreateItemAsync(use, new PartitionKey(caller.UnitId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
        }
        catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
        {
            use = (await Documents.ReadAsync<DeviceUse>(Devices, use.Id, caller.UnitId, cancellationToken))!.Value.Document;
        }

        await ChangeAsync(caller, id, d => d.Holder?.At == holder.At ? d with { Holder = null, LastReturnedAt = use.ReturnedAt } : null, cancellationToken);
        await AuditAsync(caller, "device.return", id, new() { ["officer"] = use.OfficerId, ["at"] = use.ReturnedAt!.Value.ToString("O"), ["condition"] = use.ConditionIn! },
            cancellationToken);
        return TypedResults.Ok(use);
    }

    [Function("ReadDeviceLedger")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(DeviceLedger))]
    [Query("from", "Uses and recordings from (ISO 8601).")]
    [Query("to", "Uses and recordings to (ISO 8601).")]
    public async Task<IResult> Ledger(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "devices/{id}/ledger")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var device = await ReadAsync(caller, id, cancellationToken);
        var from = Listing.Time(request.Query, "from") ?? DateTimeOffset.MinValue;
        var to = Listing.Time(request.Query, "to") ?? DateTimeOffset.MaxValue;
        var partition = new QueryRequestOptions { PartitionKey = new PartitionKey(caller.UnitId) };

        var uses = new List<DeviceUse>();
        var usesQuery = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.deviceId = @device ORDER BY c.checkedOutAt")
            .WithParameter("@type", DeviceUse.DocumentType).WithParameter("@device", id);
        await foreach (var use in Devices.QueryAllAsync<DeviceUse>(usesQuery, partition, cancellationToken))
        {
            if (use.ReturnedAt >= from && use.CheckedOutAt <= to)
            {
                uses.Add(use);
            }
        }

        if (device.Holder is { } holder && holder.At <= to)
        {
            uses.Add(new DeviceUse
            {
                Id = DeviceUse.IdFor(id, holder.At), UnitId = caller.UnitId, DeviceId = id, OfficerId = holder.OfficerId, CheckedOutAt = holder.At,
                HandedOverBy = holder.HandedOverBy, ConditionOut = holder.Condition,
            });
        }

        var recordings = new List<FootageRecord>();
        var footageQuery = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.deviceId = @device ORDER BY c.correctedStart")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@device", id);
        await foreach (var record in database.GetContainer(CosmosContainers.Footage).QueryAllAsync<FootageRecord>(footageQuery, partition, cancellationToken))
        {
            if (record.CorrectedStart >= from && record.CorrectedStart <= to)
            {
                recordings.Add(record);
            }
        }

        static LedgerRecording Line(FootageRecord r) => new(r.Id, r.CorrectedStart, r.CorrectedEnd, r.OfficerId);
        bool During(FootageRecord r, DeviceUse u) => r.CorrectedStart >= u.CheckedOutAt && r.CorrectedStart <= (u.ReturnedAt ?? DateTimeOffset.MaxValue);
        await AuditAsync(caller, "device.ledger", id, [], cancellationToken);
        return TypedResults.Ok(new DeviceLedger(device,
            [.. uses.Select(u => new LedgerUse(u, [.. recordings.Where(r => During(r, u)).Select(Line)]))],
            [.. recordings.Where(r => !uses.Any(u => During(r, u))).Select(Line)]));
    }

    private async Task<Device> ReadAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await registry.ReadAsync(caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such device in your unit.");

    private async Task<Device?> ChangeAsync(Caller caller, string id, Func<Device, Device?> change, CancellationToken cancellationToken) =>
        await Documents.ChangeAsync(Devices, id, caller.UnitId, change, cancellationToken);

    private Task<AuditEvent> AuditAsync(Caller caller, string action, string id, Dictionary<string, string> details, CancellationToken cancellationToken,
        string outcome = AuditOutcomes.Success) =>
        audit.AppendAsync(AuditEntry.By(caller, action, $"devices/{id}", outcome, details), cancellationToken);

    private static DateTimeOffset When(DateTimeOffset? at, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        if (at > now.AddMinutes(5))
        {
            errors["at"] = ["The time cannot be in the future."];
        }

        return (at ?? now).ToUniversalTime();
    }

    private static T? ParseEnum<T>(string? value, string field, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        var match = AvCloudJson.Parse<T>(value);
        if (match is null)
        {
            errors[field] = [$"The {field} is one of: {AvCloudJson.Names<T>()}."];
        }

        return match;
    }
}
