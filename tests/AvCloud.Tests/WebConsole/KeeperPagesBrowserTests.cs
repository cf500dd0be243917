using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Cases;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The records keeper's pages in a real browser against the local cloud: devices and the checkout ledger, an activity's
/// coverage timeline with its gap, a linking decision, holds and classification on a recording, and cases. What the
/// keeper does in the console is checked through the API; what only the head may do is refused with the API's problem.
/// Each page is photographed in both languages and checked with axe-core.
/// </summary>
public sealed class KeeperPagesBrowserTests(LocalCloudFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Nine = Recent.HoursAgo(8);

    private const string Zhang = "officer-zhang";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        await fixture.SendAsync(method, path, token, body is null ? null : JsonContent.Create(body));

    private async Task<T> ReadAsync<T>(string path, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(AvCloudJson.Options, Cancel))!;
    }

    /// <summary>A unit of its own whose recorder is checked out to officer Zhang from an hour before nine, so the ledger attributes its recordings to Zhang.</summary>
    private async Task<(Dock Dock, string Keeper)> SceneAsync()
    {
        var dock = new Dock(fixture, $"kp-{Guid.NewGuid():N}"[..12]);
        await dock.RegisterDeviceAsync();
        var keeper = fixture.TokenFor(dock.Unit, Roles.Keeper);
        using var checkout = await SendAsync(HttpMethod.Post, $"/api/devices/{Dock.DeviceId}/checkouts", keeper,
            new { officerId = Zhang, condition = "完好", at = Nine.AddHours(-1), check = Checks.Passing });
        Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        return (dock, keeper);
    }

    private async Task<Activity> ActivityAsync(string unit, string keeper, int fromMinute, int toMinute, string kind = "onSiteEnforcement")
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/activities", keeper, new
        {
            kind, officers = new[] { Zhang }, place = "东城农贸市场", start = Nine.AddMinutes(fromMinute), end = Nine.AddMinutes(toMinute),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Activity>(AvCloudJson.Options, Cancel))!;
    }

    /// <summary>Docks audio recordings (minutes after nine) and gives their ids once catalogued.</summary>
    private static async Task<IReadOnlyList<string>> DockAsync(Dock dock, int seed, params (int From, int To)[] recordings)
    {
        var contents = recordings.Select((_, i) => SyntheticWav.Create(seed + i, 8000)).ToList();
        var session = await dock.OpenAsync(Dock.Manifest(Nine.AddHours(3), TimeSpan.Zero, [.. recordings.Select((r, i) => new
        {
            name = $"r{i}.wav", kind = "audio", size = contents[i].Length, sha256 = Dock.Sha256(contents[i]),
            recordedStart = Nine.AddMinutes(r.From), recordedEnd = Nine.AddMinutes(r.To),
        })]));
        for (var i = 0; i < contents.Count; i++)
        {
            await Dock.UploadAsync(session, $"r{i}.wav", contents[i]);
        }

        await dock.SettledAsync(session.SessionId);
        return [.. contents.Select(Dock.Sha256)];
    }

    private async Task<ConsoleSession> SignedInAsync(string user, string unit, params string[] roles)
    {
        var person = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await person.SignInAsync(user, unit, roles);
        return person;
    }

    /// <summary>Photographs the page in Chinese and checks it, switches to English, waits for <paramref name="english"/>, and again.</summary>
    private static async Task PhotographedInBothLanguagesAsync(ConsoleSession person, string name, string english)
    {
        await person.ScreenshotAsync(name);
        Assert.Empty(await person.SeriousViolationsAsync());
        await person.Page.ClickAsync("[data-testid=switch-language]");
        await person.Page.WaitForSelectorAsync($"html[lang=en] main :text('{english}')");
        await person.ScreenshotAsync(name);
        Assert.Empty(await person.SeriousViolationsAsync());
        await person.Page.ClickAsync("[data-testid=switch-language]");
        await person.Page.WaitForSelectorAsync("html[lang=zh-CN] main h1");
    }

    [Fact]
    public async Task A_keeper_places_a_hold_in_the_console_the_api_shows_the_recording_held_and_only_the_head_releases_it()
    {
        var (dock, keeperToken) = await SceneAsync();
        var footage = (await DockAsync(dock, 7101, (0, 5)))[0];
        await using var keeper = await SignedInAsync("keeper-zhao", dock.Unit, Roles.Keeper);
        await keeper.GoAsync($"recordings/{footage}");
        await keeper.Page.WaitForSelectorAsync("[data-testid=no-holds]");

        await keeper.Page.SelectOptionAsync("[data-testid=hold-kind]", "Obstruction");
        await keeper.Page.FillAsync("[data-testid=hold-requested-by]", "执法人员张某");
        await keeper.Page.FillAsync("[data-testid=hold-case-name]", "市场阻碍执法案");
        await keeper.Page.FillAsync("[data-testid=hold-case-number]", "ZF-2026-301");
        await keeper.Page.FillAsync("[data-testid=hold-reason]", "当事人推搡执法人员");
        await keeper.Page.ClickAsync("[data-testid=hold-submit]");

        await keeper.Page.WaitForSelectorAsync("[data-testid=notice]:has-text('已保全')");
        var row = await keeper.Page.TextContentAsync("[data-testid=holds] tbody tr");
        Assert.Contains("ZF-2026-301", row, StringComparison.Ordinal);
        var held = Assert.Single((await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken)).Holds);
        Assert.Equal((HoldReason.Obstruction, "ZF-2026-301", "执法人员张某", "当事人推搡执法人员"), (held.Reason, held.CaseNumber, held.RequestedBy, held.ReasonText));
        // Releasing is the head's (Art. 16): the keeper is offered no release.
        Assert.Equal(0, await keeper.Page.Locator("[data-testid=release]").CountAsync());
        await PhotographedInBothLanguagesAsync(keeper, "recording", "Holds");

        await using var head = await SignedInAsync("head-li", dock.Unit, Roles.Head);
        await head.GoAsync($"recordings/{footage}");
        await head.Page.ClickAsync("[data-testid=release-submit]");
        await head.Page.WaitForSelectorAsync("[data-testid=problem]:has-text('请求无效')");
        await head.Page.FillAsync("[data-testid=release-reason]", "争议已调解");
        await head.Page.ClickAsync("[data-testid=release-submit]");
        await head.Page.WaitForSelectorAsync("[data-testid=no-holds]");
        Assert.Empty((await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken)).Holds);
    }

    [Fact]
    public async Task A_keeper_raises_a_classification_and_sees_the_apis_refusal_when_lowering_it_which_needs_the_head()
    {
        var (dock, keeperToken) = await SceneAsync();
        var footage = (await DockAsync(dock, 7201, (0, 5)))[0];
        await using var keeper = await SignedInAsync("keeper-qian", dock.Unit, Roles.Keeper);
        await keeper.GoAsync($"recordings/{footage}");

        await keeper.Page.SelectOptionAsync("[data-testid=classify-level]", "Privacy");
        await keeper.Page.FillAsync("[data-testid=classify-reason]", "画面含未成年人面部");
        await keeper.Page.ClickAsync("[data-testid=classify-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=classification]:has-text('个人隐私')");
        Assert.Equal(Functions.Access.Classification.Privacy, (await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken)).Classification);

        await keeper.Page.SelectOptionAsync("[data-testid=classify-level]", "None");
        await keeper.Page.FillAsync("[data-testid=classify-reason]", "误设");
        await keeper.Page.ClickAsync("[data-testid=classify-submit]");

        await keeper.Page.WaitForSelectorAsync("[data-testid=problem]");
        Assert.Contains("需要单位负责人", await keeper.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.Contains("403", await keeper.Page.TextContentAsync("[data-testid=problem-title]"), StringComparison.Ordinal);
        Assert.Equal("Lowering a classification needs the head; the keeper can only raise it.", await keeper.Page.TextContentAsync("[data-testid=problem-detail]"));
        Assert.Contains("个人隐私", await keeper.Page.TextContentAsync("[data-testid=classification]"), StringComparison.Ordinal);
        Assert.Equal(Functions.Access.Classification.Privacy, (await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken)).Classification);
    }

    [Fact]
    public async Task A_keeper_settles_a_linking_decision_with_a_reason_and_the_recording_leaves_the_list()
    {
        var (dock, keeperToken) = await SceneAsync();
        await ActivityAsync(dock.Unit, keeperToken, 0, 60);
        var hearing = await ActivityAsync(dock.Unit, keeperToken, 30, 90, "investigation");
        var both = await DockAsync(dock, 7301, (40, 45), (50, 55));
        var (footage, other) = (both[0], both[1]);
        await using var keeper = await SignedInAsync("keeper-sun", dock.Unit, Roles.Keeper);
        await keeper.GoAsync("linking");
        var section = $"[data-undecided='{footage}']";
        await keeper.Page.WaitForSelectorAsync(section);
        Assert.Equal(2, await keeper.Page.Locator($"{section} [data-testid=link-candidate] option").CountAsync());
        await PhotographedInBothLanguagesAsync(keeper, "linking", "Linking decisions");

        // No reason: the API's refusal, and nothing changes.
        await keeper.Page.SelectOptionAsync($"{section} [data-testid=link-candidate]", hearing.Id);
        await keeper.Page.ClickAsync($"{section} [data-testid=link-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=problem]:has-text('请求无效')");
        Assert.Null((await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken)).ActivityId);

        await keeper.Page.FillAsync($"{section} [data-testid=link-reason]", "录音内容为询问笔录");
        await keeper.Page.ClickAsync($"{section} [data-testid=link-submit]");

        await keeper.Page.WaitForSelectorAsync("[data-testid=notice]:has-text('已关联')");
        Assert.Equal(0, await keeper.Page.Locator(section).CountAsync());
        var linked = await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken);
        Assert.Equal((hearing.Id, LinkMethod.Keeper), (linked.ActivityId, linked.LinkedBy));

        // The other belongs to neither: the keeper says so, with a reason.
        await keeper.Page.FillAsync($"[data-undecided='{other}'] [data-testid=unlink-reason]", "私下交谈，非执法过程");
        await keeper.Page.ClickAsync($"[data-undecided='{other}'] [data-testid=unlink-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=linking-empty]");
        var none = await ReadAsync<FootageRecord>($"/api/footage/{other}", keeperToken);
        Assert.Equal((null, LinkMethod.Keeper, 0), (none.ActivityId, none.LinkedBy, (await ReadAsync<UndecidedPage>("/api/footage/undecided", keeperToken)).Items.Count));
    }

    [Fact]
    public async Task The_coverage_timeline_shows_each_recording_as_a_bar_and_marks_the_gap_between_them()
    {
        var (dock, keeperToken) = await SceneAsync();
        var market = await ActivityAsync(dock.Unit, keeperToken, 0, 60);
        var footage = await DockAsync(dock, 7401, (0, 20), (40, 60));
        await using var keeper = await SignedInAsync("keeper-wu", dock.Unit, Roles.Keeper);
        await keeper.GoAsync("activities");
        await keeper.Page.ClickAsync($"tr[data-activity='{market.Id}'] a");
        await keeper.Page.WaitForSelectorAsync("[data-testid=timeline]");

        var bars = await keeper.Page.Locator("[data-testid=timeline-bar]").EvaluateAllAsync<string[]>("bars => bars.map(b => b.getAttribute('data-footage'))");
        Assert.Equal(footage.Order(StringComparer.Ordinal), bars.Order(StringComparer.Ordinal));
        var gap = keeper.Page.Locator("[data-testid=timeline-gap]");
        Assert.Equal(1, await gap.CountAsync());
        // The gap is the middle third of the hour: from 20 to 40 minutes on an 800-wide axis.
        Assert.Equal(266.67, double.Parse((await gap.GetAttributeAsync("x"))!, System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.Equal(266.67, double.Parse((await gap.GetAttributeAsync("width"))!, System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.Contains("67", await keeper.Page.TextContentAsync("[data-testid=coverage]"), StringComparison.Ordinal);
        await PhotographedInBothLanguagesAsync(keeper, "activity", "Linked recordings");

        await keeper.GoAsync("activities");
        await keeper.Page.WaitForSelectorAsync($"tr[data-activity='{market.Id}']");
        await PhotographedInBothLanguagesAsync(keeper, "activities", "Activities");
    }

    [Fact]
    public async Task A_keeper_opens_a_case_adds_an_activity_with_a_reason_and_holds_the_whole_case()
    {
        var (dock, keeperToken) = await SceneAsync();
        var market = await ActivityAsync(dock.Unit, keeperToken, 0, 60);
        var footage = (await DockAsync(dock, 7501, (10, 30)))[0];
        await using var keeper = await SignedInAsync("keeper-zheng", dock.Unit, Roles.Keeper);
        await keeper.GoAsync("cases");
        await keeper.Page.FillAsync("[data-testid=case-number]", "AJ-2026-0415");
        await keeper.Page.FillAsync("[data-testid=case-name]", "东城市场无照经营案");
        await keeper.Page.ClickAsync("[data-testid=case-open]");

        await keeper.Page.WaitForSelectorAsync("main h1:has-text('AJ-2026-0415')");
        var caseId = keeper.Page.Url.Split("/cases/")[1];
        await keeper.Page.FillAsync("[data-testid=add-activity-id]", market.Id);
        await keeper.Page.FillAsync("[data-testid=add-activity-reason]", "同一当事人");
        await keeper.Page.ClickAsync("[data-testid=add-activity-submit]");
        await keeper.Page.WaitForSelectorAsync($"[data-testid=case-activities] tr[data-activity='{market.Id}']");
        await keeper.Page.WaitForSelectorAsync($"[data-testid=case-footage] a[data-footage='{footage}']");
        Assert.Equal([market.Id], (await ReadAsync<CaseView>($"/api/cases/{caseId}", keeperToken)).Case.ActivityIds);

        await keeper.Page.SelectOptionAsync("[data-testid=case-hold-kind]", "MajorCase");
        await keeper.Page.FillAsync("[data-testid=case-hold-requested-by]", "法制科");
        await keeper.Page.FillAsync("[data-testid=case-hold-reason]", "拟作出较大数额罚款");
        await keeper.Page.ClickAsync("[data-testid=case-hold-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=case-holds] li");
        Assert.Single((await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken)).Holds);
        await PhotographedInBothLanguagesAsync(keeper, "case", "Case AJ-2026-0415");

        await keeper.GoAsync("cases");
        await keeper.Page.WaitForSelectorAsync($"tr[data-case='{caseId}']");
        await PhotographedInBothLanguagesAsync(keeper, "cases", "Open a case");

        // The same number again: the API's refusal, shown.
        await keeper.Page.FillAsync("[data-testid=case-number]", "AJ-2026-0415");
        await keeper.Page.FillAsync("[data-testid=case-name]", "重复");
        await keeper.Page.ClickAsync("[data-testid=case-open]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=problem] [data-testid=problem-detail]");
        // Releasing the case's hold is the head's (Art. 16): the keeper is offered none, the head releases it with a reason.
        await keeper.GoAsync($"cases/{caseId}");
        await keeper.Page.WaitForSelectorAsync("[data-testid=case-holds] li");
        Assert.Equal(0, await keeper.Page.Locator("[data-testid=release-case-hold]").CountAsync());
        await using var head = await SignedInAsync("head-zhou", dock.Unit, Roles.Head);
        await head.GoAsync($"cases/{caseId}");
        await head.Page.FillAsync("[data-testid=release-case-hold-reason]", "已作出处罚决定并执行完毕");
        await head.Page.ClickAsync("[data-testid=release-case-hold-submit]");
        await head.Page.WaitForSelectorAsync("[data-testid=notice]:has-text('已解除保全')");
        Assert.Equal(0, await head.Page.Locator("[data-testid=case-holds] li").CountAsync());
        Assert.Empty((await ReadAsync<FootageRecord>($"/api/footage/{footage}", keeperToken)).Holds);
    }

    [Fact]
    public async Task A_keeper_reads_the_ledger_with_the_pre_use_check_takes_the_device_back_checks_it_out_again_and_logs_a_fault()
    {
        var (dock, _) = await SceneAsync();
        var footage = (await DockAsync(dock, 7601, (0, 5)))[0];
        await using var keeper = await SignedInAsync("keeper-feng", dock.Unit, Roles.Keeper);
        await keeper.GoAsync("devices");
        Assert.Contains(Zhang, await keeper.Page.TextContentAsync($"tr[data-device='{Dock.DeviceId}']"), StringComparison.Ordinal);
        await PhotographedInBothLanguagesAsync(keeper, "devices", "Held by");

        await keeper.Page.ClickAsync($"tr[data-device='{Dock.DeviceId}'] a");
        await keeper.Page.WaitForSelectorAsync($"[data-testid=ledger] a[data-footage='{footage}']");
        Assert.Contains("电量 100%", await keeper.Page.TextContentAsync("[data-testid=ledger] tbody"), StringComparison.Ordinal);

        await keeper.Page.FillAsync("[data-testid=return-condition]", "完好");
        await keeper.Page.ClickAsync("[data-testid=return-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=device-holder]:has-text('在库')");

        // A failing check goes out only with the keeper's reason (Art. 7): the API says why first.
        await keeper.Page.FillAsync("[data-testid=checkout-officer]", "officer-li");
        await keeper.Page.FillAsync("[data-testid=checkout-condition]", "完好");
        await keeper.Page.FillAsync("[data-testid=checkout-battery]", "5");
        await keeper.Page.FillAsync("[data-testid=checkout-storage]", "64000");
        await keeper.Page.CheckAsync("[data-testid=checkout-clock]");
        await keeper.Page.ClickAsync("[data-testid=checkout-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=problem]");
        await keeper.Page.FillAsync("[data-testid=checkout-exception]", "紧急出警，备用电池随行");
        await keeper.Page.ClickAsync("[data-testid=checkout-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=device-holder]:has-text('officer-li')");
        Assert.Contains("紧急出警", await keeper.Page.TextContentAsync("[data-testid=ledger] tbody"), StringComparison.Ordinal);

        await keeper.Page.SelectOptionAsync("[data-testid=maintenance-kind]", "FaultReported");
        await keeper.Page.FillAsync("[data-testid=maintenance-note]", "按键失灵");
        await keeper.Page.ClickAsync("[data-testid=maintenance-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=maintenance-log] li:has-text('按键失灵')");

        // Out with an officer, it cannot go for repair: the API's refusal, and the state stays.
        await keeper.Page.SelectOptionAsync("[data-testid=device-status-to]", "UnderRepair");
        await keeper.Page.FillAsync("[data-testid=device-status-reason]", "按键失灵");
        await keeper.Page.ClickAsync("[data-testid=device-status-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=problem-detail]:has-text('take it back first')");
        Assert.Contains("在用", await keeper.Page.TextContentAsync("[data-testid=device-status]"), StringComparison.Ordinal);
        await PhotographedInBothLanguagesAsync(keeper, "device", "Checkout ledger");

        // A new recorder goes into the registry from the list, and can be retired with a reason.
        await keeper.GoAsync("devices");
        await keeper.Page.FillAsync("[data-testid=register-id]", "bwc-0099");
        await keeper.Page.FillAsync("[data-testid=register-serial]", "SN-0099");
        await keeper.Page.FillAsync("[data-testid=register-model]", "DSJ-V9");
        await keeper.Page.ClickAsync("[data-testid=register-submit]");
        await keeper.Page.ClickAsync("tr[data-device='bwc-0099'] a");
        await keeper.Page.SelectOptionAsync("[data-testid=device-status-to]", "Retired");
        await keeper.Page.FillAsync("[data-testid=device-status-reason]", "进水损坏");
        await keeper.Page.ClickAsync("[data-testid=device-status-submit]");
        await keeper.Page.WaitForSelectorAsync("[data-testid=device-status]:has-text('已报废')");
        Assert.Contains("进水损坏", await keeper.Page.TextContentAsync("[data-testid=status-changes]"), StringComparison.Ordinal);
    }
}
