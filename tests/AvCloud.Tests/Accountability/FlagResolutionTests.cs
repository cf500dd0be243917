using System.Net;
using AvCloud.Functions.Accountability;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Accountability;

/// <summary>Art. 5: recordings flagged as possibly unrelated to work are resolved by the keeper; the report shows the rest by age, and nothing of those its reader may not see.</summary>
public sealed class FlagResolutionTests(LocalCloudFixture fixture)
{
    private static readonly DateTimeOffset Day = Recent.HoursAgo(20);

    private static readonly string[] Zhang = ["officer-zhang"];

    private Task<Compliance> ReportAsync(string token) => fixture.ComplianceAsync(token, Day.AddDays(-1), DateTimeOffset.UtcNow);

    [Fact]
    public async Task The_keeper_resolves_flagged_recordings_once_and_the_report_shows_the_unresolved_by_age_to_those_who_may_see_them()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var keeper = fixture.TokenFor(dock.Unit, Roles.Keeper);
        var head = fixture.TokenFor(dock.Unit, Roles.Head);
        var supervisor = fixture.TokenFor(dock.Unit, Roles.Supervisor);
        // The device is never checked out, so every recording is flagged twice: linked to no activity, made while not checked out.
        var contents = Enumerable.Range(0, 5).Select(i => SyntheticWav.Create(2001 + i, 8000)).ToArray();
        var ids = contents.Select(Dock.Sha256).ToArray();
        var session = await dock.OpenAsync(Dock.Manifest(Day.AddHours(8), TimeSpan.Zero,
            [.. contents.Select((c, i) => Dock.FileEntry($"r{i}.wav", "audio", c, Day.AddHours(1 + i), TimeSpan.FromSeconds(1)))]));
        for (var i = 0; i < contents.Length; i++)
        {
            await Dock.UploadAsync(session, $"r{i}.wav", contents[i]);
        }

        await dock.SettledAsync(session.SessionId);
        var activity = await fixture.OkAsync<Activity>(HttpMethod.Post, "/api/activities", keeper, new
        {
            kind = "investigation", officers = Zhang, place = "warehouse", start = Day.AddHours(1), end = Day.AddHours(3),
        });

        var explained = await fixture.OkAsync<FlagResolution>(HttpMethod.Post, $"/api/footage/{ids[0]}/resolution", keeper,
            new { resolution = "explained", reason = "test recording after the firmware update" });
        Assert.Equal([FlagResolution.Unlinked, FlagResolution.NotCheckedOut], explained.Flags);
        Assert.Equal(HttpStatusCode.Conflict, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[0]}/resolution", head, new { resolution = "explained", reason = "again" }));
        var linked = await fixture.OkAsync<FlagResolution>(HttpMethod.Post, $"/api/footage/{ids[1]}/resolution", keeper,
            new { resolution = "linked", reason = "part of the warehouse inspection", activityId = activity.Id });
        Assert.Equal(activity.Id, linked.ActivityId);
        Assert.Equal(activity.Id, (await dock.FootageAsync(ids[1])).ActivityId);
        await fixture.OkAsync<FlagResolution>(HttpMethod.Post, $"/api/footage/{ids[2]}/resolution", keeper, new { resolution = "referredForMisconduct", reason = "recorded at a private dinner" });
        await fixture.OkAsync<object>(HttpMethod.Put, $"/api/footage/{ids[3]}/classification", keeper, new { level = "privacy", reason = "a minor's face" });

        // Bad requests change nothing and name the field; the wrong role, another unit and a classified recording learn nothing.
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[4]}/resolution", keeper, new { resolution = "linked", reason = "r" }));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[4]}/resolution", keeper, new { resolution = "forgotten", reason = "r" }));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[4]}/resolution", keeper,
            new { resolution = "linked", reason = "r", activityId = "no-such-activity" }));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[4]}/resolution", keeper, new { resolution = "explained" }));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[4]}/resolution", keeper,
            new { resolution = "referredForMisconduct", reason = "r", misconductCaseId = "no-such-case" }));
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[4]}/resolution", supervisor, new { resolution = "explained", reason = "r" }));
        Assert.Equal(HttpStatusCode.NotFound, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{ids[4]}/resolution",
            fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], Roles.Keeper), new { resolution = "explained", reason = "r" }));
        Assert.Equal(HttpStatusCode.NotFound, await fixture.StatusAsync(HttpMethod.Post, $"/api/footage/{new string('0', 64)}/resolution", keeper, new { resolution = "explained", reason = "r" }));
        Assert.Null((await dock.FootageAsync(ids[4])).ActivityId);

        var all = (await ReportAsync(head)).Articles!.FlaggedRecordings;
        Assert.Equal((5, 3), (all.Flagged, all.Resolved));
        Assert.Equal(new[] { ids[3], ids[4] }.Order(StringComparer.Ordinal), all.Unresolved.Select(f => f.FootageId).Order(StringComparer.Ordinal));
        Assert.Equal([new AgeBucket("0-7 days", 2), new AgeBucket("8-30 days", 0), new AgeBucket("31-90 days", 0), new AgeBucket("over 90 days", 0)], all.UnresolvedByAge);

        // Art. 14: the supervisor's report neither lists nor counts the classified recording.
        var seen = (await ReportAsync(supervisor)).Articles!.FlaggedRecordings;
        Assert.Equal((4, 3), (seen.Flagged, seen.Resolved));
        Assert.Equal(ids[4], Assert.Single(seen.Unresolved).FootageId);
        Assert.Equal(1, seen.UnresolvedByAge[0].Count);

        var events = await fixture.AuditAsync(head, AuditAction.FlagResolved);
        Assert.Equal(3, events.Count(e => e.Outcome == AuditOutcomes.Success));
        Assert.Contains(events, e => e.Outcome == AuditOutcomes.Denied && e.Target == $"footage/{ids[0]}" && e.Details["reason"] == "already resolved");
        Assert.Contains(await fixture.AuditAsync(head, AuditAction.FootageLinked),
            e => e.Target == $"footage/{ids[1]}" && e.Details["activity"] == activity.Id);
    }

    [Fact]
    public void Unresolved_recordings_fall_into_age_buckets_at_their_edges()
    {
        FlaggedRecording Aged(int days) => new($"f{days}", "o", "d", DateTimeOffset.UnixEpoch, [FlagResolution.Unlinked], days);
        var buckets = ArticleChecks.ByAge([Aged(0), Aged(7), Aged(8), Aged(30), Aged(31), Aged(90), Aged(91), Aged(400)]);
        Assert.Equal([2, 2, 2, 2], buckets.Select(b => b.Count));
    }
}
