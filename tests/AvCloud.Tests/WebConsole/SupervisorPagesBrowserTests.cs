using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AvCloud.Console.Reports;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Tests.Ingest;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The supervisor's and head's pages in a real browser against the local cloud: the compliance report's charts drawn
/// from the API's numbers and its CSV saved; a reviewer shown the API's refusal of the report; the audit trail with its
/// chain verified (and broken where an insider edited an event); a recording's custody timeline and its PDF; the annual review drawn, scored, summarised, completed;
/// an approved copy taken as an evidence package. Each page photographed in both languages and checked with axe-core.
/// </summary>
public sealed class SupervisorPagesBrowserTests(LocalCloudFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static readonly string[] Wang = ["officer-wang"];

    private static string Unit() => $"sup-{Guid.NewGuid():N}"[..12];

    /// <summary>
    /// Recordings handed over by a dock for <paramref name="officer"/>, recorded at <paramref name="recorded"/>, each
    /// <paramref name="length"/> long (a second unless given) and linked by the manifest to <paramref name="activityId"/> if given; their ids.
    /// </summary>
    private async Task<IReadOnlyList<string>> HandOverAsync(string unit, string officer, DateTimeOffset recorded, int count, int seed, TimeSpan? length = null,
        string? activityId = null)
    {
        var dock = new Dock(fixture, unit);
        var contents = Enumerable.Range(0, count).Select(i => SyntheticWav.Create(seed + i, 8000)).ToList();
        var manifest = Dock.Node(Dock.Manifest(Recent.HoursAgo(1), TimeSpan.Zero,
            [.. contents.Select((c, i) => Dock.FileEntry($"{officer}-{i}.wav", "audio", c, recorded.AddMinutes(i), length ?? TimeSpan.FromSeconds(1)))]));
        manifest["officerId"] = officer;
        foreach (var file in manifest["files"]!.AsArray())
        {
            file!["activityId"] = activityId;
        }

        var session = await dock.OpenAsync(manifest);
        for (var i = 0; i < count; i++)
        {
            await Dock.UploadAsync(session, $"{officer}-{i}.wav", contents[i]);
        }

        await dock.SettledAsync(session.SessionId);
        return [.. contents.Select(Dock.Sha256)];
    }

    /// <summary>An activity <paramref name="officer"/> records, an hour long from <paramref name="start"/>; its id.</summary>
    private async Task<string> ActivityAsync(string officer, string kind, DateTimeOffset start)
    {
        using var created = await fixture.SendAsync(HttpMethod.Post, "/api/activities", officer, JsonContent.Create(new
        {
            kind, officers = Wang, place = "market", start, end = start.AddHours(1),
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Functions.Activities.Activity>(AvCloudJson.Options, Cancel))!.Id;
    }

    private static async Task SwitchToEnglishAsync(ConsoleSession person)
    {
        await person.Page.ClickAsync("[data-testid=switch-language]");
        await person.Page.WaitForSelectorAsync("html[lang=en] main h1");
    }

    /// <summary>The page as it is, photographed (in its language) and checked with axe-core: no serious or critical violation.</summary>
    private static async Task PhotographedAsync(ConsoleSession person, string name)
    {
        await person.ScreenshotAsync(name);
        Assert.Empty(await person.SeriousViolationsAsync());
    }

    private static async Task<string> SavedAsync(IDownload download)
    {
        var path = await download.PathAsync();
        return await File.ReadAllTextAsync(path, Cancel);
    }

    [Fact]
    public async Task The_compliance_report_draws_late_uploads_by_officer_as_the_api_counts_them_marks_failing_articles_and_saves_its_csv()
    {
        var unit = Unit();
        // Recorded three days ago, handed over now: past Art. 13's 24 hours. One officer late once, another twice.
        var recorded = Recent.HoursAgo(72);
        await HandOverAsync(unit, "officer-zhang", recorded, 1, 7101);
        await HandOverAsync(unit, "officer-li", recorded.AddMinutes(5), 2, 7111);
        // A hearing nobody recorded, and an inspection recorded for twenty of its sixty minutes (Art. 6: both must be recorded).
        var wang = fixture.Cloud.Issuer.Mint("officer-wang", unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var hearing = await ActivityAsync(wang, "hearing", recorded.AddHours(-3));
        var inspection = await ActivityAsync(wang, "onSiteEnforcement", recorded.AddHours(1));
        await HandOverAsync(unit, "officer-wang", recorded.AddHours(1), 1, 7121, TimeSpan.FromMinutes(20), inspection);
        var period = ReportPeriod.Containing(recorded, Shanghai);
        using var answer = await fixture.SendAsync(HttpMethod.Get,
            $"/api/reports/compliance?from={Uri.EscapeDataString(ReportPeriod.Iso(period.From))}&to={Uri.EscapeDataString(ReportPeriod.Iso(period.To))}",
            fixture.TokenFor(unit, Roles.Supervisor));
        var report = (await answer.Content.ReadFromJsonAsync<Compliance>(AvCloudJson.Options, Cancel))!;
        Assert.Equal([("officer-li", 2), ("officer-wang", 1), ("officer-zhang", 1)], report.LateUploads.Select(l => (l.OfficerId, l.Count)));
        Assert.Equal(hearing, Assert.Single(report.MissingRecordings).ActivityId);
        Assert.Equal(inspection, Assert.Single(report.CoverageGaps).ActivityId);

        await using var supervisor = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await supervisor.SignInAsync("supervisor-zhou", unit, Roles.Supervisor);
        await supervisor.GoAsync($"reports/compliance?month={period.Value}");
        await supervisor.Page.WaitForSelectorAsync("[data-testid=chart-late] svg g.bar");

        // The bars are the API's numbers, drawn as SVG by the console, longer for more.
        var bars = supervisor.Page.Locator("[data-testid=chart-late] svg g.bar");
        var drawn = new List<(string, int, double)>();
        for (var i = 0; i < await bars.CountAsync(); i++)
        {
            var bar = bars.Nth(i);
            drawn.Add((await bar.GetAttributeAsync("data-label") ?? "", int.Parse(await bar.GetAttributeAsync("data-value") ?? "", CultureInfo.InvariantCulture),
                double.Parse(await bar.Locator("rect").GetAttributeAsync("width") ?? "", CultureInfo.InvariantCulture)));
        }

        Assert.Equal(report.LateUploads.Select(l => (l.OfficerId, l.Count)), drawn.Select(d => (d.Item1, d.Item2)));
        Assert.True(drawn[0].Item3 > drawn[1].Item3);
        // Its text alternative: the SVG is named, and the same numbers are a table.
        Assert.Equal("img", await supervisor.Page.GetAttributeAsync("[data-testid=chart-late] svg", "role"));
        Assert.Equal(["officer-li", "officer-wang", "officer-zhang"], await supervisor.Page.Locator("[data-testid=chart-late] details tbody th").AllTextContentsAsync());
        // Coverage: each activity's recorded share as the API computed it, the unrecorded hearing at nothing.
        var coverage = await supervisor.Page.Locator("[data-testid=chart-coverage] svg g.bar").EvaluateAllAsync<string[]>("bars => bars.map(b => b.dataset.label + '=' + b.dataset.value)");
        Assert.Equal([$"{hearing}=0", string.Create(CultureInfo.InvariantCulture, $"{inspection}={Math.Round(report.CoverageGaps[0].CoveredRatio, 2)}")], coverage);
        Assert.InRange(report.CoverageGaps[0].CoveredRatio, 0.3, 0.35);
        // Linking is drawn too (the three not linked to an activity); the articles table has a line per article and marks what the API found failing.
        await supervisor.Page.WaitForSelectorAsync("[data-testid=chart-linking] svg rect[data-label=Unlinked]");
        Assert.Equal(report.Links.Unlinked.ToString(CultureInfo.InvariantCulture),
            await supervisor.Page.GetAttributeAsync("[data-testid=chart-linking] rect[data-label=Unlinked]", "data-value"));
        var articles = await supervisor.Page.Locator("[data-testid=report-articles] tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.article)");
        Assert.Equal(["3", "4", "5", "7", "8–11", "12", "13", "17", "18"], articles.Distinct());
        Assert.Equal(report.Articles!.ReviewSchedule.Any(y => y.Overdue), await supervisor.Page.Locator("[data-testid=report-articles] tr[data-article='17'][data-fails=true]").CountAsync() > 0);
        await PhotographedAsync(supervisor, "compliance");

        // The CSV is the API's, fetched with the supervisor's token and saved.
        var download = await supervisor.Page.RunAndWaitForDownloadAsync(() => supervisor.Page.ClickAsync("[data-testid=report-csv]"));
        Assert.Equal($"compliance-{period.Value}.csv", download.SuggestedFilename);
        var csv = await SavedAsync(download);
        Assert.StartsWith("section,subject,officer,device,time,detail\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("late upload,", csv, StringComparison.Ordinal);
        Assert.Contains(",officer-li,,,2 late", csv, StringComparison.Ordinal);

        await SwitchToEnglishAsync(supervisor);
        await supervisor.Page.WaitForSelectorAsync("[data-testid=chart-late] figcaption:has-text('Late uploads by officer')");
        await PhotographedAsync(supervisor, "compliance");
    }

    [Fact]
    public async Task A_reviewer_opening_the_compliance_report_is_shown_the_apis_refusal_and_no_chart()
    {
        await using var reviewer = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await reviewer.SignInAsync("reviewer-qian", Unit(), Roles.Reviewer);
        Assert.Equal(0, await reviewer.Page.Locator("nav a[href='reports/compliance']").CountAsync());

        await reviewer.GoAsync("reports/compliance");

        await reviewer.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("403", await reviewer.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(await reviewer.Page.TextContentAsync("[data-testid=problem-detail]")));
        Assert.Equal(0, await reviewer.Page.Locator("svg").CountAsync());
        // And the CSV the same: the API's refusal, no file.
        await reviewer.Page.ClickAsync("[data-testid=report-csv]");
        await reviewer.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("403", await reviewer.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_trail_shows_the_chain_verified_first_and_the_units_events_filtered_as_the_api_filters_them()
    {
        var unit = Unit();
        var footage = (await HandOverAsync(unit, "officer-zhang", Recent.HoursAgo(5), 1, 7201))[0];

        await using var supervisor = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await supervisor.SignInAsync("supervisor-wu", unit, Roles.Supervisor);
        await supervisor.GoAsync("audit");

        await supervisor.Page.WaitForSelectorAsync("[data-testid=chain-verified]");
        Assert.Contains("已校验", await supervisor.Page.TextContentAsync("[data-testid=chain-verified]"), StringComparison.Ordinal);
        await supervisor.Page.WaitForSelectorAsync("[data-testid=audit-table] tbody tr");
        Assert.Contains("footage.catalogued", await supervisor.Page.TextContentAsync("[data-testid=audit-table]"), StringComparison.Ordinal);
        await PhotographedAsync(supervisor, "audit");

        await supervisor.Page.FillAsync("[data-testid=audit-action]", AuditAction.FootageCatalogued.Name);
        await supervisor.Page.ClickAsync("[data-testid=audit-apply]");
        await supervisor.Page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=audit-table] tbody tr code')].every(c => c.textContent === 'footage.catalogued')");
        Assert.Equal(1, await supervisor.Page.Locator("[data-testid=audit-table] tbody tr").CountAsync());
        Assert.Equal($"footage/{footage}/custody", await supervisor.Page.GetAttributeAsync("[data-testid=audit-table] tbody tr a", "href"));

        await SwitchToEnglishAsync(supervisor);
        await supervisor.Page.WaitForSelectorAsync("[data-testid=chain-verified]:has-text('Verified')");
        await PhotographedAsync(supervisor, "audit");
    }

    [Fact]
    public async Task An_audit_event_edited_behind_avclouds_back_shows_the_chain_broken_at_its_sequence_number()
    {
        var unit = Unit();
        var trail = fixture.Cloud.Services.GetRequiredService<AuditTrail>();
        for (var i = 1; i <= 5; i++)
        {
            await trail.AppendAsync(new AuditEntry(unit, "keeper-1", Roles.Keeper, AuditAction.FootageRead, $"footage/{i}", AuditOutcomes.Success), Cancel);
        }

        // An insider with database access edits the third event.
        var audit = fixture.Cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Audit);
        var third = JsonNode.Parse((await audit.ReadItemAsync<JsonObject>(AuditEvent.IdFor(3), new PartitionKey(unit), cancellationToken: Cancel)).Resource.ToJsonString())!.AsObject();
        third["target"] = "footage/other";
        await audit.ReplaceItemAsync(third, AuditEvent.IdFor(3), new PartitionKey(unit), cancellationToken: Cancel);

        await using var head = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await head.SignInAsync("head-lu", unit, Roles.Head);
        await head.GoAsync("audit");

        await head.Page.WaitForSelectorAsync("[data-testid=chain-broken]");
        Assert.Contains("序号 3 处断开", await head.Page.TextContentAsync("[data-testid=chain-broken] strong"), StringComparison.Ordinal);
        Assert.Contains("changed", await head.Page.TextContentAsync("[data-testid=chain-broken]"), StringComparison.Ordinal);
        Assert.Equal(0, await head.Page.Locator("[data-testid=chain-verified]").CountAsync());
        await PhotographedAsync(head, "audit-broken");
        await SwitchToEnglishAsync(head);
        await head.Page.WaitForSelectorAsync("[data-testid=chain-broken]:has-text('broken at sequence 3')");
        await PhotographedAsync(head, "audit-broken");
    }

    [Fact]
    public async Task A_recordings_custody_timeline_shows_its_upload_cataloguing_and_accesses_and_its_pdf_downloads_in_the_consoles_language()
    {
        var unit = Unit();
        var footage = (await HandOverAsync(unit, "officer-zhang", Recent.HoursAgo(5), 1, 7301))[0];
        // A hold (which makes the second copy) and an access to show: the keeper reads the record.
        using (var held = await fixture.SendAsync(HttpMethod.Post, $"/api/footage/{footage}/holds", fixture.TokenFor(unit, Roles.Keeper),
                   JsonContent.Create(new { reason = "dispute", caseName = "市场监管 现场检查", caseNumber = "2026-0118", requestedBy = "complaints office" })))
        {
            Assert.True(held.IsSuccessStatusCode, await held.Content.ReadAsStringAsync(Cancel));
        }

        using (var read = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{footage}", fixture.TokenFor(unit, Roles.Keeper)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        await using var keeper = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await keeper.SignInAsync("keeper-sun", unit, Roles.Keeper);
        await keeper.GoAsync("footage");
        await keeper.Page.ClickAsync($"tr[data-footage='{footage}'] [data-testid=custody-link]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=custody-timeline] li.step");

        var stages = await keeper.Page.Locator("[data-testid=custody-timeline] li.step").EvaluateAllAsync<string[]>("steps => steps.map(s => s.dataset.stage)");
        Assert.Equal("Uploaded", stages[0]);
        Assert.Contains("Catalogued", stages);
        Assert.Contains("Held", stages);
        Assert.Contains("Copied", stages);
        Assert.Contains("Accessed", stages);
        Assert.Equal(1, await keeper.Page.Locator("[data-testid=custody-timeline] li.step[data-action='footage.catalogued']").CountAsync());
        Assert.Contains(footage, await keeper.Page.TextContentAsync("[data-testid=custody-facts]"), StringComparison.Ordinal);
        await PhotographedAsync(keeper, "custody");

        var chinese = await keeper.Page.RunAndWaitForDownloadAsync(() => keeper.Page.ClickAsync("[data-testid=custody-pdf]"));
        Assert.StartsWith("%PDF", await SavedAsync(chinese), StringComparison.Ordinal);
        Assert.EndsWith("-zh-CN.pdf", chinese.SuggestedFilename, StringComparison.Ordinal);

        await SwitchToEnglishAsync(keeper);
        await keeper.Page.WaitForSelectorAsync("[data-testid=custody-timeline] .stage:has-text('Catalogued')");
        await PhotographedAsync(keeper, "custody");
        var english = await keeper.Page.RunAndWaitForDownloadAsync(() => keeper.Page.ClickAsync("[data-testid=custody-pdf]"));
        Assert.StartsWith("%PDF", await SavedAsync(english), StringComparison.Ordinal);
        Assert.EndsWith("-en.pdf", english.SuggestedFilename, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_supervisor_draws_a_review_scores_each_recording_sees_the_summary_and_completes_it()
    {
        var unit = Unit();
        var recorded = Recent.HoursAgo(30);
        var footage = await HandOverAsync(unit, "officer-zhang", recorded, 2, 7401);

        await using var supervisor = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await supervisor.SignInAsync("supervisor-he", unit, Roles.Supervisor);
        await supervisor.GoAsync("reviews");
        var day = TimeZoneInfo.ConvertTime(recorded, Shanghai);
        await supervisor.Page.FillAsync("[data-testid=review-from]", day.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await supervisor.Page.FillAsync("[data-testid=review-to]", day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await supervisor.Page.FillAsync("[data-testid=review-size]", "5");
        await supervisor.Page.ClickAsync("[data-testid=review-draw]");
        await supervisor.Page.WaitForSelectorAsync("[data-testid=review-seed]");
        await PhotographedAsync(supervisor, "review");

        // The sample is the period's two recordings; AvCloud drew the seed.
        var sampled = await supervisor.Page.Locator("form.score").EvaluateAllAsync<string[]>("forms => forms.map(f => f.dataset.footage)");
        Assert.Equal(footage.Order(StringComparer.Ordinal), sampled.Order(StringComparer.Ordinal));
        // Completing before every recording is scored is the API's to refuse, and the page says why.
        await supervisor.Page.ClickAsync("[data-testid=review-complete]");
        await supervisor.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("409", await supervisor.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);

        foreach (var (id, completeness) in new[] { (sampled[0], "4"), (sampled[1], "2") })
        {
            var form = supervisor.Page.Locator($"form.score[data-footage='{id}']");
            await form.Locator("[data-testid=score-completeness]").SelectOptionAsync(completeness);
            await form.Locator("[data-testid=score-clarity]").SelectOptionAsync("5");
            await form.Locator("[data-testid=score-opening]").CheckAsync();
            await form.Locator("[data-testid=score-submit]").ClickAsync();
            await form.Locator("[data-testid=scored]").WaitForAsync();
        }

        Assert.Equal("2 / 2", (await supervisor.Page.TextContentAsync("[data-testid=summary-scored]"))!.Trim());
        Assert.Equal("3", (await supervisor.Page.TextContentAsync("[data-testid=summary-completeness]"))!.Trim());
        Assert.Equal("5", (await supervisor.Page.TextContentAsync("[data-testid=summary-clarity]"))!.Trim());

        await supervisor.Page.ClickAsync("[data-testid=review-complete]");
        await supervisor.Page.WaitForSelectorAsync("[data-testid=review-completed] time");
        Assert.Equal(0, await supervisor.Page.Locator("[data-testid=review-complete]").CountAsync());
        using var listed = await fixture.SendAsync(HttpMethod.Get, "/api/reviews", fixture.TokenFor(unit, Roles.Supervisor));
        var review = Assert.Single((await listed.Content.ReadFromJsonAsync<ReviewList>(AvCloudJson.Options, Cancel))!.Items);
        Assert.Equal("supervisor-he", review.CompletedBy);

        await SwitchToEnglishAsync(supervisor);
        await supervisor.Page.WaitForSelectorAsync("[data-testid=review-summary]");
        await PhotographedAsync(supervisor, "review");
        await supervisor.GoAsync("reviews");
        await supervisor.Page.WaitForSelectorAsync($"[data-testid=review-list] tr[data-review='{review.Id}']");
        await PhotographedAsync(supervisor, "reviews");
    }

    [Fact]
    public async Task The_requester_of_an_approved_copy_saves_its_evidence_package_from_the_request_page()
    {
        var unit = Unit();
        var footage = await HandOverAsync(unit, "officer-zhang", Recent.HoursAgo(5), 1, 7501);
        var reviewerToken = fixture.Cloud.Issuer.Mint("reviewer-feng", unit, [Roles.Reviewer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        using var asked = await fixture.SendAsync(HttpMethod.Post, "/api/access-requests", reviewerToken, JsonContent.Create(new
        {
            footageIds = footage,
            purpose = "行政诉讼举证",
            caseName = "街头摊贩纠纷",
            caseNumber = "XZSS-2026-118",
            mode = "copy",
            duration = "PT8H",
        }));
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var requestId = (await asked.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!.Id;
        using (var approved = await fixture.SendAsync(HttpMethod.Post, $"/api/access-requests/{requestId}/approve", fixture.TokenFor(unit, Roles.Head),
                   JsonContent.Create(new { reason = "court filing" })))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        await using var reviewer = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await reviewer.SignInAsync("reviewer-feng", unit, Roles.Reviewer);
        await reviewer.GoAsync($"requests/{requestId}");
        await reviewer.Page.WaitForSelectorAsync("[data-testid=package]");

        var download = await reviewer.Page.RunAndWaitForDownloadAsync(() => reviewer.Page.ClickAsync("[data-testid=package]"));

        Assert.EndsWith(".zip", download.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync(), Cancel);
        Assert.Equal("PK"u8.ToArray(), bytes[..2]);
        Assert.Equal(0, await reviewer.Page.Locator("[data-testid=problem]").CountAsync());

        // Anyone else who opens the request (the head who approved it) is offered no package.
        await using var head = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await head.SignInAsync("head-ma", unit, Roles.Head);
        await head.GoAsync($"requests/{requestId}");
        await head.Page.WaitForSelectorAsync("[data-testid=request-state]");
        Assert.Equal(0, await head.Page.Locator("[data-testid=package]").CountAsync());
    }
}
