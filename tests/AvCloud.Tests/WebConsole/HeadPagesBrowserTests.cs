using System.Net;
using System.Text.RegularExpressions;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Shares;
using AvCloud.Tests.Ingest;
using AvCloud.Tests.Retention;
using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The unit head's pages in a real browser against the local cloud: disposal review with its recovery countdown (on a
/// cloud whose clock the test moves 25 months on, the browser's clock with it), unit settings with the Locked-mode rule
/// shown before saving, work records decided, an external share's passcode shown once, the inbox's new items, and each
/// page refused by the API for a role that may not use it. Screenshots in both languages; axe-core on each page.
/// </summary>
public sealed class HeadPagesBrowserTests(LocalCloudFixture fixture, Chromium chromium, RetentionTests.ShiftedCloud shifted)
    : IClassFixture<Chromium>, IClassFixture<RetentionTests.ShiftedCloud>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string[] ActivityOfficers = ["officer-zhang", "head-ma"];

    private static string Unit() => $"head-{Guid.NewGuid():N}"[..13];

    private static async Task InEnglishAsync(ConsoleSession person)
    {
        await person.Page.ClickAsync("[data-testid=switch-language]");
        await person.Page.WaitForSelectorAsync("html[lang=en] main h1");
    }

    /// <summary>Signs in at the shifted cloud's console with the browser's clock set to that cloud's, so times left are true.</summary>
    private async Task<ConsoleSession> ShiftedSessionAsync(string user, string unit, string role)
    {
        var person = await ConsoleSession.OpenAsync(chromium.Browser, shifted.Cloud);
        await person.Page.Clock.InstallAsync(new ClockInstallOptions { TimeDate = shifted.Clock.GetUtcNow().UtcDateTime });
        await person.SignInAsync(user, unit, role);
        return person;
    }

    [Fact]
    public async Task A_recording_past_its_retention_is_reviewed_by_the_keeper_counted_down_and_cancelled_by_the_head()
    {
        var unit = Unit();
        var footage = await shifted.CatalogueAsync(unit, 9101);
        var kept = await shifted.CatalogueAsync(unit, 9102);
        shifted.Clock.Shift(TimeSpan.FromDays(25 * 31));
        await shifted.RunAsync("SweepRetention");
        Assert.Equal(FootageStatus.DisposalPending, (await shifted.FootageAsync(unit, footage.Id))!.Status);
        Assert.Equal(FootageStatus.DisposalPending, (await shifted.FootageAsync(unit, kept.Id))!.Status);

        // The keeper finds it awaiting review and approves its disposal: the recovery window starts and counts down.
        await using var keeper = await ShiftedSessionAsync("keeper-1", unit, Roles.Keeper);
        await keeper.GoAsync("disposals");
        await keeper.Page.WaitForSelectorAsync($"[data-testid=disposals-pending] tr[data-footage='{footage.Id}']");
        await keeper.ScreenshotAsync("disposals");
        Assert.Empty(await keeper.SeriousViolationsAsync());
        await keeper.Page.ClickAsync($"[data-testid=disposals-pending] tr[data-footage='{footage.Id}'] [data-testid=disposal-approve]");
        var countdown = keeper.Page.Locator($"[data-testid=disposals-approved] tr[data-footage='{footage.Id}'] [data-testid=countdown]");
        await countdown.WaitForAsync();
        var first = await countdown.TextContentAsync();
        // The whole 7-day window at the instant of approval, or a moment of it already gone.
        Assert.Matches(new Regex(@"^剩余 (6 天 23:\d\d:\d\d|7 天 0:00:00)$"), first);
        // Live: the next second shows a different time left.
        await keeper.Page.WaitForFunctionAsync("([selector, before]) => document.querySelector(selector).textContent !== before",
            new object[] { $"[data-testid=disposals-approved] tr[data-footage='{footage.Id}'] [data-testid=countdown]", first! });
        Assert.Equal(FootageStatus.DisposalApproved, (await shifted.FootageAsync(unit, footage.Id))!.Status);
        // The keeper may not cancel: no cancel button.
        Assert.Equal(0, await keeper.Page.Locator("[data-testid=disposal-cancel]").CountAsync());

        // The other is kept a year longer, with a reason: it leaves the review and is available again.
        var keptRow = $"[data-testid=disposals-pending] tr[data-footage='{kept.Id}']";
        var until = shifted.Clock.GetUtcNow().AddYears(1);
        await keeper.Page.FillAsync($"{keptRow} [data-testid=disposal-until]", until.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await keeper.Page.FillAsync($"{keptRow} [data-testid=disposal-extend-reason]", "相关行政复议尚未结束");
        await keeper.Page.ClickAsync($"{keptRow} [data-testid=disposal-extend]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=notice]");
        Assert.Equal(0, await keeper.Page.Locator(keptRow).CountAsync());
        var extended = (await shifted.FootageAsync(unit, kept.Id))!;
        Assert.Equal(FootageStatus.Available, extended.Status);
        Assert.True(extended.RetentionUntil > until.AddDays(-2), $"kept until {extended.RetentionUntil:O}");

        // The head sees it in the inbox with its countdown, then cancels it on the review page with a reason.
        await using var head = await ShiftedSessionAsync("head-1", unit, Roles.Head);
        await head.Page.WaitForSelectorAsync($"[data-testid=inbox-recovery] li[data-footage='{footage.Id}'] [data-testid=countdown]");
        await head.GoAsync("disposals");
        var row = $"[data-testid=disposals-approved] tr[data-footage='{footage.Id}']";
        await head.Page.WaitForSelectorAsync($"{row} [data-testid=countdown]");
        await head.ScreenshotAsync("disposals-head");
        Assert.Empty(await head.SeriousViolationsAsync());

        // Without a reason the API refuses, and says why.
        await head.Page.ClickAsync($"{row} [data-testid=disposal-cancel]");
        await head.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Equal(FootageStatus.DisposalApproved, (await shifted.FootageAsync(unit, footage.Id))!.Status);

        await head.Page.FillAsync($"{row} [data-testid=disposal-cancel-reason]", "涉及尚未结案的投诉");
        await head.Page.ClickAsync($"{row} [data-testid=disposal-cancel]");
        await head.Page.WaitForSelectorAsync($"[data-testid=disposals-pending] tr[data-footage='{footage.Id}']");
        var cancelled = (await shifted.FootageAsync(unit, footage.Id))!;
        Assert.Equal(FootageStatus.DisposalPending, cancelled.Status);
        Assert.Null(cancelled.Disposal!.PurgeAfter);

        await InEnglishAsync(head);
        await head.Page.WaitForSelectorAsync($"[data-testid=disposals-pending] tr[data-footage='{footage.Id}']");
        await head.ScreenshotAsync("disposals-head");
        await InEnglishAsync(keeper);
        await keeper.Page.WaitForSelectorAsync($"[data-testid=disposals-pending] tr[data-footage='{footage.Id}']");
        await keeper.ScreenshotAsync("disposals");
        Assert.Empty(await keeper.SeriousViolationsAsync());
    }

    [Fact]
    public async Task The_head_sees_the_locked_rule_before_saving_settings_and_a_shortening_under_locked_is_refused_by_the_api()
    {
        var unit = Unit();
        await using var head = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await head.SignInAsync("head-zhou", unit, Roles.Head);
        await head.GoAsync("settings");
        await head.Page.WaitForSelectorAsync("[data-testid=settings-name]");
        await head.ScreenshotAsync("settings");
        Assert.Empty(await head.SeriousViolationsAsync());

        await head.Page.FillAsync("[data-testid=settings-name]", "城管执法一中队");
        await head.Page.FillAsync("[data-testid=retention-months] >> nth=0", "30");
        await head.Page.ClickAsync("[data-testid=retention-add]");
        await head.Page.FillAsync("[data-testid=retention-category] >> nth=1", "traffic");
        await head.Page.FillAsync("[data-testid=retention-months] >> nth=1", "36");
        await head.Page.SelectOptionAsync("[data-testid=settings-policy]", "Locked");
        await head.Page.CheckAsync("[data-testid=required-other]");
        await head.Page.ClickAsync("[data-testid=settings-review]");

        // Before anything is saved: the rule, and the mode it moves to; the API still has the old settings.
        var confirm = await head.Page.WaitForSelectorAsync("[data-testid=settings-confirm]");
        var rule = await confirm!.TextContentAsync();
        Assert.Contains("始终保持锁定", rule, StringComparison.Ordinal);
        Assert.Contains("只能延长，不能缩短", rule, StringComparison.Ordinal);
        Assert.Contains("任何人", rule, StringComparison.Ordinal);
        Assert.Contains("锁定", await head.Page.TextContentAsync("[data-testid=settings-mode-change]"), StringComparison.Ordinal);
        await head.ScreenshotAsync("settings-confirm");
        Assert.Empty(await head.SeriousViolationsAsync());
        var before = await fixture.OkAsync<UnitSettings>(HttpMethod.Get, $"/api/units/{unit}/settings", fixture.TokenFor(unit, Roles.Head));
        Assert.Equal(24, before.RetentionMonths["default"]);

        await head.Page.ClickAsync("[data-testid=settings-save]");
        await head.Page.WaitForSelectorAsync("[data-testid=notice]");
        var saved = await fixture.OkAsync<UnitSettings>(HttpMethod.Get, $"/api/units/{unit}/settings", fixture.TokenFor(unit, Roles.Keeper));
        Assert.Equal("城管执法一中队", saved.Name);
        Assert.Equal(30, saved.RetentionMonths["default"]);
        Assert.Equal(36, saved.RetentionMonths["traffic"]);
        Assert.Equal(PolicyMode.Locked, saved.PolicyMode);
        Assert.Contains(ActivityKind.Other, saved.RecordingRequiredFor);
        Assert.Equal(before.AccessApprovals, saved.AccessApprovals);
        Assert.Equal(before.Obligations.Summary(), saved.Obligations.Summary());
        Assert.Equal(before.RecoveryWindowDays, saved.RecoveryWindowDays);

        // Locked now: a shorter period is refused by the API, which the head is shown by field; nothing changes.
        await head.Page.FillAsync("[data-testid=retention-months] >> nth=0", "12");
        await head.Page.ClickAsync("[data-testid=settings-review]");
        await head.Page.ClickAsync("[data-testid=settings-save]");
        await head.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("400", await head.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.Contains("Under Locked mode periods can only grow", await head.Page.TextContentAsync("[data-testid=field-errors]"), StringComparison.Ordinal);
        var unchanged = await fixture.OkAsync<UnitSettings>(HttpMethod.Get, $"/api/units/{unit}/settings", fixture.TokenFor(unit, Roles.Head));
        Assert.Equal(30, unchanged.RetentionMonths["default"]);

        await InEnglishAsync(head);
        await head.Page.ClickAsync("[data-testid=settings-review]");
        var english = await head.Page.WaitForSelectorAsync("[data-testid=settings-confirm]");
        Assert.Contains("can only be lengthened", await english!.TextContentAsync(), StringComparison.Ordinal);
        await head.ScreenshotAsync("settings-confirm");
        await head.Page.ClickAsync("[data-testid=settings-back]");
        await head.ScreenshotAsync("settings");
        Assert.Empty(await head.SeriousViolationsAsync());
    }

    [Fact]
    public async Task The_head_approves_a_share_and_is_shown_its_passcode_once_then_revokes_it()
    {
        var unit = Unit();
        var dock = new Dock(fixture, unit);
        var footage = await dock.CataloguedAudioAsync(9201, 1, Recent.HoursAgo(4));
        var keeper = fixture.TokenFor(unit, Roles.Keeper);
        var share = await fixture.OkAsync<ExternalShare>(HttpMethod.Post, "/api/shares", keeper, new
        {
            recipientName = "王检察官", recipientKind = "prosecutor", recipientOrganisation = "徐汇区人民检察院",
            footageIds = new[] { footage[0].Id }, mode = "view", duration = "P3D", purpose = "审查起诉",
        });
        var later = await fixture.OkAsync<ExternalShare>(HttpMethod.Post, "/api/shares", keeper, new
        {
            recipientName = "李法官", recipientKind = "court", recipientOrganisation = "徐汇区人民法院",
            footageIds = new[] { footage[0].Id }, mode = "view", duration = "P30D", purpose = "庭审",
        });
        await fixture.OkAsync<ShareApproval>(HttpMethod.Post, $"/api/shares/{later.Id}/approve", fixture.TokenFor(unit, Roles.Head));

        await using var head = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await head.SignInAsync("head-wu", unit, Roles.Head);
        // The inbox: the share waiting for approval; the approved one ends in 30 days, not soon.
        await head.Page.WaitForSelectorAsync($"[data-testid=inbox-shares] li[data-share='{share.Id}']");
        await head.Page.WaitForSelectorAsync("[data-testid=inbox-shares-expiring]");
        Assert.Equal(0, await head.Page.Locator($"[data-testid=inbox-shares-expiring] li[data-share='{later.Id}']").CountAsync());

        await head.GoAsync("shares");
        await head.Page.WaitForSelectorAsync($"tr[data-share='{share.Id}'] [data-testid=share-approve]");
        await head.ScreenshotAsync("shares");
        Assert.Empty(await head.SeriousViolationsAsync());
        await head.Page.ClickAsync($"tr[data-share='{share.Id}'] [data-testid=share-approve]");
        await head.Page.WaitForSelectorAsync("[data-testid=share-once]");
        var passcode = (await head.Page.TextContentAsync("[data-testid=share-passcode]"))!.Trim();
        var link = new Uri((await head.Page.TextContentAsync("[data-testid=share-link]"))!.Trim());
        Assert.Contains("无法再次显示", await head.Page.TextContentAsync("[data-testid=share-once]"), StringComparison.Ordinal);
        await head.ScreenshotAsync("share-once");
        Assert.Empty(await head.SeriousViolationsAsync());

        // The passcode shown is the share's: the recipient opens the link with it.
        using (var opened = new HttpRequestMessage(HttpMethod.Post, link.AbsolutePath))
        {
            opened.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0");
            opened.Headers.Add(ServeShares.PasscodeHeader, passcode);
            using var answer = await fixture.Http.SendAsync(opened, Cancel);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        // Approved for three days, it now ends soon: the inbox says so; the thirty-day one is not among them.
        await head.GoAsync("");
        await head.Page.WaitForSelectorAsync($"[data-testid=inbox-shares-expiring] li[data-share='{share.Id}']");
        Assert.Equal(0, await head.Page.Locator($"[data-testid=inbox-shares-expiring] li[data-share='{later.Id}']").CountAsync());
        Assert.Equal(0, await head.Page.Locator($"[data-testid=inbox-shares] li[data-share='{share.Id}']").CountAsync());

        // Shown once: after leaving the page, the share is listed without it, and nothing in the page holds it.
        await head.GoAsync("shares");
        await head.Page.WaitForSelectorAsync($"tr[data-share='{share.Id}'] [data-testid=share-state]");
        Assert.Equal(0, await head.Page.Locator("[data-testid=share-once]").CountAsync());
        Assert.DoesNotContain(passcode, await head.Page.ContentAsync(), StringComparison.Ordinal);

        await head.Page.FillAsync($"tr[data-share='{share.Id}'] [data-testid=share-revoke-reason]", "案件已撤诉");
        await head.Page.ClickAsync($"tr[data-share='{share.Id}'] [data-testid=share-revoke]");
        await head.Page.WaitForSelectorAsync($"tr[data-share='{share.Id}'] [data-testid=share-state]:has-text('已撤销')");
        Assert.Equal(ShareStatus.Revoked, (await fixture.OkAsync<ExternalShare>(HttpMethod.Get, $"/api/shares/{share.Id}", keeper)).Status);

        await InEnglishAsync(head);
        await head.Page.WaitForSelectorAsync($"tr[data-share='{share.Id}'] [data-testid=share-state]:has-text('Revoked')");
        await head.ScreenshotAsync("shares");
        Assert.Empty(await head.SeriousViolationsAsync());
    }

    [Fact]
    public async Task Work_records_wait_in_the_heads_inbox_and_are_decided_on_their_page_but_not_by_who_filed_them()
    {
        var unit = Unit();
        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var activity = await fixture.OkAsync<Activity>(HttpMethod.Post, "/api/activities", officer, new
        {
            kind = "hearing", officers = ActivityOfficers, place = "三号市场", start = Recent.HoursAgo(6), end = Recent.HoursAgo(5),
        });
        var filed = await fixture.OkAsync<WorkRecord>(HttpMethod.Post, $"/api/activities/{activity.Id}/work-records", officer,
            new { reason = "deviceFault", explanation = "记录仪电量耗尽，备用机在车上" });
        var headAsOfficer = fixture.Cloud.Issuer.Mint("head-ma", unit, [Roles.Officer, Roles.Head], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var own = await fixture.OkAsync<WorkRecord>(HttpMethod.Post, $"/api/activities/{activity.Id}/work-records", headAsOfficer,
            new { reason = "obstruction", explanation = "当事人遮挡镜头" });

        await using var head = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await head.SignInAsync("head-ma", unit, Roles.Officer, Roles.Head);
        await head.Page.WaitForSelectorAsync($"[data-testid=inbox-work-records] li[data-work-record='{filed.Id}']");
        await head.ScreenshotAsync("inbox-head");
        Assert.Empty(await head.SeriousViolationsAsync());

        await head.GoAsync("work-records");
        await head.Page.WaitForSelectorAsync($"tr[data-work-record='{filed.Id}']");
        await head.ScreenshotAsync("work-records");
        Assert.Empty(await head.SeriousViolationsAsync());

        // Their own is refused by the API, shown in their language, and stays pending.
        await head.Page.ClickAsync($"tr[data-work-record='{own.Id}'] [data-testid=work-record-approve]");
        await head.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("不能由您决定", await head.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.Equal("Nobody decides their own work record.", await head.Page.TextContentAsync("[data-testid=problem-detail]"));

        await head.Page.FillAsync($"tr[data-work-record='{filed.Id}'] [data-testid=work-record-reason]", "已核对电池记录");
        await head.Page.ClickAsync($"tr[data-work-record='{filed.Id}'] [data-testid=work-record-approve]");
        await head.Page.WaitForSelectorAsync("[data-testid=notice]");
        Assert.Equal(0, await head.Page.Locator($"tr[data-work-record='{filed.Id}']").CountAsync());
        var pending = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, "/api/work-records", fixture.TokenFor(unit, Roles.Head));
        Assert.Equal(own.Id, Assert.Single(pending.Items).Id);
        var approved = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, "/api/work-records?status=approved", fixture.TokenFor(unit, Roles.Head));
        Assert.Equal("已核对电池记录", Assert.Single(approved.Items).DecisionReason);

        await InEnglishAsync(head);
        await head.Page.WaitForSelectorAsync($"tr[data-work-record='{own.Id}']");
        await head.ScreenshotAsync("work-records");
        await head.GoAsync("");
        await head.Page.WaitForSelectorAsync($"[data-testid=inbox-work-records] li[data-work-record='{own.Id}']");
        await head.ScreenshotAsync("inbox-head");
        Assert.Empty(await head.SeriousViolationsAsync());
    }

    [Fact]
    public async Task The_head_approves_a_copy_request_and_the_requesters_inbox_shows_it_ready()
    {
        var unit = Unit();
        var dock = new Dock(fixture, unit);
        var footage = await dock.CataloguedAudioAsync(9301, 1, Recent.HoursAgo(4));
        var reviewer = fixture.Cloud.Issuer.Mint("reviewer-he", unit, [Roles.Reviewer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var asked = await fixture.OkAsync<Functions.Access.AccessRequest>(HttpMethod.Post, "/api/access-requests", reviewer, new
        {
            footageIds = new[] { footage[0].Id }, purpose = "移送检察院", caseName = "占道经营案", caseNumber = "ZD-2026-09", mode = "copy", duration = "P1D",
        });
        Assert.Equal(Roles.Head, asked.ApproverRole);

        await using var head = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await head.SignInAsync("head-qian", unit, Roles.Head);
        await head.Page.ClickAsync($"[data-testid=inbox-decide] tr[data-request='{asked.Id}'] a");
        await head.Page.ClickAsync("[data-testid=approve]");
        await head.Page.WaitForSelectorAsync("[data-testid=request-state]:has-text('已批准')");

        await using var requester = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await requester.SignInAsync("reviewer-he", unit, Roles.Reviewer);
        await requester.Page.WaitForSelectorAsync($"[data-testid=inbox-ready] tr[data-request='{asked.Id}'] [data-testid=watch-link]");
        await requester.ScreenshotAsync("inbox-ready");
        Assert.Empty(await requester.SeriousViolationsAsync());
        await InEnglishAsync(requester);
        await requester.Page.WaitForSelectorAsync($"[data-testid=inbox-ready] tr[data-request='{asked.Id}'] [data-testid=watch-link]");
        await requester.ScreenshotAsync("inbox-ready");
    }

    [Theory]
    [InlineData(Roles.Officer, "disposals")]
    [InlineData(Roles.Officer, "work-records")]
    [InlineData(Roles.Officer, "shares")]
    [InlineData(Roles.Officer, "settings")]
    [InlineData(Roles.Reviewer, "disposals")]
    [InlineData(Roles.Reviewer, "settings")]
    [InlineData(Roles.Supervisor, "disposals")]
    public async Task A_page_opened_by_a_role_that_may_not_use_it_shows_the_apis_refusal(string role, string page)
    {
        await using var person = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await person.SignInAsync($"{role.ToLowerInvariant()}-9", Unit(), role);
        Assert.Equal(0, await person.Page.Locator($"nav a[href='{page}']").CountAsync());

        await person.GoAsync(page);

        await person.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("403", await person.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(await person.Page.TextContentAsync("[data-testid=problem-detail]")));
        Assert.Equal(0, await person.Page.Locator("[data-testid=settings-save], [data-testid=disposal-cancel], [data-testid=share-approve], [data-testid=work-record-approve]").CountAsync());
        Assert.Empty(await person.SeriousViolationsAsync());
    }
}
