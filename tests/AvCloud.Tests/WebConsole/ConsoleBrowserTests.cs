using System.Net;
using System.Text.Json;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The console in a real browser (Debian's headless Chromium) against the local cloud: each role signs in on the local
/// issuer's page; the whole 调阅 flow (a reviewer asks, the head approves, the reviewer watches the video play); the
/// language switch; a reviewer has no approve button and the API's refusal is what they see. The main pages are
/// photographed in both languages (tests/TestResults/screenshots) and checked with axe-core.
/// </summary>
public sealed class ConsoleBrowserTests(LocalCloudFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Unit() => $"web-{Guid.NewGuid():N}"[..12];

    /// <summary>A real two-second H.264 video (Ingest/Media/bodycam.mp4) handed over by a dock in <paramref name="unit"/>; its footage id.</summary>
    private async Task<string> HandOverVideoAsync(string unit)
    {
        var dock = new Dock(fixture, unit);
        var content = await File.ReadAllBytesAsync(Dock.MediaPath("bodycam.mp4"), Cancel);
        var recorded = Recent.HoursAgo(3);
        var session = await dock.OpenAsync(Dock.Manifest(recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("bodycam.mp4", "video", content, recorded, TimeSpan.FromSeconds(2))));
        await Dock.UploadAsync(session, "bodycam.mp4", content);
        await dock.SettledAsync(session.SessionId);
        return Dock.Sha256(content);
    }

    [Theory]
    [InlineData(Roles.Officer, "执法人员", 3)]
    [InlineData(Roles.Keeper, "档案管理员", 11)]
    [InlineData(Roles.Reviewer, "审查人员", 5)]
    [InlineData(Roles.Supervisor, "监督人员", 9)]
    [InlineData(Roles.Head, "单位负责人", 14)]
    [InlineData(Roles.Dock, "采集站", 1)]
    public async Task Each_role_signs_in_on_the_local_page_and_sees_who_it_is_and_its_menu(string role, string shown, int menu)
    {
        await using var person = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        var unit = Unit();

        await person.SignInAsync($"{role.ToLowerInvariant()}-1", unit, role);

        var who = await person.Page.TextContentAsync("[data-testid=who]");
        Assert.Contains(shown, who, StringComparison.Ordinal);
        Assert.Contains(unit, who, StringComparison.Ordinal);
        Assert.Equal(menu, await person.Page.Locator("nav ul li").CountAsync());
        await person.Page.WaitForSelectorAsync("main h1:has-text('待办事项')");
    }

    [Fact]
    public async Task A_reviewer_asks_the_head_approves_and_the_reviewer_watches_the_video_play_with_the_time_left()
    {
        var unit = Unit();
        var footage = await HandOverVideoAsync(unit);

        // The reviewer finds the recording in the list and asks to view it.
        await using var reviewer = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await reviewer.SignInAsync("reviewer-wang", unit, Roles.Reviewer);
        await reviewer.GoAsync("footage");
        await reviewer.Page.WaitForSelectorAsync($"tr[data-footage='{footage}']");
        await reviewer.ScreenshotAsync("footage");
        Assert.Empty(await reviewer.SeriousViolationsAsync());
        await reviewer.Page.CheckAsync($"tr[data-footage='{footage}'] input[type=checkbox]");
        await reviewer.Page.ClickAsync("[data-testid=ask]");
        await reviewer.Page.WaitForSelectorAsync($"[data-testid=ask-footage] :text('{footage}')");
        await reviewer.ScreenshotAsync("ask");
        Assert.Empty(await reviewer.SeriousViolationsAsync());
        var requestId = await reviewer.AskAsync("投诉复核", "张某投诉案", "TS-2026-118");
        Assert.Contains("待审批", await reviewer.Page.TextContentAsync("[data-testid=request-state]"), StringComparison.Ordinal);
        // A reviewer decides nothing: no approve button.
        Assert.Equal(0, await reviewer.Page.Locator("[data-testid=approve]").CountAsync());

        // The head sees it waiting in the inbox and approves it.
        await using var head = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await head.SignInAsync("head-li", unit, Roles.Head);
        await head.Page.WaitForSelectorAsync($"[data-testid=inbox-decide] tr[data-request='{requestId}']");
        await head.ScreenshotAsync("inbox");
        Assert.Empty(await head.SeriousViolationsAsync());
        await head.Page.ClickAsync($"[data-testid=inbox-decide] tr[data-request='{requestId}'] a");
        await head.Page.WaitForSelectorAsync("[data-testid=approve]");
        await head.ScreenshotAsync("request");
        Assert.Empty(await head.SeriousViolationsAsync());
        await head.Page.ClickAsync("[data-testid=approve]");
        await head.Page.WaitForSelectorAsync("[data-testid=request-state]:has-text('已批准')");

        // The reviewer watches: the video plays in the page and the time left is shown.
        await reviewer.GoAsync($"requests/{requestId}");
        await reviewer.Page.ClickAsync("[data-testid=watch]");
        var video = await reviewer.Page.WaitForSelectorAsync("[data-testid=video]");
        Assert.Matches(@"剩余时间：\d+:\d\d:\d\d", await reviewer.Page.TextContentAsync("[data-testid=remaining]"));
        await reviewer.Page.EvalOnSelectorAsync("[data-testid=video]", "v => { v.muted = true; return v.play(); }");
        await reviewer.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=video]').currentTime > 0.5");
        Assert.True(await video!.EvaluateAsync<double>("v => v.currentTime") > 0.5);
        await reviewer.ScreenshotAsync("watch");
        Assert.Empty(await reviewer.SeriousViolationsAsync());

        // The same pages in English.
        await reviewer.Page.ClickAsync("[data-testid=switch-language]");
        await reviewer.Page.WaitForSelectorAsync("html[lang=en] main h1");
        await reviewer.Page.WaitForSelectorAsync("[data-testid=remaining]:has-text('Time left')");
        await reviewer.ScreenshotAsync("watch");
        await reviewer.GoAsync("footage");
        await reviewer.Page.WaitForSelectorAsync($"tr[data-footage='{footage}']");
        await reviewer.ScreenshotAsync("footage");
        await reviewer.GoAsync($"requests/{requestId}");
        await reviewer.Page.WaitForSelectorAsync("[data-testid=request-state]:has-text('Approved')");
        await reviewer.ScreenshotAsync("request");
        await reviewer.GoAsync($"requests/new?footage={footage}");
        await reviewer.Page.WaitForSelectorAsync($"[data-testid=ask-footage] :text('{footage}')");
        await reviewer.ScreenshotAsync("ask");
        Assert.Empty(await reviewer.SeriousViolationsAsync());
        await head.Page.ClickAsync("[data-testid=switch-language]");
        await head.Page.WaitForSelectorAsync("html[lang=en] main h1");
        await head.GoAsync("");
        await head.ScreenshotAsync("inbox");
        Assert.Empty(await head.SeriousViolationsAsync());

        // The head revokes the approval: the reviewer's page gets no new links, and says why in the API's words.
        await head.GoAsync($"requests/{requestId}");
        await head.Page.FillAsync("[data-testid=decision-reason]", "Complaint withdrawn");
        await head.Page.ClickAsync("[data-testid=revoke]");
        await head.Page.WaitForSelectorAsync("[data-testid=request-state]:has-text('Revoked')");
        await reviewer.GoAsync($"requests/{requestId}/watch");
        await reviewer.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Equal(0, await reviewer.Page.Locator("[data-testid=video]").CountAsync());
        Assert.False(string.IsNullOrWhiteSpace(await reviewer.Page.TextContentAsync("[data-testid=problem-detail]")));
    }

    [Fact]
    public async Task The_language_switches_to_english_and_back_and_is_remembered()
    {
        await using var person = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await person.SignInAsync("keeper-zhao", Unit(), Roles.Keeper);
        Assert.Equal("待办", (await person.Page.TextContentAsync("nav ul li a"))!.Trim());

        await person.Page.ClickAsync("[data-testid=switch-language]");
        await person.Page.WaitForSelectorAsync("html[lang=en] nav ul li a:has-text('Inbox')");
        await person.Page.ReloadAsync();
        await person.Page.WaitForSelectorAsync("html[lang=en] nav ul li a:has-text('Inbox')");

        await person.Page.ClickAsync("[data-testid=switch-language]");
        await person.Page.WaitForSelectorAsync("html[lang=zh-CN] nav ul li a:has-text('待办')");

        // Signing out goes through the issuer's end-session endpoint and back to the console.
        await person.Page.ClickAsync("nav button:has-text('退出')");
        await person.Page.WaitForSelectorAsync("main :text('您已退出。')");
    }

    [Fact]
    public async Task A_reviewer_has_no_approve_button_and_sees_the_apis_refusal_when_it_forges_the_call()
    {
        var unit = Unit();
        var footage = await HandOverVideoAsync(unit);
        await using var reviewer = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await reviewer.SignInAsync("reviewer-chen", unit, Roles.Reviewer);
        await reviewer.GoAsync($"requests/new?footage={footage}");
        var requestId = await reviewer.AskAsync("复核", "案件", "A-1");
        Assert.Equal(0, await reviewer.Page.Locator("[data-testid=approve]").CountAsync());

        // Forged: the approval posted from the page with the reviewer's own token, as devtools would.
        var forged = await reviewer.Page.EvaluateAsync<JsonElement>("""
            async (id) => {
                const key = Object.keys(sessionStorage).find(k => k.startsWith('oidc.user:'));
                const token = JSON.parse(sessionStorage.getItem(key)).access_token;
                const answer = await fetch('/api/access-requests/' + id + '/approve',
                    { method: 'POST', headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' }, body: '{}' });
                return { status: answer.status, type: answer.headers.get('content-type'), body: await answer.json() };
            }
            """, requestId);
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.GetProperty("status").GetInt32());
        Assert.StartsWith("application/problem+json", forged.GetProperty("type").GetString(), StringComparison.Ordinal);

        // The refusal as the console shows it: the API's problem, its title in the person's language, its detail.
        await reviewer.GoAsync("requests/no-such-request");
        await reviewer.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("未找到", await reviewer.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.Equal("No such access request in your unit.", await reviewer.Page.TextContentAsync("[data-testid=problem-detail]"));
        Assert.Contains("404", await reviewer.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_holding_keeper_and_head_who_approves_their_own_request_is_shown_the_apis_refusal_in_their_language()
    {
        var unit = Unit();
        var footage = await HandOverVideoAsync(unit);
        await using var person = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await person.SignInAsync("keeper-head-sun", unit, Roles.Keeper, Roles.Head);
        await person.GoAsync($"requests/new?footage={footage}");
        await person.AskAsync("复核", "案件", "A-2");
        await person.Page.WaitForSelectorAsync("[data-testid=approve]");

        await person.Page.ClickAsync("[data-testid=approve]");

        await person.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("不能由您决定", await person.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.Equal("Nobody decides their own request.", await person.Page.TextContentAsync("[data-testid=problem-detail]"));
        Assert.Contains("待审批", await person.Page.TextContentAsync("[data-testid=request-state]"), StringComparison.Ordinal);
    }
}
