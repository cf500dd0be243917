using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Reports;

/// <summary>Arts. 13 and 17: each line of the compliance report comes from a scenario built through the API; the review sample is reproducible.</summary>
public sealed class ReportTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string[] Zhang = ["officer-zhang"];

    private static readonly DateTimeOffset Day = Recent.HoursAgo(22);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        await fixture.SendAsync(method, path, token, body is null ? null : JsonContent.Create(body));

    private async Task<Activity> ActivityAsync(string officer, string kind, int fromHour, int toHour)
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/activities", officer, new
        {
            kind, officers = Zhang, place = "market", start = Day.AddHours(fromHour), end = Day.AddHours(toHour),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Activity>(AvCloudJson.Options, Cancel))!;
    }

    private static object Entry(string name, byte[] content, DateTimeOffset start, TimeSpan length, string? activityId = null) => new
    {
        name, kind = "audio", size = content.Length, sha256 = Dock.Sha256(content), recordedStart = start, recordedEnd = start + length, activityId,
    };

    [Fact]
    public async Task Each_line_of_the_compliance_report_comes_from_what_happened()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        await dock.RegisterDeviceAsync();
        var keeper = fixture.TokenFor(dock.Unit, Roles.Keeper);
        var head = fixture.TokenFor(dock.Unit, Roles.Head);
        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", dock.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        using (var checkout = await SendAsync(HttpMethod.Post, $"/api/devices/{Dock.DeviceId}/checkouts", keeper,
            new { officerId = "officer-zhang", condition = "ok", at = Day.AddHours(8), check = Checks.Passing }))
        {
            Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        }

        var unrecorded = await ActivityAsync(officer, "hearing", 9, 10);
        var gapped = await ActivityAsync(officer, "onSiteEnforcement", 11, 12);
        var optional = await ActivityAsync(officer, "other", 12, 13);
        var explained = await ActivityAsync(officer, "investigation", 13, 14);
        using (var work = await SendAsync(HttpMethod.Post, $"/api/activities/{explained.Id}/work-records", officer,
            new { reason = "badWeather", explanation = "storm; recorder would not start" }))
        {
            var record = (await work.Content.ReadFromJsonAsync<WorkRecord>(AvCloudJson.Options, Cancel))!;
            using var approve = await SendAsync(HttpMethod.Post, $"/api/activities/{explained.Id}/work-records/{record.Id}/approve", head, new { });
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var partial = SyntheticWav.Create(1601, 8000);
        var late = SyntheticWav.Create(1602, 8000);
        var lent = SyntheticWav.Create(1603, 8000);
        var onTime = await dock.OpenAsync(Dock.Manifest(Day.AddHours(16), TimeSpan.Zero,
            Entry("partial.wav", partial, Day.AddHours(11), TimeSpan.FromMinutes(20), gapped.Id)));
        var lateSession = await dock.OpenAsync(Dock.Manifest(Day.AddHours(16), TimeSpan.Zero, Entry("late.wav", late, Day.AddDays(-4), TimeSpan.FromMinutes(5))));
        var lentManifest = Dock.Node(Dock.Manifest(Day.AddHours(16), TimeSpan.Zero, Entry("lent.wav", lent, Day.AddHours(15), TimeSpan.FromMinutes(5))));
        lentManifest["officerId"] = "officer-li";
        var lentSession = await dock.OpenAsync(lentManifest);
        await Dock.UploadAsync(onTime, "partial.wav", partial);
        await Dock.UploadAsync(lateSession, "late.wav", late);
        await Dock.UploadAsync(lentSession, "lent.wav", lent);
        foreach (var session in new[] { onTime, lateSession, lentSession })
        {
            await dock.SettledAsync(session.SessionId);
        }

        using (var hold = await SendAsync(HttpMethod.Post, $"/api/footage/{Dock.Sha256(partial)}/holds", keeper,
            new { reason = "dispute", caseName = "market", caseNumber = "M-1", requestedBy = "complainant" }))
        {
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        }

        using (var ask = await SendAsync(HttpMethod.Post, "/api/access-requests", fixture.TokenFor(dock.Unit, Roles.Reviewer), new
        {
            footageIds = new[] { Dock.Sha256(lent) }.AsEnumerable(), purpose = "review", caseName = "c", caseNumber = "n", mode = "view", duration = "PT1H",
        }))
        {
            Assert.Equal(HttpStatusCode.Created, ask.StatusCode);
        }

        var supervisor = fixture.TokenFor(dock.Unit, Roles.Supervisor);
        var period = $"from={Uri.EscapeDataString(Day.AddDays(-7).ToString("O"))}&to={Uri.EscapeDataString(Day.AddDays(1).ToString("O"))}";
        using var response = await SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", supervisor);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<Compliance>(AvCloudJson.Options, Cancel))!;

        Assert.Equal(unrecorded.Id, Assert.Single(report.MissingRecordings).ActivityId);
        var gap = Assert.Single(report.CoverageGaps);
        Assert.Equal(gapped.Id, gap.ActivityId);
        Assert.Equal(new Gap(Day.AddHours(11).AddMinutes(20), Day.AddHours(12)), Assert.Single(gap.Gaps));
        Assert.DoesNotContain(report.MissingRecordings, a => a.ActivityId == optional.Id || a.ActivityId == explained.Id);
        var lateLine = Assert.Single(report.LateUploads);
        Assert.Equal(("officer-zhang", 1, Dock.Sha256(late)), (lateLine.OfficerId, lateLine.Count, Assert.Single(lateLine.FootageIds)));
        Assert.Equal(new[] { late, lent }.Select(Dock.Sha256).Order(StringComparer.Ordinal), report.Unlinked.Select(f => f.FootageId).Order(StringComparer.Ordinal));
        Assert.Contains(report.DeviceMismatches, f => f.FootageId == Dock.Sha256(lent) && f.Detail.Contains("officer-zhang", StringComparison.Ordinal));
        Assert.Contains(report.DeviceMismatches, f => f.FootageId == Dock.Sha256(late) && f.Detail.Contains("not checked out", StringComparison.Ordinal));
        Assert.Equal(new PendingWork(0, 1, 1), report.Pending);
        Assert.Empty(report.IntegrityFailures);

        using var csv = await SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}&format=csv", supervisor);
        var text = await csv.Content.ReadAsStringAsync(Cancel);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("section,subject,officer,device,time,detail\r\n", text, StringComparison.Ordinal);
        Assert.Contains($"missing recording,{unrecorded.Id},officer-zhang,", text, StringComparison.Ordinal);
        Assert.Contains("pending,holds,,,,1\r\n", text, StringComparison.Ordinal);

        using var byOfficer = await SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", officer);
        using var noPeriod = await SendAsync(HttpMethod.Get, "/api/reports/compliance", supervisor);
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noPeriod.StatusCode);
    }

    [Fact]
    public async Task A_unit_adds_kinds_that_must_be_recorded_but_cannot_drop_those_Article_6_names()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var head = fixture.TokenFor(unit, Roles.Head);
        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        object Settings(params string[] kinds) => new
        {
            name = "unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, recordingRequiredFor = kinds,
        };
        var other = await ActivityAsync(officer, "other", 9, 10);

        async Task<Compliance> ReportAsync()
        {
            var period = $"from={Uri.EscapeDataString(Day.ToString("O"))}&to={Uri.EscapeDataString(Day.AddDays(1).ToString("O"))}";
            using var response = await SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", fixture.TokenFor(unit, Roles.Supervisor));
            return (await response.Content.ReadFromJsonAsync<Compliance>(AvCloudJson.Options, Cancel))!;
        }

        Assert.Empty((await ReportAsync()).MissingRecordings);

        using (var dropped = await SendAsync(HttpMethod.Put, $"/api/units/{unit}/settings", head, Settings("hearing", "other")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, dropped.StatusCode);
            var problem = await dropped.Content.ReadAsStringAsync(Cancel);
            Assert.Contains("recordingRequiredFor", problem, StringComparison.Ordinal);
            Assert.Contains("onSiteEnforcement, investigation, serviceByLeaving, serviceByNotice", problem, StringComparison.Ordinal);
        }

        Assert.Empty((await ReportAsync()).MissingRecordings);
        using (var added = await SendAsync(HttpMethod.Put, $"/api/units/{unit}/settings", head,
            Settings("onSiteEnforcement", "investigation", "hearing", "serviceByLeaving", "serviceByNotice", "other")))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        Assert.Equal(other.Id, Assert.Single((await ReportAsync()).MissingRecordings).ActivityId);
        using var audit = await SendAsync(HttpMethod.Get, "/api/audit?action=unit.settings", head);
        var entries = (await audit.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(AvCloudJson.Options, Cancel))!["items"]!.AsArray();
        Assert.Equal(["success", "denied"], entries.Select(e => e!["outcome"]!.GetValue<string>()));
        Assert.EndsWith(", other", entries[0]!["details"]!["recordingRequiredFor"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_sample_depends_on_the_seed_and_the_recordings_not_on_their_order()
    {
        var ids = Enumerable.Range(0, 40).Select(i => Dock.Sha256([(byte)i])).ToList();

        var sample = AnnualReviews.Sample(ids, 5, 2026);

        Assert.Equal(5, sample.Count);
        Assert.Equal(sample, AnnualReviews.Sample(Enumerable.Reverse(ids), 5, 2026));
        Assert.NotEqual(sample, AnnualReviews.Sample(ids, 5, 2027));
        Assert.Equal(40, AnnualReviews.Sample(ids, 500, 1).Count);
    }

    [Fact]
    public async Task An_annual_review_draws_with_a_seed_AvCloud_chooses_and_shows_and_that_seed_reproduces_the_sample()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var contents = Enumerable.Range(0, 6).Select(i => SyntheticWav.Create(1700 + i, 8000)).ToList();
        var session = await dock.OpenAsync(Dock.Manifest(Day.AddHours(20), TimeSpan.Zero,
            [.. contents.Select((c, i) => Entry($"r{i}.wav", c, Day.AddHours(i + 1), TimeSpan.FromMinutes(1)))]));
        for (var i = 0; i < contents.Count; i++)
        {
            await Dock.UploadAsync(session, $"r{i}.wav", contents[i]);
        }

        await dock.SettledAsync(session.SessionId);
        var supervisor = fixture.TokenFor(dock.Unit, Roles.Supervisor);

        // The attack: a seed picked so the sample misses what someone wants unseen. Refused, and nothing is drawn.
        using (var chosen = await SendAsync(HttpMethod.Post, "/api/reviews", supervisor, new { from = Day, to = Day.AddDays(1), size = 3, seed = 17 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, chosen.StatusCode);
            Assert.Contains("\"seed\"", await chosen.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }

        using (var none = await SendAsync(HttpMethod.Get, "/api/audit?action=review.created", supervisor))
        {
            Assert.DoesNotContain("\"success\"", await none.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }

        using var first = await SendAsync(HttpMethod.Post, "/api/reviews", supervisor, new { from = Day, to = Day.AddDays(1), size = 3 });
        var a = (await first.Content.ReadFromJsonAsync<ReviewView>(AvCloudJson.Options, Cancel))!.Review;

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(6, a.Population);
        Assert.Equal(3, a.FootageIds.Count);
        // Anyone can check the sample with the seed shown: the same seed over the same recordings draws it again.
        Assert.Equal(a.FootageIds, AnnualReviews.Sample(contents.Select(Dock.Sha256), 3, a.Seed));
        using (var created = await SendAsync(HttpMethod.Get, "/api/audit?action=review.created", supervisor))
        {
            var recorded = Assert.Single((await created.Content.ReadFromJsonAsync<Functions.Audit.AuditPage>(AvCloudJson.Options, Cancel))!.Items,
                e => e.Outcome == Functions.Audit.AuditOutcomes.Success);
            Assert.Equal(a.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), recorded.Details["seed"]);
        }

        using var outside = await SendAsync(HttpMethod.Post, $"/api/reviews/{a.Id}/scores", supervisor,
            new { footageId = Dock.Sha256(contents.First(c => !a.FootageIds.Contains(Dock.Sha256(c)))), completeness = 4, clarity = 4, openingStatement = true, keyMomentsPhotographed = true });
        using var outOfRange = await SendAsync(HttpMethod.Post, $"/api/reviews/{a.Id}/scores", supervisor,
            new { footageId = a.FootageIds[0], completeness = 9, clarity = 4, openingStatement = true, keyMomentsPhotographed = true });
        Assert.Equal(HttpStatusCode.BadRequest, outside.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);

        using (var s1 = await SendAsync(HttpMethod.Post, $"/api/reviews/{a.Id}/scores", supervisor,
            new { footageId = a.FootageIds[0], completeness = 5, clarity = 3, openingStatement = true, keyMomentsPhotographed = false }))
        {
            Assert.Equal(HttpStatusCode.OK, s1.StatusCode);
        }

        // Reviewers score (Art. 17), not only supervisors.
        using (var s2 = await SendAsync(HttpMethod.Post, $"/api/reviews/{a.Id}/scores", fixture.TokenFor(dock.Unit, Roles.Reviewer),
            new { footageId = a.FootageIds[1], completeness = 3, clarity = 5, openingStatement = false, keyMomentsPhotographed = false, notes = "no opening statement" }))
        {
            Assert.Equal(HttpStatusCode.OK, s2.StatusCode);
        }

        using var read = await SendAsync(HttpMethod.Get, $"/api/reviews/{a.Id}", fixture.TokenFor(dock.Unit, Roles.Head));
        var summary = (await read.Content.ReadFromJsonAsync<ReviewView>(AvCloudJson.Options, Cancel))!.Summary;
        Assert.Equal(new ReviewSummary(3, 2, 4, 4, 0.5, 0) { ByArticle = new ArticleShares(0.5, null, null, 0) }, summary);
        using var otherUnit = await SendAsync(HttpMethod.Get, $"/api/reviews/{a.Id}", fixture.TokenFor("unit-other-9", Roles.Head));
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
    }

    [Fact]
    public async Task A_reviewer_sees_the_custody_of_sampled_recordings_under_the_review_and_is_refused_any_other()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var contents = Enumerable.Range(0, 4).Select(i => SyntheticWav.Create(1750 + i, 8000)).ToList();
        var session = await dock.OpenAsync(Dock.Manifest(Day.AddHours(20), TimeSpan.Zero,
            [.. contents.Select((c, i) => Entry($"r{i}.wav", c, Day.AddHours(i + 1), TimeSpan.FromMinutes(1)))]));
        for (var i = 0; i < contents.Count; i++)
        {
            await Dock.UploadAsync(session, $"r{i}.wav", contents[i]);
        }

        await dock.SettledAsync(session.SessionId);
        using var drawn = await SendAsync(HttpMethod.Post, "/api/reviews", fixture.TokenFor(dock.Unit, Roles.Supervisor), new { from = Day, to = Day.AddDays(1), size = 2 });
        var review = (await drawn.Content.ReadFromJsonAsync<ReviewView>(AvCloudJson.Options, Cancel))!.Review;
        var sampled = review.FootageIds[0];
        var other = contents.Select(Dock.Sha256).First(id => !review.FootageIds.Contains(id));
        var reviewer = fixture.Cloud.Issuer.Mint("reviewer-wang", dock.Unit, [Roles.Reviewer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

        using var custody = await SendAsync(HttpMethod.Get, $"/api/footage/{sampled}/custody", reviewer);
        using var refused = await SendAsync(HttpMethod.Get, $"/api/footage/{other}/custody", reviewer);
        using var record = await SendAsync(HttpMethod.Get, $"/api/footage/{sampled}", reviewer);

        Assert.Equal(HttpStatusCode.OK, custody.StatusCode);
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("review they score", await refused.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        using var audit = await SendAsync(HttpMethod.Get, "/api/audit?actor=reviewer-wang", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        var events = (await audit.Content.ReadFromJsonAsync<Functions.Audit.AuditPage>(AvCloudJson.Options, Cancel))!.Items;
        Assert.Contains(events, e => e.Action == Functions.Audit.AuditAction.CustodyRead.Name && e.Target == $"footage/{sampled}"
            && e.Outcome == Functions.Audit.AuditOutcomes.Success && e.Details["review"] == review.Id);
        Assert.Contains(events, e => e.Action == Functions.Audit.AuditAction.FootageRead.Name && e.Target == $"footage/{sampled}" && e.Details["review"] == review.Id);
        Assert.Contains(events, e => e.Action == Functions.Audit.AuditAction.CustodyRead.Name && e.Target == $"footage/{other}"
            && e.Outcome == Functions.Audit.AuditOutcomes.Denied);
    }
}
