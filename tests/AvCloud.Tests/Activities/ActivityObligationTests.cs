using System.Net;
using System.Text.Json.Nodes;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Activities;

/// <summary>Arts. 8 to 13 through the API: what a recording showed, work records filed late, activities away from the unit; each read back from the compliance report.</summary>
public sealed class ActivityObligationTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string[] Zhang = ["officer-zhang"];

    private static readonly string[] Party = ["张某 (the shop's owner)"];

    private static readonly string[] Evidence = ["sales ledger", "price tags"];

    private static readonly string[] None = [];

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private Task<Activity> ActivityAsync(string token, string kind, DateTimeOffset start, DateTimeOffset end, bool away = false) =>
        fixture.OkAsync<Activity>(HttpMethod.Post, "/api/activities", token, new { kind, officers = Zhang, place = "market", start, end, away });

    private Task<Compliance> ReportAsync(string token, DateTimeOffset from) => fixture.ComplianceAsync(token, from, DateTimeOffset.UtcNow.AddMinutes(1));

    private string OfficerToken(string unit, string user = "officer-zhang") =>
        fixture.Cloud.Issuer.Mint(user, unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    [Fact]
    public async Task Required_activities_missing_the_opening_statement_notice_parties_or_photographs_are_listed_by_article()
    {
        var unit = NewUnit();
        var head = fixture.TokenFor(unit, Roles.Head);
        var officer = OfficerToken(unit);
        using (var settings = await fixture.CallAsync(HttpMethod.Put, $"/api/units/{unit}/settings", head, new
        {
            name = unit, timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, obligations = new { noticeWording = "依法执法，全程录音录像。" },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var day = Recent.HoursAgo(20);
        var complete = await ActivityAsync(officer, "hearing", day, day.AddHours(1));
        var partial = await ActivityAsync(officer, "investigation", day.AddHours(2), day.AddHours(3));
        var silent = await ActivityAsync(officer, "onSiteEnforcement", day.AddHours(4), day.AddHours(5));
        var optional = await ActivityAsync(officer, "other", day.AddHours(6), day.AddHours(7));

        var recorded = await fixture.OkAsync<Activity>(HttpMethod.Put, $"/api/activities/{complete.Id}/conduct", officer, new
        {
            openingStatement = true, partyInformed = true, parties = Party, evidenceItems = Evidence, keyMomentsPhotographed = true,
        });
        Assert.Equal(("依法执法，全程录音录像。", true), (recorded.Conduct!.Wording, recorded.Conduct.StandardWording));
        await fixture.OkAsync<Activity>(HttpMethod.Put, $"/api/activities/{partial.Id}/conduct", fixture.TokenFor(unit, Roles.Keeper), new
        {
            openingStatement = true, partyInformed = true, wording = "we are filming you", parties = Party, evidenceItems = None, keyMomentsPhotographed = false,
        });

        // Only the activity's officers, the keeper and the head record it; a bad body is named by field and changes nothing.
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{silent.Id}/conduct", OfficerToken(unit, "officer-wang"), new
        {
            openingStatement = true, partyInformed = true, parties = Party, evidenceItems = None, keyMomentsPhotographed = true,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{silent.Id}/conduct", fixture.TokenFor(unit, Roles.Supervisor), new
        {
            openingStatement = true, partyInformed = true, parties = Party, evidenceItems = None, keyMomentsPhotographed = true,
        }));
        using (var bad = await fixture.CallAsync(HttpMethod.Put, $"/api/activities/{silent.Id}/conduct", officer, new { openingStatement = true, parties = Party }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = await bad.Content.ReadAsStringAsync(Cancel);
            Assert.Contains("partyInformed", problem, StringComparison.Ordinal);
            Assert.Contains("keyMomentsPhotographed", problem, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{silent.Id}/conduct", fixture.TokenFor(NewUnit(), Roles.Keeper), new
        {
            openingStatement = true, partyInformed = true, parties = Party, evidenceItems = None, keyMomentsPhotographed = true,
        }));

        var missing = (await ReportAsync(fixture.TokenFor(unit, Roles.Supervisor), day.AddHours(-1))).Articles!.ConductMissing;
        Assert.DoesNotContain(missing, f => f.ActivityId == complete.Id || f.ActivityId == optional.Id);
        var partialLine = Assert.Single(missing, f => f.ActivityId == partial.Id);
        Assert.Equal(["art9", "art11"], partialLine.Missing);
        Assert.False(partialLine.NoAccount);
        var silentLine = Assert.Single(missing, f => f.ActivityId == silent.Id);
        Assert.Equal(["art8", "art9", "art10", "art11"], silentLine.Missing);
        Assert.True(silentLine.NoAccount);

        var events = await fixture.AuditAsync(head, AuditAction.ActivityConductRecorded);
        Assert.Contains(events, e => e.Target == $"activities/{partial.Id}" && e.Details["missing"] == "art9, art11" && e.Details["standardWording"] == "false");
        Assert.Contains(events, e => e.Target == $"activities/{silent.Id}" && e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task A_work_record_filed_later_than_the_units_setting_allows_is_flagged()
    {
        var unit = NewUnit();
        var head = fixture.TokenFor(unit, Roles.Head);
        var officer = OfficerToken(unit);
        using (var settings = await fixture.CallAsync(HttpMethod.Put, $"/api/units/{unit}/settings", head, new
        {
            name = unit, timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, obligations = new { workRecordDueHours = 3 },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var now = DateTimeOffset.UtcNow;
        var old = await ActivityAsync(officer, "investigation", now.AddHours(-10), now.AddHours(-8));
        var recent = await ActivityAsync(officer, "investigation", now.AddHours(-2), now.AddHours(-1));
        var late = await fixture.OkAsync<WorkRecord>(HttpMethod.Post, $"/api/activities/{old.Id}/work-records", officer, new { reason = "deviceFault", explanation = "battery died" });
        await fixture.OkAsync<WorkRecord>(HttpMethod.Post, $"/api/activities/{recent.Id}/work-records", officer, new { reason = "badWeather", explanation = "downpour" });

        var line = Assert.Single((await ReportAsync(head, now.AddHours(-11))).Articles!.LateWorkRecords);
        Assert.Equal((old.Id, late.Id, "officer-zhang", old.End.AddHours(3)), (line.ActivityId, line.WorkRecordId, line.OfficerId, line.DueBy));
        Assert.InRange(line.HoursLate, 4.9, 5.5);
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Put, $"/api/units/{unit}/settings", head, new
        {
            name = unit, timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, obligations = new { workRecordDueHours = 0 },
        }));
    }

    [Fact]
    public async Task Away_from_the_unit_the_handover_deadline_runs_from_the_return_and_the_report_follows_it()
    {
        var dock = new Dock(fixture, NewUnit());
        var keeper = fixture.TokenFor(dock.Unit, Roles.Keeper);
        var officer = OfficerToken(dock.Unit);
        var now = DateTimeOffset.UtcNow;
        var trip = await ActivityAsync(officer, "investigation", now.AddHours(-74), now.AddHours(-73), away: true);
        var content = SyntheticWav.Create(2101, 8000);
        var session = await dock.OpenAsync(Dock.Manifest(now.AddMinutes(-5), TimeSpan.Zero, new
        {
            name = "trip.wav", kind = "audio", size = content.Length, sha256 = Dock.Sha256(content), recordedStart = now.AddHours(-74),
            recordedEnd = now.AddHours(-74).AddSeconds(1), activityId = trip.Id,
        }));
        await Dock.UploadAsync(session, "trip.wav", content);
        await dock.SettledAsync(session.SessionId);
        var id = Dock.Sha256(content);

        // Before the return is recorded, the allowance runs from the activity's end: handed over late.
        Assert.False((await dock.FootageAsync(id)).HandedOverInTime);
        var before = await ReportAsync(fixture.TokenFor(dock.Unit, Roles.Supervisor), now.AddHours(-80));
        Assert.Contains(before.LateUploads, l => l.FootageIds.Contains(id));
        Assert.Null(Assert.Single(before.Articles!.AwayActivities).ReturnedAt);

        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{trip.Id}/return", officer, new { returnedAt = now.AddHours(-75) }));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{trip.Id}/return", officer, new { returnedAt = now.AddHours(3) }));
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{trip.Id}/return", OfficerToken(dock.Unit, "officer-wang"), new { returnedAt = now.AddHours(-2) }));
        Assert.Equal(HttpStatusCode.NotFound, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{trip.Id}/return", fixture.TokenFor(NewUnit(), Roles.Keeper), new { returnedAt = now.AddHours(-2) }));
        var returned = await fixture.OkAsync<Activity>(HttpMethod.Put, $"/api/activities/{trip.Id}/return", officer, new { returnedAt = now.AddHours(-2) });
        Assert.Equal(now.AddHours(-2), returned.HandoverFrom);
        Assert.Equal(HttpStatusCode.Conflict, await fixture.StatusAsync(HttpMethod.Put, $"/api/activities/{trip.Id}/return", keeper, new { returnedAt = now.AddHours(-1) }));

        // The linked recording is judged again: 24 hours from the return.
        var record = await dock.FootageAsync(id);
        Assert.Equal((now.AddHours(22), true), (record.HandoverDeadline, record.HandedOverInTime));
        var after = await ReportAsync(fixture.TokenFor(dock.Unit, Roles.Head), now.AddHours(-80));
        Assert.DoesNotContain(after.LateUploads, l => l.FootageIds.Contains(id));
        Assert.Equal(new AwayActivity(trip.Id, trip.End, now.AddHours(-2), now.AddHours(22)), Assert.Single(after.Articles!.AwayActivities));
        Assert.Equal($"footage/{id}", Assert.Single(await fixture.AuditAsync(fixture.TokenFor(dock.Unit, Roles.Head), AuditAction.HandoverDeadlineMoved)).Target);

        // The dock reads the allowance's start from the activity listing (avdock status shows the same deadline).
        using var listed = await fixture.CallAsync(HttpMethod.Get, $"/api/activities?from={Uri.EscapeDataString(now.AddHours(-80).ToString("O"))}", dock.DockToken);
        var item = JsonNode.Parse(await listed.Content.ReadAsStringAsync(Cancel))!["items"]!.AsArray().Single(a => (string?)a!["id"] == trip.Id)!;
        Assert.Equal(now.AddHours(-2), item["handoverFrom"]!.GetValue<DateTimeOffset>());
    }
}
