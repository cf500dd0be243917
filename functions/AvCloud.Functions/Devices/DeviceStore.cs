using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Devices;

/// <summary>
/// The <c>devices</c> container: each unit's devices (<see cref="Device"/>, id = the device id the dock reports) and
/// the ledger of their finished uses (<see cref="DeviceUse"/>).
/// </summary>
public sealed class DeviceStore(Database database, Audit.AuditTrail audit) : CosmosStore(database, CosmosContainers.Devices, audit)
{
    private static readonly Refusal NoSuchDevice = Refusal.NotFound("No such device in your unit.");

    public Task<Device?> ReadAsync(string unitId, string id, CancellationToken cancellationToken) =>
        ReadAsync<Device>(unitId, id, Device.DocumentType, cancellationToken);

    /// <summary>Adds a device to the registry, with its audit event; false when the unit already has one with its id.</summary>
    public Task<bool> RegisterAsync(Device device, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync(device, audited, cancellationToken);

    /// <summary>The device changed by <paramref name="transition"/>, with the audit event <paramref name="audited"/> makes of it (before, after).</summary>
    public Task<Outcome<Device>> ChangeAsync(string unitId, string id, Func<Device, Outcome<Device>> transition, Func<Device, Device, Audit.AuditEntry> audited,
        CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, Device.DocumentType, NoSuchDevice, transition, audited, cancellationToken);

    /// <summary>All units: audit events a writer left on devices older than <paramref name="before"/>, appended now.</summary>
    public async Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        await CompletePendingAsync<Device>(Device.DocumentType, before, cancellationToken)
        + await CompletePendingAsync<Officers.Officer>(Officers.Officer.DocumentType, before, cancellationToken);

    public Task<Microsoft.Azure.Cosmos.FeedResponse<Device>> PageAsync(string unitId, DeviceStatus? status, IQueryCollection request, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type" + (status is null ? "" : " AND c.status = @status") + " ORDER BY c.id")
            .WithParameter("@type", Device.DocumentType);
        return PageAsync<Device>(unitId, status is { } wanted ? query.WithParameter("@status", AvCloudJson.Name(wanted)) : query, request, cancellationToken);
    }

    /// <summary>Writes the ledger line of a finished use; a retry finds it already written (its id is the device and checkout time) and keeps that one.</summary>
    public async Task<DeviceUse> RecordUseAsync(DeviceUse use, CancellationToken cancellationToken) =>
        await CreateAsync(use, cancellationToken) ? use : (await ReadAsync<DeviceUse>(use.UnitId, use.Id, DeviceUse.DocumentType, cancellationToken))!;

    /// <summary>The device's finished uses, oldest first.</summary>
    public Task<List<DeviceUse>> UsesAsync(string unitId, string deviceId, CancellationToken cancellationToken) =>
        ListAsync<DeviceUse>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.deviceId = @device ORDER BY c.checkedOutAt")
            .WithParameter("@type", DeviceUse.DocumentType).WithParameter("@device", deviceId), cancellationToken);

    /// <summary>Art. 4 and 18 at ingest: who held <paramref name="deviceId"/> at <paramref name="at"/> by the ledger, and whether that is <paramref name="reportedOfficer"/>.</summary>
    public async Task<Attribution> AttributeAsync(string unitId, string deviceId, DateTimeOffset at, string reportedOfficer, CancellationToken cancellationToken)
    {
        var holder = await HolderAsync(unitId, deviceId, at, cancellationToken);
        return new Attribution(holder, holder is not null, holder == reportedOfficer);
    }

    private async Task<string?> HolderAsync(string unitId, string deviceId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await ReadAsync(unitId, deviceId, cancellationToken) is { Holder: { } current } && current.At <= at)
        {
            return current.OfficerId;
        }

        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.deviceId = @device AND c.checkedOutAt <= @at AND c.returnedAt >= @at")
            .WithParameter("@type", DeviceUse.DocumentType).WithParameter("@device", deviceId).WithParameter("@at", at);
        await foreach (var use in QueryAsync<DeviceUse>(unitId, query, cancellationToken))
        {
            return use.OfficerId;
        }

        return null;
    }

    private static readonly Refusal NoSuchOfficer = Refusal.NotFound("No such officer on your unit's roster.");

    /// <summary>Art. 3: adds an officer to the roster, with its audit event; false when the unit already has one with its id.</summary>
    public Task<bool> RegisterAsync(Officers.Officer officer, Audit.AuditEntry audited, CancellationToken cancellationToken) => CreateAsync(officer, audited, cancellationToken);

    public Task<Outcome<Officers.Officer>> ChangeOfficerAsync(string unitId, string id, Func<Officers.Officer, Outcome<Officers.Officer>> transition,
        Func<Officers.Officer, Officers.Officer, Audit.AuditEntry> audited, CancellationToken cancellationToken) =>
        ChangeAsync(unitId, id, Officers.Officer.DocumentType, NoSuchOfficer, transition, audited, cancellationToken);

    public Task<FeedResponse<Officers.Officer>> PageOfficersAsync(string unitId, Officers.OfficerStatus? status, IQueryCollection request, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type" + (status is null ? "" : " AND c.status = @status") + " ORDER BY c.id")
            .WithParameter("@type", Officers.Officer.DocumentType);
        return PageAsync<Officers.Officer>(unitId, status is { } wanted ? query.WithParameter("@status", AvCloudJson.Name(wanted)) : query, request, cancellationToken);
    }

    /// <summary>Art. 3: the whole roster, by id.</summary>
    public Task<List<Officers.Officer>> OfficersAsync(string unitId, CancellationToken cancellationToken) =>
        ListAsync<Officers.Officer>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type ORDER BY c.id").WithParameter("@type", Officers.Officer.DocumentType),
            cancellationToken);

    /// <summary>Arts. 3 and 4: every device of the unit, by id.</summary>
    public Task<List<Device>> DevicesAsync(string unitId, CancellationToken cancellationToken) =>
        ListAsync<Device>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type ORDER BY c.id").WithParameter("@type", Device.DocumentType), cancellationToken);

    /// <summary>Art. 7: the finished uses that began in the period, oldest first.</summary>
    public Task<List<DeviceUse>> UsesCheckedOutInAsync(string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ListAsync<DeviceUse>(unitId, new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.checkedOutAt >= @from AND c.checkedOutAt <= @to ORDER BY c.checkedOutAt")
            .WithParameter("@type", DeviceUse.DocumentType).WithParameter("@from", from).WithParameter("@to", to), cancellationToken);
}
