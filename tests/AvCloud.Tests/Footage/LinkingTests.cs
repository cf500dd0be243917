using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Footage;

/// <summary>
/// Arts. 5 and 8: recordings are linked to their activity by rule (the ledger's officer, the trusted time, the unit's
/// margin), never over the manifest or a keeper; two fitting activities leave the keeper a decision; keepers relink and
/// unlink with a reason; an activity's new span or officers link again; the report gives the shares.
/// </summary>
public sealed class LinkingTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Nine = Recent.HoursAgo(8);

    private const string Zhang = "officer-zhang";

    private static readonly string[] Wang = ["officer-wang"];

    private sealed record Scene(Dock Dock, string Keeper, string Officer)
    {
        public string Unit => Dock.Unit;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        await fixture.SendAsync(method, path, token, body is null ? null : JsonContent.Create(body));

    /// <summary>A unit whose recorder is checked out to officer Zhang from an hour before nine: the ledger attributes its recordings to Zhang.</summary>
    private async Task<Scene> SceneAsync()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        await dock.RegisterDeviceAsync();
        var keeper = fixture.TokenFor(dock.Unit, Roles.Keeper);
        using var checkout = await SendAsync(HttpMethod.Post, $"/api/devices/{Dock.DeviceId}/checkouts", keeper, new { officerId = Zhang, condition = "ok", at = Nine.AddHours(-1), check = Checks.Passing });
        Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        return new Scene(dock, keeper, fixture.Cloud.Issuer.Mint(Zhang, dock.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
    }

    private async Task<Activity> ActivityAsync(Scene scene, int fromMinute, int toMinute, string kind = "onSiteEnforcement", string officer = Zhang)
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/activities", scene.Keeper, new
        {
            kind, officers = new[] { officer }, place = "No. 3 market", start = Nine.AddMinutes(fromMinute), end = Nine.AddMinutes(toMinute),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Activity>(AvCloudJson.Options, Cancel))!;
    }

    /// <summary>Docks recordings (minutes after nine, optionally naming an activity) and returns their ids once catalogued.</summary>
    private static async Task<IReadOnlyList<string>> DockAsync(Scene scene, int seed, params (int From, int To, string? Activity)[] recordings)
    {
        var contents = recordings.Select((_, i) => SyntheticWav.Create(seed + i, 8000)).ToList();
        var session = await scene.Dock.OpenAsync(Dock.Manifest(Nine.AddHours(3), TimeSpan.Zero, [.. recordings.Select((r, i) => new
        {
            name = $"r{i}.wav", kind = "audio", size = contents[i].Length, sha256 = Dock.Sha256(contents[i]),
            recordedStart = Nine.AddMinutes(r.From), recordedEnd = Nine.AddMinutes(r.To), activityId = r.Activity,
        })]));
        for (var i = 0; i < contents.Count; i++)
        {
            await Dock.UploadAsync(session, $"r{i}.wav", contents[i]);
        }

        var settled = await scene.Dock.SettledAsync(session.SessionId);
        Assert.All(settled.Files, f => Assert.Equal(Functions.Ingest.FileState.Catalogued, f.State));
        return [.. contents.Select(Dock.Sha256)];
    }

    private async Task<IReadOnlyList<AuditEvent>> AuditAsync(Scene scene, AuditAction action)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/audit?action={action.Name}&pageSize=200", fixture.TokenFor(scene.Unit, Roles.Supervisor));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items;
    }

    private async Task<UndecidedPage> UndecidedAsync(Scene scene, string? token = null)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/footage/undecided", token ?? scene.Keeper);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UndecidedPage>(AvCloudJson.Options, Cancel))!;
    }

    [Fact]
    public async Task A_recording_of_the_ledgers_officer_is_linked_by_rule_to_the_one_activity_it_overlaps_within_the_margin()
    {
        var scene = await SceneAsync();
        var market = await ActivityAsync(scene, 0, 60);
        await ActivityAsync(scene, 0, 60, officer: "officer-wang");

        // Recorded from five to ten minutes after the activity ended: inside the default 15-minute margin.
        var ids = await DockAsync(scene, 2101, (65, 70, null), (120, 125, null));

        var linked = await scene.Dock.FootageAsync(ids[0]);
        Assert.Equal((market.Id, LinkMethod.Rule, ActivityKind.OnSiteEnforcement), (linked.ActivityId, linked.LinkedBy, linked.ActivityKind));
        Assert.Equal(market.End.AddHours(24), linked.HandoverDeadline);
        var alone = await scene.Dock.FootageAsync(ids[1]);
        Assert.Equal((null, null), (alone.ActivityId, alone.LinkedBy));
        var audited = Assert.Single(await AuditAsync(scene, AuditAction.FootageLinked));
        Assert.Equal(("system:link", $"footage/{ids[0]}", "rule", market.Id), (audited.Actor, audited.Target, audited.Details["by"], audited.Details["activity"]));
    }

    [Fact]
    public async Task The_margin_is_the_units_setting_and_a_margin_out_of_bounds_is_refused()
    {
        var scene = await SceneAsync();
        var head = fixture.TokenFor(scene.Unit, Roles.Head);
        object Settings(int margin) => new { name = "unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, linkMarginMinutes = margin };
        using (var refused = await SendAsync(HttpMethod.Put, $"/api/units/{scene.Unit}/settings", head, Settings(241)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("linkMarginMinutes", await refused.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }

        using (var narrowed = await SendAsync(HttpMethod.Put, $"/api/units/{scene.Unit}/settings", head, Settings(2)))
        {
            Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        }

        await ActivityAsync(scene, 0, 60);
        var ids = await DockAsync(scene, 2111, (65, 70, null));

        Assert.Null((await scene.Dock.FootageAsync(ids[0])).ActivityId);
    }

    [Fact]
    public async Task Two_fitting_activities_leave_the_recording_unlinked_and_the_keepers_list_shows_both_until_a_keeper_decides_with_a_reason()
    {
        var scene = await SceneAsync();
        var first = await ActivityAsync(scene, 0, 60);
        var second = await ActivityAsync(scene, 30, 90, "investigation");
        var ids = await DockAsync(scene, 2121, (40, 45, null));

        var undecided = Assert.Single((await UndecidedAsync(scene)).Items);
        Assert.Equal(ids[0], undecided.Footage.Id);
        Assert.Null(undecided.Footage.ActivityId);
        Assert.Equal(new[] { first.Id, second.Id }.Order(StringComparer.Ordinal), undecided.Candidates.Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { first.Id, second.Id }.Order(StringComparer.Ordinal), undecided.Footage.LinkCandidates);
        Assert.Single(await AuditAsync(scene, AuditAction.FootageLinkUndecided));
        using (var bySupervisor = await SendAsync(HttpMethod.Get, "/api/footage/undecided", fixture.TokenFor(scene.Unit, Roles.Supervisor)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, bySupervisor.StatusCode);
        }

        Assert.Empty((await UndecidedAsync(scene, fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], Roles.Keeper))).Items);

        using var noReason = await SendAsync(HttpMethod.Put, $"/api/footage/{ids[0]}/activity", scene.Keeper, new { activityId = second.Id });
        using var decided = await SendAsync(HttpMethod.Put, $"/api/footage/{ids[0]}/activity", scene.Keeper, new { activityId = second.Id, reason = "the investigation's notes name this clip" });

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var record = await scene.Dock.FootageAsync(ids[0]);
        Assert.Equal((second.Id, LinkMethod.Keeper), (record.ActivityId, record.LinkedBy));
        Assert.Empty(record.LinkCandidates);
        Assert.Empty((await UndecidedAsync(scene)).Items);
        var audited = Assert.Single(await AuditAsync(scene, AuditAction.FootageLinked));
        Assert.Equal(("keeper", "the investigation's notes name this clip"), (audited.Details["by"], audited.Details["reason"]));
    }

    [Fact]
    public async Task A_keepers_unlink_needs_a_reason_is_audited_and_the_rule_leaves_it_alone_afterwards()
    {
        var scene = await SceneAsync();
        var market = await ActivityAsync(scene, 0, 60);
        var ids = await DockAsync(scene, 2131, (10, 20, null));
        Assert.Equal(market.Id, (await scene.Dock.FootageAsync(ids[0])).ActivityId);

        using var noReason = await SendAsync(HttpMethod.Delete, $"/api/footage/{ids[0]}/activity", scene.Keeper, new { });
        using var byOfficer = await SendAsync(HttpMethod.Delete, $"/api/footage/{ids[0]}/activity", scene.Officer, new { reason = "mine" });
        using var otherUnit = await SendAsync(HttpMethod.Delete, $"/api/footage/{ids[0]}/activity", fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], Roles.Keeper),
            new { reason = "not theirs" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        Assert.Equal(market.Id, (await scene.Dock.FootageAsync(ids[0])).ActivityId);

        using var unlinked = await SendAsync(HttpMethod.Delete, $"/api/footage/{ids[0]}/activity", scene.Keeper, new { reason = "recorded on the way to lunch" });
        using var again = await SendAsync(HttpMethod.Delete, $"/api/footage/{ids[0]}/activity", scene.Keeper, new { reason = "twice" });
        Assert.Equal(HttpStatusCode.OK, unlinked.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var record = await scene.Dock.FootageAsync(ids[0]);
        Assert.Equal((null, LinkMethod.Keeper), (record.ActivityId, record.LinkedBy));
        var audited = (await AuditAsync(scene, AuditAction.FootageUnlinked)).Where(e => e.Outcome == AuditOutcomes.Success).ToList();
        Assert.Equal(("keeper", "recorded on the way to lunch", market.Id), (Assert.Single(audited).Details["by"], audited[0].Details["reason"], audited[0].Details["previous"]));

        // A new activity that fits it does not undo the keeper's decision.
        await ActivityAsync(scene, 5, 25, "hearing");
        Assert.Equal((null, LinkMethod.Keeper), ((await scene.Dock.FootageAsync(ids[0])).ActivityId, (await scene.Dock.FootageAsync(ids[0])).LinkedBy));
    }

    [Fact]
    public async Task A_manifest_link_is_never_overridden_by_the_rule_when_activities_change()
    {
        var scene = await SceneAsync();
        var named = await ActivityAsync(scene, 0, 60);
        var ids = await DockAsync(scene, 2141, (100, 110, named.Id));
        var record = await scene.Dock.FootageAsync(ids[0]);
        Assert.Equal((named.Id, LinkMethod.Manifest), (record.ActivityId, record.LinkedBy));

        // An activity that fits it by the rule, created and then widened: the manifest's link stands.
        var fitting = await ActivityAsync(scene, 95, 115);
        using var widened = await SendAsync(HttpMethod.Patch, $"/api/activities/{fitting.Id}", scene.Keeper, new { start = Nine.AddMinutes(90), reason = "arrived earlier" });
        Assert.Equal(HttpStatusCode.OK, widened.StatusCode);

        record = await scene.Dock.FootageAsync(ids[0]);
        Assert.Equal((named.Id, LinkMethod.Manifest), (record.ActivityId, record.LinkedBy));
        Assert.Empty(await AuditAsync(scene, AuditAction.FootageLinked));
    }

    [Fact]
    public async Task Changing_an_activitys_span_or_officers_links_the_recordings_it_now_covers_and_lets_go_of_those_it_no_longer_does()
    {
        var scene = await SceneAsync();
        var ids = await DockAsync(scene, 2151, (120, 130, null));
        var market = await ActivityAsync(scene, 0, 60);
        Assert.Null((await scene.Dock.FootageAsync(ids[0])).ActivityId);

        var path = $"/api/activities/{market.Id}";
        using var noReason = await SendAsync(HttpMethod.Patch, path, scene.Keeper, new { end = Nine.AddMinutes(150) });
        using var byOfficer = await SendAsync(HttpMethod.Patch, path, scene.Officer, new { end = Nine.AddMinutes(150), reason = "stayed longer" });
        using var otherUnit = await SendAsync(HttpMethod.Patch, path, fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], Roles.Keeper),
            new { end = Nine.AddMinutes(150), reason = "stayed longer" });
        using var backwards = await SendAsync(HttpMethod.Patch, path, scene.Keeper, new { end = Nine.AddMinutes(-10), reason = "typo" });
        using var nothing = await SendAsync(HttpMethod.Patch, path, scene.Keeper, new { reason = "nothing" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.Null((await scene.Dock.FootageAsync(ids[0])).ActivityId);

        using var longer = await SendAsync(HttpMethod.Patch, path, scene.Keeper, new { end = Nine.AddMinutes(150), reason = "the inspection ran on" });
        Assert.Equal(HttpStatusCode.OK, longer.StatusCode);
        var linked = await scene.Dock.FootageAsync(ids[0]);
        Assert.Equal((market.Id, LinkMethod.Rule), (linked.ActivityId, linked.LinkedBy));
        Assert.Equal(Nine.AddMinutes(150).AddHours(24), linked.HandoverDeadline);
        var changed = Assert.Single(await AuditAsync(scene, AuditAction.ActivityChanged), e => e.Outcome == AuditOutcomes.Success);
        Assert.Equal("the inspection ran on", changed.Details["reason"]);

        // Another officer's activity now: the ledger's officer is no longer among them, and the rule's link goes.
        using var handedOver = await SendAsync(HttpMethod.Patch, path, scene.Keeper, new { officers = Wang, reason = "Wang led it" });
        Assert.Equal(HttpStatusCode.OK, handedOver.StatusCode);
        var unlinked = await scene.Dock.FootageAsync(ids[0]);
        Assert.Equal((null, null), (unlinked.ActivityId, unlinked.LinkedBy));
        Assert.Equal(Nine.AddMinutes(130).AddHours(24), unlinked.HandoverDeadline);
        Assert.Equal("rule", Assert.Single(await AuditAsync(scene, AuditAction.FootageUnlinked)).Details["by"]);
    }

    [Fact]
    public async Task The_same_bytes_docked_twice_at_once_are_linked_once()
    {
        var scene = await SceneAsync();
        var market = await ActivityAsync(scene, 0, 60);
        var content = SyntheticWav.Create(2161, 8000);
        object Manifest() => Dock.Manifest(Nine.AddHours(3), TimeSpan.Zero, new
        {
            name = "same.wav", kind = "audio", size = content.Length, sha256 = Dock.Sha256(content),
            recordedStart = Nine.AddMinutes(10), recordedEnd = Nine.AddMinutes(20),
        });
        var sessions = new[] { await scene.Dock.OpenAsync(Manifest()), await scene.Dock.OpenAsync(Manifest()) };

        await Task.WhenAll(sessions.Select(s => Dock.UploadAsync(s, "same.wav", content)));
        foreach (var session in sessions)
        {
            await scene.Dock.SettledAsync(session.SessionId);
        }

        Assert.Equal(market.Id, (await scene.Dock.FootageAsync(Dock.Sha256(content))).ActivityId);
        Assert.Single(await AuditAsync(scene, AuditAction.FootageLinked));
    }

    [Fact]
    public async Task The_compliance_report_gives_the_share_linked_each_way_and_the_unlinked_ones()
    {
        var scene = await SceneAsync();
        var named = await ActivityAsync(scene, 0, 30);
        await ActivityAsync(scene, 200, 230);
        var kept = await ActivityAsync(scene, 90, 120, officer: "officer-wang");
        var ids = await DockAsync(scene, 2171, (10, 20, named.Id), (205, 215, null), (100, 110, null), (140, 150, null));
        using (var decided = await SendAsync(HttpMethod.Put, $"/api/footage/{ids[2]}/activity", scene.Keeper, new { activityId = kept.Id, reason = "Wang borrowed it" }))
        {
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        }

        var period = $"from={Uri.EscapeDataString(Nine.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(Nine.AddDays(1).ToString("O"))}";
        using var response = await SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", fixture.TokenFor(scene.Unit, Roles.Supervisor));
        var report = (await response.Content.ReadFromJsonAsync<Compliance>(AvCloudJson.Options, Cancel))!;

        Assert.Equal(new LinkShares(4, 1, 1, 1, 1, 0), report.Links);
        Assert.Equal((0.25, 0.25, 0.25, 0.25), (report.Links.ManifestShare, report.Links.RuleShare, report.Links.KeeperShare, report.Links.UnlinkedShare));
        Assert.Equal(ids[3], Assert.Single(report.Unlinked).FootageId);
        using var csv = await SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}&format=csv", fixture.TokenFor(scene.Unit, Roles.Supervisor));
        Assert.Contains("links,rule,,,,1 of 4 (", await csv.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
