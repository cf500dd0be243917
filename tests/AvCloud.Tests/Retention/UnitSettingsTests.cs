using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Retention;

public sealed class UnitSettingsTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private async Task<HttpResponseMessage> PutAsync(string unit, object body, string role = Roles.Head, string? id = null) =>
        await fixture.SendAsync(HttpMethod.Put, $"/api/units/{id ?? unit}/settings", fixture.TokenFor(unit, role), JsonContent.Create(body));

    private async Task<UnitSettings> GetAsync(string unit)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/units/{unit}/settings", fixture.TokenFor(unit, Roles.Keeper));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UnitSettings>(AvCloudJson.Options, Cancel))!;
    }

    [Fact]
    public async Task A_unit_without_settings_has_the_defaults()
    {
        var settings = await GetAsync(NewUnit());

        Assert.Equal(24, settings.RetentionMonths["default"]);
        Assert.Equal(PolicyMode.Locked, settings.PolicyMode);
        Assert.Equal(7, settings.RecoveryWindowDays);
    }

    [Fact]
    public async Task The_head_lengthens_retention_and_new_footage_is_kept_for_it()
    {
        var unit = NewUnit();
        using var put = await PutAsync(unit, new
        {
            name = "第三执法大队", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 36, ["complaint"] = 60 },
            recoveryWindowDays = 10,
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(36, (await GetAsync(unit)).RetentionMonths["default"]);

        var dock = new Dock(fixture, unit);
        var content = SyntheticWav.Create(801, 8000);
        var recorded = Recent.HoursAgo(3);
        var session = await dock.OpenAsync(Dock.Manifest(recorded.AddHours(1), TimeSpan.Zero, Dock.FileEntry("s.wav", "audio", content, recorded, TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "s.wav", content);
        await dock.SettledAsync(session.SessionId);

        var kept = await dock.FootageAsync(Dock.Sha256(content));
        Assert.Equal(Recent.KeptFromCatalogue(kept, 36), kept.RetentionUntil);
        Assert.True(kept.RetentionUntil >= recorded.AddMonths(36));
    }

    [Fact]
    public async Task Under_Locked_mode_periods_only_grow_and_the_mode_stays_Locked()
    {
        var unit = NewUnit();
        var settings = new { name = "unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 30 } };
        using (var first = await PutAsync(unit, settings))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var shorter = await PutAsync(unit, settings with { retentionMonths = new Dictionary<string, int> { ["default"] = 12 } });
        using var unlocked = await PutAsync(unit, new { name = "unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 30 }, policyMode = "unlocked" });
        using var badZone = await PutAsync(unit, settings with { timeZone = "Mars/Olympus" });
        using var byKeeper = await PutAsync(unit, settings, Roles.Keeper);
        using var otherUnit = await PutAsync(unit, settings, id: NewUnit());

        Assert.Equal(HttpStatusCode.BadRequest, shorter.StatusCode);
        Assert.Contains("retentionMonths", await shorter.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unlocked.StatusCode);
        Assert.Contains("policyMode", await unlocked.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badZone.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byKeeper.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        Assert.Equal(30, (await GetAsync(unit)).RetentionMonths["default"]);
    }
}
