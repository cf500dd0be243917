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
    public Task<int> CompletePendingAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        CompletePendingAsync<Device>(Device.DocumentType, before, cancellationToken);

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
}
