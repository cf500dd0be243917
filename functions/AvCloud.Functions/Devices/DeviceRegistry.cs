using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Devices;

/// <summary>Reads the device registry and ledger for other features: ingest checks devices and attributes recordings.</summary>
public sealed class DeviceRegistry(Database database)
{
    private Container Devices => database.GetContainer(CosmosContainers.Devices);

    public async Task<Device?> ReadAsync(string unitId, string deviceId, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<Device>(Devices, deviceId, unitId, cancellationToken))?.Document is { Type: Device.DocumentType } device ? device : null;

    /// <summary>Who held <paramref name="deviceId"/> at <paramref name="at"/> by the ledger, and whether that is <paramref name="reportedOfficer"/>.</summary>
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
        await foreach (var use in Devices.QueryAllAsync<DeviceUse>(query, new QueryRequestOptions { PartitionKey = new PartitionKey(unitId) }, cancellationToken))
        {
            return use.OfficerId;
        }

        return null;
    }
}
