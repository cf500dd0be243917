using System.Net;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Audit;

/// <summary>
/// A state change and its audit event never diverge: the event is written in the same document write as the change,
/// and a writer that stops before the chain has it leaves it on the record, where CompleteAuditOutbox finds it and
/// appends it, once.
/// </summary>
public sealed class AuditOutboxTests(LocalCloudFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private Database _database = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // A database of their own, whose audit container the tests take away and give back.
    public async ValueTask InitializeAsync()
    {
        var client = fixture.Cloud.Services.GetRequiredService<CosmosClient>();
        _database = (await client.CreateDatabaseIfNotExistsAsync($"outbox-{Guid.NewGuid():N}"[..20], cancellationToken: Cancel)).Database;
        foreach (var name in CosmosContainers.All.Where(n => n != CosmosContainers.Audit))
        {
            await _database.CreateContainerIfNotExistsAsync(new ContainerProperties(name, CosmosContainers.PartitionKeyPath), cancellationToken: Cancel);
        }
    }

    public async ValueTask DisposeAsync() => await _database.DeleteAsync(cancellationToken: CancellationToken.None);

    private Task<ContainerResponse> CreateAuditContainerAsync() =>
        _database.CreateContainerIfNotExistsAsync(new ContainerProperties(CosmosContainers.Audit, CosmosContainers.PartitionKeyPath), cancellationToken: Cancel);

    private (DeviceStore Devices, AuditTrail Trail) Stores()
    {
        var trail = new AuditTrail(_database, TimeProvider.System);
        return (new DeviceStore(_database, trail), trail);
    }

    private static Device Camera(string unit) => new()
    {
        Id = "cam-1", UnitId = unit, Kind = DeviceKind.BodyWornCamera, Serial = "SN", Model = "M", RegisteredBy = "keeper-1", RegisteredAt = Now,
    };

    private static AuditEntry CheckedOut(string unit) =>
        new(unit, "keeper-1", Roles.Keeper, AuditAction.DeviceCheckedOut, "devices/cam-1", AuditOutcomes.Success, new Dictionary<string, string> { ["officer"] = "officer-zhang" });

    private static async Task<List<AuditEvent>> ChainAsync(AuditTrail trail, string unit)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in trail.ReadChainAsync(unit, Cancel))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task A_change_whose_writer_stopped_before_the_chain_keeps_its_event_and_the_timer_appends_it_once()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var (devices, trail) = Stores();

        // The chain is out of reach while the device is registered and checked out: each writer fails after its record
        // is written.
        await Assert.ThrowsAnyAsync<CosmosException>(() => devices.RegisterAsync(Camera(unit), CheckedOut(unit) with { Action = AuditAction.DeviceRegistered }, Cancel));
        await Assert.ThrowsAnyAsync<CosmosException>(() => devices.ChangeAsync(unit, "cam-1",
            d => d.CheckOut(new DeviceCheckout("officer-zhang", Now, "keeper-1", "ok")), (_, _) => CheckedOut(unit), Cancel));
        var stranded = (await devices.ReadAsync(unit, "cam-1", Cancel))!;
        Assert.Equal("officer-zhang", stranded.Holder!.OfficerId);
        Assert.Equal([AuditAction.DeviceRegistered.Name, AuditAction.DeviceCheckedOut.Name], stranded.Outbox.Select(p => p.Action));

        await CreateAuditContainerAsync();
        Assert.Equal(2, await devices.CompletePendingAsync(DateTimeOffset.UtcNow.AddMinutes(1), Cancel));
        Assert.Equal(0, await devices.CompletePendingAsync(DateTimeOffset.UtcNow.AddMinutes(1), Cancel));

        var told = await ChainAsync(trail, unit);
        Assert.Equal([AuditAction.DeviceRegistered.Name, AuditAction.DeviceCheckedOut.Name], told.Select(e => e.Action));
        Assert.Equal(("officer-zhang", stranded.Outbox[1].Id), (told[1].Details["officer"], told[1].Details[PendingAudit.OutboxDetail]));
        Assert.Empty((await devices.ReadAsync(unit, "cam-1", Cancel))!.Outbox);
        Assert.True(AuditChain.Verify(await ChainAsync(trail, unit), await trail.ReadHeadAsync(unit, Cancel)).Intact);
    }

    [Fact]
    public async Task An_event_already_in_the_chain_is_not_appended_again_when_its_writer_stopped_before_taking_it_off()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var (devices, trail) = Stores();
        await CreateAuditContainerAsync();
        var pending = trail.Pending(CheckedOut(unit)) with { At = DateTimeOffset.UtcNow.AddMinutes(-5) };
        await trail.AppendAsync(pending.ToEntry(unit), Cancel);
        // A record still carrying the event the chain already holds, as a crash right after the append leaves it.
        await _database.GetContainer(CosmosContainers.Devices).CreateItemAsync(Camera(unit) with { Outbox = [pending] }, new PartitionKey(unit), cancellationToken: Cancel);

        Assert.Equal(0, await devices.CompletePendingAsync(DateTimeOffset.UtcNow, Cancel));

        Assert.Single(await ChainAsync(trail, unit));
        Assert.Empty((await devices.ReadAsync(unit, "cam-1", Cancel))!.Outbox);
    }

    [Fact]
    public async Task A_change_made_through_the_API_leaves_nothing_pending_and_callers_never_see_the_outbox()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        using var registered = await fixture.SendAsync(HttpMethod.Post, "/api/devices", fixture.TokenFor(unit, Roles.Keeper),
            System.Net.Http.Json.JsonContent.Create(new { id = "cam-9", kind = "camera", serial = "SN", model = "M" }));
        var text = await registered.Content.ReadAsStringAsync(Cancel);
        using var run = await fixture.Admin.PostAsync("/admin/functions/CompleteAuditOutbox", content: null, Cancel);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.DoesNotContain("outbox", text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await fixture.Cloud.Services.GetRequiredService<DeviceStore>().ReadAsync(unit, "cam-9", Cancel))!.Outbox);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }
}
