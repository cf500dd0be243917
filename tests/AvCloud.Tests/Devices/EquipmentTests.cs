using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Officers;
using AvCloud.Functions.Reports;

namespace AvCloud.Tests.Devices;

/// <summary>Arts. 3, 4 and 7 through the API: the roster against the devices, the maintenance log, the pre-use check; each read back from the compliance report.</summary>
public sealed class EquipmentTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Morning = Recent.HoursAgo(12);

    private static readonly string[] Approved = ["DSJ-V9"];

    private static readonly string[] Camera = ["camera"];

    private static readonly string[] Drone = ["drone"];

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string unit, string path, object? body, string role = Roles.Keeper) =>
        await fixture.SendAsync(method, path, fixture.TokenFor(unit, role), body is null ? null : JsonContent.Create(body));

    private async Task<HttpStatusCode> StatusAsync(HttpMethod method, string unit, string path, object? body, string role = Roles.Keeper)
    {
        using var response = await SendAsync(method, unit, path, body, role);
        return response.StatusCode;
    }

    private async Task<T> OkAsync<T>(HttpMethod method, string unit, string path, object? body, string role = Roles.Keeper)
    {
        using var response = await SendAsync(method, unit, path, body, role);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<T>(AvCloudJson.Options, Cancel))!;
    }

    private Task<Compliance> ReportAsync(string unit) =>
        OkAsync<Compliance>(HttpMethod.Get, unit, $"/api/reports/compliance?from={Uri.EscapeDataString(Morning.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}",
            null, Roles.Supervisor);

    private async Task<IReadOnlyList<AuditEvent>> AuditAsync(string unit, AuditAction action) =>
        (await OkAsync<AuditPage>(HttpMethod.Get, unit, $"/api/audit?action={action.Name}", null, Roles.Head)).Items;

    private async Task RegisterDeviceAsync(string unit, string id, string model) =>
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(HttpMethod.Post, unit, "/api/devices", new { id, kind = "bodyWornCamera", serial = $"SN-{id}", model }));

    private async Task PutSettingsAsync(string unit, object obligations)
    {
        using var response = await SendAsync(HttpMethod.Put, unit, $"/api/units/{unit}/settings",
            new { name = unit, timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, obligations }, Roles.Head);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task The_report_counts_devices_per_active_officer_against_the_target_and_flags_models_not_approved()
    {
        var unit = NewUnit();
        await PutSettingsAsync(unit, new { devicesPerOfficer = 1.0, approvedModels = Approved });
        await RegisterDeviceAsync(unit, "bwc-1", "DSJ-V9");
        await RegisterDeviceAsync(unit, "bwc-2", "Cheap-Cam 1");
        foreach (var (id, status, kinds) in new[] { ("officer-zhang", "active", new[] { "bodyWornCamera" }), ("officer-wang", "active", Array.Empty<string>()),
            ("officer-li", "active", new[] { "camera" }), ("officer-zhao", "onLeave", new[] { "bodyWornCamera" }) })
        {
            Assert.Equal(HttpStatusCode.Created, await StatusAsync(HttpMethod.Post, unit, "/api/officers", new { id, name = id, status, issuedKinds = kinds }));
        }

        var equipment = (await ReportAsync(unit)).Articles!.Equipment;
        Assert.Equal(3, equipment.ActiveOfficers);
        Assert.Equal(2, equipment.Devices);
        Assert.Equal(0.67, equipment.DevicesPerOfficer);
        Assert.True(equipment.BelowTarget);
        Assert.Equal(["officer-wang"], equipment.OfficersIssuedNothing);
        Assert.Equal(new UnapprovedDevice("bwc-2", "Cheap-Cam 1"), Assert.Single(equipment.UnapprovedModels));

        // One officer leaves: two devices for two active officers meets the target.
        var departed = await OkAsync<Officer>(HttpMethod.Put, unit, "/api/officers/officer-li", new { name = "Li", status = "departed", issuedKinds = Array.Empty<string>() }, Roles.Head);
        Assert.Equal(OfficerStatus.Departed, departed.Status);
        var after = (await ReportAsync(unit)).Articles!.Equipment;
        Assert.Equal(1.0, after.DevicesPerOfficer);
        Assert.False(after.BelowTarget);
        Assert.Contains(await AuditAsync(unit, AuditAction.OfficerChanged), e => e.Target == "officers/officer-li" && e.Details["status"] == "departed");

        var page = await OkAsync<OfficerPage>(HttpMethod.Get, unit, "/api/officers?status=active", null, Roles.Supervisor);
        Assert.Equal(["officer-wang", "officer-zhang"], page.Items.Select(o => o.Id));
        using var csv = await SendAsync(HttpMethod.Get, unit, $"/api/reports/compliance?format=csv&from={Uri.EscapeDataString(Morning.ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}", null, Roles.Head);
        Assert.Contains("equipment (Art. 3),model not approved,,bwc-2,,Cheap-Cam 1", await csv.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Roster_errors_are_clear_and_change_nothing()
    {
        var unit = NewUnit();
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(HttpMethod.Post, unit, "/api/officers", new { id = "officer-zhang", name = "Zhang", issuedKinds = Camera }));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(HttpMethod.Post, unit, "/api/officers", new { id = "officer-zhang", name = "Other", issuedKinds = Array.Empty<string>() }));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(HttpMethod.Post, unit, "/api/officers", new { id = "../x", name = "X", issuedKinds = Array.Empty<string>() }));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(HttpMethod.Post, unit, "/api/officers", new { id = "officer-q", name = "Q", issuedKinds = Drone }));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(HttpMethod.Post, unit, "/api/officers", new { id = "officer-q", name = "Q", issuedKinds = Array.Empty<string>() }, Roles.Officer));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(HttpMethod.Put, NewUnit(), "/api/officers/officer-zhang", new { name = "Z", status = "onLeave", issuedKinds = Array.Empty<string>() }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(HttpMethod.Put, unit, "/api/officers/officer-zhang", new { name = "Zhang", status = "departed", issuedKinds = Array.Empty<string>() }));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(HttpMethod.Put, unit, "/api/officers/officer-zhang", new { name = "Zhang", status = "active", issuedKinds = Array.Empty<string>() }));
        Assert.Contains(await AuditAsync(unit, AuditAction.OfficerChanged), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "officer departed");

        var officer = Assert.Single((await OkAsync<OfficerPage>(HttpMethod.Get, unit, "/api/officers", null)).Items);
        Assert.Equal(("Zhang", OfficerStatus.Departed), (officer.Name, officer.Status));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(HttpMethod.Put, unit, $"/api/units/{unit}/settings",
            new { name = unit, timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, obligations = new { minBatteryPercent = 0 } }, Roles.Head));
    }

    [Fact]
    public async Task A_device_under_repair_is_refused_at_checkout_until_repaired_and_inspected_and_the_ledger_and_report_show_it()
    {
        var unit = NewUnit();
        await RegisterDeviceAsync(unit, "bwc-1", "DSJ-V9");
        var path = "/api/devices/bwc-1";
        var checkout = new { officerId = "officer-zhang", condition = "ok", check = Checks.Passing };
        await OkAsync<Device>(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "faultReported", note = "lens cracked", at = Morning });
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(HttpMethod.Post, unit, $"{path}/checkouts", checkout));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "repaired", note = "not sent yet" }));
        var sent = await OkAsync<Device>(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "sentForRepair", note = "to the vendor", at = Morning.AddHours(1) });
        Assert.Equal(DeviceStatus.UnderRepair, sent.Status);

        var report = (await ReportAsync(unit)).Articles!;
        var outOfService = Assert.Single(report.DevicesOutOfService);
        Assert.Equal(("bwc-1", DeviceStatus.UnderRepair, MaintenanceKind.SentForRepair), (outOfService.DeviceId, outOfService.Status, outOfService.Last!.Kind));

        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(HttpMethod.Post, unit, $"{path}/checkouts", checkout));
        Assert.Contains(await AuditAsync(unit, AuditAction.DeviceCheckedOut), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "device is underRepair");
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "inspected", note = "not repaired yet" }));
        await OkAsync<Device>(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "repaired", note = "new lens", at = Morning.AddHours(2) }, Roles.Head);
        var back = await OkAsync<Device>(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "inspected", note = "records clearly", at = Morning.AddHours(3) });
        Assert.Equal(DeviceStatus.InService, back.Status);
        await OkAsync<Device>(HttpMethod.Post, unit, $"{path}/checkouts", checkout);

        var ledger = await OkAsync<DeviceLedger>(HttpMethod.Get, unit, $"{path}/ledger", null, Roles.Supervisor);
        Assert.Equal([MaintenanceKind.FaultReported, MaintenanceKind.SentForRepair, MaintenanceKind.Repaired, MaintenanceKind.Inspected], ledger.Maintenance.Select(m => m.Kind));
        Assert.StartsWith("user-", ledger.Maintenance[0].By, StringComparison.Ordinal);
        Assert.Empty((await ReportAsync(unit)).Articles!.DevicesOutOfService);
        Assert.Equal(4, (await AuditAsync(unit, AuditAction.DeviceMaintained)).Count(e => e.Outcome == AuditOutcomes.Success));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "faultReported", note = "x" }, Roles.Officer));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(HttpMethod.Post, unit, $"{path}/maintenance", new { kind = "polished", note = "x" }));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(HttpMethod.Post, NewUnit(), $"{path}/maintenance", new { kind = "faultReported", note = "x" }));
    }

    [Fact]
    public async Task A_failed_pre_use_check_blocks_the_checkout_unless_recorded_as_an_exception_with_a_reason()
    {
        var unit = NewUnit();
        await PutSettingsAsync(unit, new { minBatteryPercent = 70, minStorageFreeMb = 2000 });
        await RegisterDeviceAsync(unit, "bwc-1", "DSJ-V9");
        var path = "/api/devices/bwc-1/checkouts";
        var weak = new { batteryPercent = 40, storageFreeMb = 5000, clockSet = false };

        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(HttpMethod.Post, unit, path, new { officerId = "officer-zhang", condition = "ok" }));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(HttpMethod.Post, unit, path, new { officerId = "officer-zhang", condition = "ok",
            check = new { batteryPercent = 140, storageFreeMb = 5000, clockSet = true } }));
        using (var refused = await SendAsync(HttpMethod.Post, unit, path, new { officerId = "officer-zhang", condition = "ok", check = weak }))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("battery 40% below 70%", await refused.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }

        Assert.Contains(await AuditAsync(unit, AuditAction.DeviceCheckedOut), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"].Contains("clock not set", StringComparison.Ordinal));
        Assert.Null((await OkAsync<Device>(HttpMethod.Get, unit, "/api/devices/bwc-1", null)).Holder);

        var device = await OkAsync<Device>(HttpMethod.Post, unit, path, new { officerId = "officer-zhang", condition = "ok", check = weak, checkException = "only recorder left; urgent inspection" });
        Assert.Equal(["battery 40% below 70%", "clock not set to the current date and time"], device.Holder!.CheckFailures);
        var audited = Assert.Single(await AuditAsync(unit, AuditAction.DeviceCheckedOut), e => e.Outcome == AuditOutcomes.Success);
        Assert.Equal("only recorder left; urgent inspection", audited.Details["checkException"]);

        var exception = Assert.Single((await ReportAsync(unit)).Articles!.CheckoutExceptions);
        Assert.Equal(("bwc-1", "officer-zhang", "only recorder left; urgent inspection"), (exception.DeviceId, exception.OfficerId, exception.Reason));
        Assert.Equal(2, exception.Failures.Count);

        // The exception travels with the use into the ledger when the device comes back.
        await OkAsync<DeviceUse>(HttpMethod.Post, unit, "/api/devices/bwc-1/returns", new { condition = "ok" });
        var use = Assert.Single((await OkAsync<DeviceLedger>(HttpMethod.Get, unit, "/api/devices/bwc-1/ledger", null, Roles.Supervisor)).Uses).Use;
        Assert.Equal((40, false, "only recorder left; urgent inspection"), (use.Check!.BatteryPercent, use.Check.ClockSet, use.CheckException));
        Assert.Single((await ReportAsync(unit)).Articles!.CheckoutExceptions);
    }
}
