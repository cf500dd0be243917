using System.Globalization;
using AvCloud.Console;
using AvCloud.Console.Api;
using AvCloud.Console.Client.Api.Footage;
using AvCloud.Console.Client.Models;
using AvCloud.Console.Layout;
using AvCloud.Console.Pages;
using AvCloud.Console.Resources;
using AvCloud.Console.Shared;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.WebConsole;

/// <summary>The console's pieces with logic, rendered with bUnit (no browser): texts by language, problems, times, filters, menus.</summary>
public sealed class ConsoleComponentTests : BunitContext
{
    private static readonly CultureInfo Before = CultureInfo.CurrentUICulture;

    public ConsoleComponentTests()
    {
        Services.AddLocalization();
        Services.AddScoped<ApiCalls>();
    }

    private static void Speak(CultureInfo culture)
    {
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
    }

    [Fact]
    public void Chinese_is_the_first_language_and_English_the_only_other()
    {
        Assert.Equal("zh-CN", Cultures.Of(null).Name);
        Assert.Equal("zh-CN", Cultures.Of("fr").Name);
        Assert.Equal("zh-CN", Cultures.Of("zh-CN").Name);
        Assert.Equal("en", Cultures.Of("en").Name);
        Assert.Equal("en", Cultures.Of("EN").Name);
    }

    [Fact]
    public void Every_text_has_a_chinese_and_an_english_version()
    {
        var resources = new System.Resources.ResourceManager(typeof(Text));
        var chinese = resources.GetResourceSet(Cultures.Chinese, createIfNotExists: true, tryParents: true)!.Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
        var english = resources.GetResourceSet(Cultures.English, createIfNotExists: true, tryParents: false)!.Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);
        Assert.Equal(chinese.Keys.Order(StringComparer.Ordinal), english.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("待办", chinese["Nav.Inbox"]);
        Assert.Equal("Inbox", english["Nav.Inbox"]);
    }

    [Theory]
    [InlineData("zh-CN", "Not yours to approve.", "不能由您批准")]
    [InlineData("en", "Not yours to approve.", "Not yours to approve.")]
    [InlineData("zh-CN", "A title AvCloud has no translation of.", "A title AvCloud has no translation of.")]
    public void A_refusal_shows_its_title_in_the_persons_language_where_there_is_one_and_the_apis_detail(string culture, string title, string shown)
    {
        Speak(CultureInfo.GetCultureInfo(culture));
        try
        {
            var problem = new Problem { Title = title, Detail = "The requester cannot approve their own request.", Status = 403 };
            var explained = Services.GetRequiredService<ApiCalls>().Explain(problem)!;

            var view = Render<ProblemView>(p => p.Add(v => v.Problem, explained));

            Assert.Equal(shown, view.Find("[data-testid=problem-title]").FirstChild!.TextContent.Trim());
            Assert.Contains("403", view.Find("[data-testid=problem-title] small").TextContent, StringComparison.Ordinal);
            Assert.Equal("The requester cannot approve their own request.", view.Find("[data-testid=problem-detail]").TextContent);
        }
        finally
        {
            Speak(Before);
        }
    }

    [Fact]
    public void An_unreachable_api_is_said_so_and_an_unknown_failure_is_left_to_the_error_bar()
    {
        Speak(Cultures.Chinese);
        try
        {
            var calls = Services.GetRequiredService<ApiCalls>();
            Assert.Equal("无法连接 AvCloud，请稍后再试。", calls.Explain(new HttpRequestException("refused"))!.Title);
            Assert.Null(calls.Explain(new InvalidOperationException("a bug")));
        }
        finally
        {
            Speak(Before);
        }
    }

    [Fact]
    public async Task A_refused_call_is_reported_and_gives_no_value()
    {
        var calls = Services.GetRequiredService<ApiCalls>();
        Shown? shown = null;
        var value = await calls.CallAsync<AccessRequest>(() => throw new Problem { Title = "Not found.", Detail = "No such access request in your unit.", Status = 404 }, s => shown = s);
        Assert.Null(value);
        Assert.Equal(("No such access request in your unit.", 404), (shown!.Detail, shown.Status));
    }

    [Theory]
    [InlineData(0, "0:00:00")]
    [InlineData(-5, "0:00:00")]
    [InlineData(59.9, "0:00:59")]
    [InlineData(3 * 3600 + 61, "3:01:01")]
    [InlineData(26 * 3600, "1.02:00:00")]
    public void The_time_left_counts_down_to_zero_and_never_below(double seconds, string shown)
    {
        var now = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(shown, Clock.Left(now.AddSeconds(seconds), now));
    }

    [Fact]
    public void A_moment_is_shown_in_the_persons_time_zone()
    {
        Speak(Cultures.Chinese);
        try
        {
            var shanghai = TimeZoneInfo.CreateCustomTimeZone("Asia/Test+8", TimeSpan.FromHours(8), "UTC+8", "UTC+8");
            var expected = new DateTime(2026, 11, 30, 16, 5, 0).ToString("g", CultureInfo.CurrentCulture);
            Assert.Equal(expected, Clock.Show(new DateTimeOffset(2026, 11, 30, 8, 5, 0, TimeSpan.Zero), shanghai));
        }
        finally
        {
            Speak(Before);
        }
    }

    [Fact]
    public void The_filters_become_the_apis_query_with_empty_ones_left_out_and_local_times_as_instants()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("Asia/Test+8", TimeSpan.FromHours(8), "UTC+8", "UTC+8");
        var query = new FootageQuery { Query = "  case 42 ", Officer = " ", Kind = "video", Status = "DisposalPending", From = new DateTime(2026, 11, 30, 8, 0, 0), Late = true };
        var parameters = new FootageRequestBuilder.FootageRequestBuilderGetQueryParameters();

        query.Apply(parameters, "token-2", zone);

        Assert.Equal("case 42", parameters.Q);
        Assert.Null(parameters.Officer);
        Assert.Equal("video", parameters.Kind);
        Assert.Equal("disposalPending", parameters.Status);
        Assert.Equal("2026-11-30T00:00:00.0000000+00:00", parameters.RecordedFrom);
        Assert.Null(parameters.RecordedTo);
        Assert.Equal("true", parameters.UploadedLate);
        Assert.Equal(FootageQuery.PageSize, parameters.PageSize);
        Assert.Equal("token-2", parameters.ContinuationToken);
    }

    [Theory]
    [InlineData("abc.mp4", Media.Kind.Video)]
    [InlineData("abc.WEBM", Media.Kind.Video)]
    [InlineData("abc.m4a", Media.Kind.Audio)]
    [InlineData("abc.wav", Media.Kind.Audio)]
    [InlineData("abc.jpg", Media.Kind.Photo)]
    [InlineData("abc.bin", Media.Kind.Other)]
    [InlineData(null, Media.Kind.Other)]
    public void Each_recording_gets_the_player_its_file_needs(string? name, Media.Kind kind) => Assert.Equal(kind, Media.Of(name));

    [Fact]
    public void The_console_knows_the_roles_by_the_names_the_api_gives_them()
    {
        var console = typeof(Roles).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(Functions.Identity.Roles.All.Order(StringComparer.Ordinal), console.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_menu_offers_footage_and_requests_to_the_people_who_work_with_them_and_the_inbox_to_all()
    {
        Assert.Equal(["", "footage", "requests", "shares", "reviews"], Menu.For(new HashSet<string> { Roles.Reviewer }).Select(i => i.Href));
        Assert.Equal([""], Menu.For(new HashSet<string> { Roles.Dock }).Select(i => i.Href));
    }

    [Fact]
    public void Only_an_approved_request_offers_watching_and_only_where_watching_is_offered()
    {
        AccessRequest Request(string id, AccessStatus status) => new() { Id = id, Status = status, Mode = AccessMode.View, RequestedBy = "li.wei" };
        List<AccessRequest> items = [Request("r-approved", AccessStatus.Approved), Request("r-pending", AccessStatus.Pending)];

        var mine = Render<RequestTable>(p => p.Add(t => t.Items, items).Add(t => t.Watchable, true));
        var links = mine.FindAll("[data-testid=watch-link]");
        Assert.Equal(["requests/r-approved/watch"], links.Select(a => a.GetAttribute("href")));

        var theirs = Render<RequestTable>(p => p.Add(t => t.Items, items).Add(t => t.Watchable, false));
        Assert.Empty(theirs.FindAll("[data-testid=watch-link]"));
    }

    [Fact]
    public void Switching_the_language_remembers_english_and_starts_the_page_again()
    {
        Speak(Cultures.Chinese);
        try
        {
            JSInterop.SetupVoid("avcloud.culture.set", "en").SetVoidResult();
            var navigation = Services.GetRequiredService<NavigationManager>();

            var view = Render<LanguageSwitch>();
            Assert.Equal("English", view.Find("[data-testid=switch-language]").TextContent);
            view.Find("[data-testid=switch-language]").Click();

            JSInterop.VerifyInvoke("avcloud.culture.set");
            Assert.Equal(navigation.BaseUri, navigation.Uri);
        }
        finally
        {
            Speak(Before);
        }
    }
}
