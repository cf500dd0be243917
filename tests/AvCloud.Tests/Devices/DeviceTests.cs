using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Devices;

/// <summary>Art. 4 and 18: the device registry, the ledger's rules, and attribution of recordings through real uploads.</summary>
public sealed class DeviceTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Morning = Recent.HoursAgo(12);

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private async Task<HttpResponseMessage> PostAsync(string unit, string path, object body, string role = Roles.Keeper) =>
        await fixture.SendAsync(HttpMethod.Post, path, fixture.TokenFor(unit, role), JsonContent.Create(body));

    private async Task<HttpStatusCode> StatusAsync(string unit, string path, object body, string role = Roles.Keeper)
    {
        using var response = await PostAsync(unit, path, body, role);
        return response.StatusCode;
    }

    private async Task RegisterAsync(string unit, string id = Dock.DeviceId)
    {
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(unit, "/api/devices", new { id, kind = "bodyWornCamera", serial = "SN-1", model = "DSJ-V9" }));
    }

    private async Task<DeviceLedger> LedgerAsync(string unit, string id = Dock.DeviceId)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/devices/{id}/ledger", fixture.TokenFor(unit, Roles.Supervisor));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DeviceLedger>(AvCloudJson.Options, Cancel))!;
    }

    [Fact]
    public async Task A_device_is_checked_out_once_and_returned_after_its_checkout()
    {
        var unit = NewUnit();
        await RegisterAsync(unit);
        var path = $"/api/devices/{Dock.DeviceId}";

        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(unit, $"{path}/returns", new { condition = "good" }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unit, $"{path}/checkouts", new { officerId = "officer-zhang", condition = "charged", at = Morning, check = Checks.Passing }));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(unit, $"{path}/checkouts", new { officerId = "officer-wang", condition = "charged", at = Morning.AddHours(1), check = Checks.Passing }));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(unit, $"{path}/returns", new { condition = "good", at = Morning.AddHours(-1) }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unit, $"{path}/returns", new { condition = "scratched lens", at = Morning.AddHours(9) }));
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(unit, $"{path}/checkouts", new { officerId = "officer-wang", condition = "ok", at = Morning.AddHours(8), check = Checks.Passing }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unit, $"{path}/checkouts", new { officerId = "officer-wang", condition = "ok", at = Morning.AddHours(10), check = Checks.Passing }));

        var ledger = await LedgerAsync(unit);
        Assert.Equal(["officer-zhang", "officer-wang"], ledger.Uses.Select(u => u.Use.OfficerId));
        Assert.Equal("scratched lens", ledger.Uses[0].Use.ConditionIn);
        Assert.Null(ledger.Uses[1].Use.ReturnedAt);
        Assert.Equal("officer-wang", ledger.Device.Holder!.OfficerId);
    }

    [Fact]
    public async Task Registry_errors_are_clear_and_change_nothing()
    {
        var unit = NewUnit();
        await RegisterAsync(unit);

        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(unit, "/api/devices", new { id = Dock.DeviceId, kind = "camera", serial = "x", model = "y" }));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(unit, "/api/devices", new { id = "../etc", kind = "camera", serial = "x", model = "y" }));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(unit, "/api/devices", new { id = "cam-2", kind = "drone", serial = "x", model = "y" }));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(unit, "/api/devices", new { id = "cam-3", kind = "camera", serial = "x", model = "y" }, Roles.Officer));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(unit, $"/api/devices/{Dock.DeviceId}/checkouts", new { condition = "ok" }));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(unit, $"/api/devices/{Dock.DeviceId}/checkouts",
            new { officerId = "officer-zhang", condition = "ok", at = DateTimeOffset.UtcNow.AddDays(1), check = Checks.Passing }));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(NewUnit(), $"/api/devices/{Dock.DeviceId}/checkouts", new { officerId = "officer-zhang", condition = "ok", check = Checks.Passing }));

        using var list = await fixture.SendAsync(HttpMethod.Get, "/api/devices", fixture.TokenFor(unit, Roles.Keeper));
        var device = Assert.Single((await list.Content.ReadFromJsonAsync<DevicePage>(AvCloudJson.Options, Cancel))!.Items);
        Assert.Null(device.Holder);
        Assert.Empty((await LedgerAsync(unit)).Uses);
    }

    [Fact]
    public async Task A_retired_device_cannot_hand_over_footage_and_a_checked_out_one_cannot_be_retired()
    {
        var unit = NewUnit();
        await RegisterAsync(unit);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unit, $"/api/devices/{Dock.DeviceId}/checkouts", new { officerId = "officer-zhang", condition = "ok", check = Checks.Passing }));
        using (var busy = await fixture.SendAsync(HttpMethod.Put, $"/api/devices/{Dock.DeviceId}/status", fixture.TokenFor(unit, Roles.Keeper),
            JsonContent.Create(new { status = "retired", reason = "end of life" })))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unit, $"/api/devices/{Dock.DeviceId}/returns", new { condition = "worn out" }));
        using (var retire = await fixture.SendAsync(HttpMethod.Put, $"/api/devices/{Dock.DeviceId}/status", fixture.TokenFor(unit, Roles.Keeper),
            JsonContent.Create(new { status = "retired", reason = "end of life" })))
        {
            Assert.Equal(HttpStatusCode.OK, retire.StatusCode);
        }

        var content = SyntheticWav.Create(1401, 8000);
        using var opened = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", fixture.DockTokenFor(unit), JsonContent.Create(Dock.Manifest(
            Morning.AddHours(2), TimeSpan.Zero, Dock.FileEntry("r.wav", "audio", content, Morning, TimeSpan.FromSeconds(1)))));
        using var unknown = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", fixture.DockTokenFor(NewUnit()), JsonContent.Create(Dock.Manifest(
            Morning.AddHours(2), TimeSpan.Zero, Dock.FileEntry("r.wav", "audio", content, Morning, TimeSpan.FromSeconds(1)))));

        Assert.True(opened.StatusCode == HttpStatusCode.UnprocessableEntity, await opened.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("deviceId", await unknown.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recordings_are_attributed_to_the_devices_holder_and_lending_or_unchecked_use_is_flagged()
    {
        var unit = NewUnit();
        var dock = new Dock(fixture, unit);
        await dock.RegisterDeviceAsync();
        var path = $"/api/devices/{Dock.DeviceId}";
        // officer-zhang has the device in the morning; in the afternoon nobody has it.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unit, $"{path}/checkouts", new { officerId = "officer-zhang", condition = "ok", at = Morning, check = Checks.Passing }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(unit, $"{path}/returns", new { condition = "ok", at = Morning.AddHours(4) }));

        var own = SyntheticWav.Create(1411, 8000);
        var afternoon = SyntheticWav.Create(1412, 8000);
        var session = await dock.OpenAsync(Dock.Manifest(Morning.AddHours(6), TimeSpan.Zero,
            Dock.FileEntry("own.wav", "audio", own, Morning.AddHours(1), TimeSpan.FromSeconds(1)),
            Dock.FileEntry("late.wav", "audio", afternoon, Morning.AddHours(5), TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "own.wav", own);
        await Dock.UploadAsync(session, "late.wav", afternoon);
        // The same morning recording as reported by a dock that names another officer: lending.
        var lent = SyntheticWav.Create(1413, 8000);
        var lentManifest = Dock.Node(Dock.Manifest(Morning.AddHours(6), TimeSpan.Zero,
            Dock.FileEntry("lent.wav", "audio", lent, Morning.AddHours(2), TimeSpan.FromSeconds(1))));
        lentManifest["officerId"] = "officer-li";
        var lentSession = await dock.OpenAsync(lentManifest);
        await Dock.UploadAsync(lentSession, "lent.wav", lent);
        await dock.SettledAsync(session.SessionId);
        await dock.SettledAsync(lentSession.SessionId);

        Assert.Equal(new Attribution("officer-zhang", true, true), (await dock.FootageAsync(Dock.Sha256(own))).Attribution);
        Assert.Equal(new Attribution(null, false, false), (await dock.FootageAsync(Dock.Sha256(afternoon))).Attribution);
        Assert.Equal(new Attribution("officer-zhang", true, false), (await dock.FootageAsync(Dock.Sha256(lent))).Attribution);

        var ledger = await LedgerAsync(unit);
        var use = Assert.Single(ledger.Uses);
        Assert.Equal([Dock.Sha256(own), Dock.Sha256(lent)], use.Recordings.OrderBy(r => r.Start).Select(r => r.FootageId));
        Assert.Equal(Dock.Sha256(afternoon), Assert.Single(ledger.OutsideAnyUse).FootageId);
    }
}
