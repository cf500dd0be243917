using System.Globalization;
using AvCloud.Console;
using AvCloud.Console.Api;
using AvCloud.Console.Client.Models;
using AvCloud.Console.Layout;
using AvCloud.Console.Shared;
using AvCloud.Console.Timelines;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The keeper's pieces with logic, without a browser: where the coverage timeline draws each recording and each gap the
/// API reports, the reason form, what a page says after a change, and the keeper's menu.
/// </summary>
public sealed class KeeperComponentTests : BunitContext
{
    private static readonly DateTimeOffset Nine = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    public KeeperComponentTests()
    {
        Services.AddLocalization();
        Services.AddScoped<ApiCalls>();
        Services.AddTransient<Feedback>();
    }

    private static (string, DateTimeOffset, DateTimeOffset) Recording(string id, int fromMinute, int toMinute) =>
        (id, Nine.AddMinutes(fromMinute), Nine.AddMinutes(toMinute));

    private static (DateTimeOffset, DateTimeOffset) Gap(int fromMinute, int toMinute) => (Nine.AddMinutes(fromMinute), Nine.AddMinutes(toMinute));

    [Fact]
    public void Each_recording_is_a_bar_where_it_lies_on_the_span_and_each_gap_the_api_reports_is_marked_where_it_lies()
    {
        var drawn = Timeline.Of(Nine, Nine.AddMinutes(60), [Recording("b", 40, 60), Recording("a", 0, 20)], [Gap(20, 40)], 600);

        Assert.Equal([("a", 0d, 200d, 0), ("b", 400d, 200d, 0)], drawn.Bars.Select(b => (b.Id, Math.Round(b.X, 6), Math.Round(b.Width, 6), b.Lane)));
        var gap = Assert.Single(drawn.Gaps);
        Assert.Equal((200d, 200d), (Math.Round(gap.X, 6), Math.Round(gap.Width, 6)));
        Assert.Equal((Nine.AddMinutes(20), Nine.AddMinutes(40)), (gap.From, gap.To));
        Assert.Equal((0d, 600d, 1), (drawn.SpanX, drawn.SpanWidth, drawn.Lanes));
    }

    [Fact]
    public void Overlapping_recordings_go_on_lanes_of_their_own_and_a_lane_is_reused_once_its_recording_has_ended()
    {
        var drawn = Timeline.Of(Nine, Nine.AddMinutes(60), [Recording("a", 0, 30), Recording("b", 10, 20), Recording("c", 15, 40), Recording("d", 30, 50)], [], 600);

        Assert.Equal([("a", 0), ("b", 1), ("c", 2), ("d", 0)], drawn.Bars.Select(b => (b.Id, b.Lane)));
        Assert.Equal(3, drawn.Lanes);
    }

    [Fact]
    public void A_recording_that_starts_before_the_span_or_runs_past_it_widens_the_axis_and_the_span_is_drawn_inside_it()
    {
        var drawn = Timeline.Of(Nine, Nine.AddMinutes(60), [Recording("early", -30, 10), Recording("late", 50, 90)], [Gap(10, 50)], 1200);

        Assert.Equal((Nine.AddMinutes(-30), Nine.AddMinutes(90)), (drawn.From, drawn.To));
        Assert.Equal((300d, 600d), (Math.Round(drawn.SpanX, 6), Math.Round(drawn.SpanWidth, 6)));
        Assert.Equal([0d, 800d], drawn.Bars.Select(b => Math.Round(b.X, 6)));
        Assert.Equal(400d, Math.Round(Assert.Single(drawn.Gaps).X, 6));
    }

    [Fact]
    public void A_second_long_recording_is_still_drawn_and_no_bar_runs_off_the_drawing()
    {
        var drawn = Timeline.Of(Nine, Nine.AddHours(10), [("short", Nine.AddHours(10).AddSeconds(-1), Nine.AddHours(10))], [], 500);

        var bar = Assert.Single(drawn.Bars);
        Assert.Equal(Timeline.MinimumWidth, bar.Width);
        Assert.True(bar.X + bar.Width <= 500);
    }

    [Fact]
    public void An_activity_nothing_recorded_has_its_row_and_the_whole_span_as_the_apis_gap()
    {
        var drawn = Timeline.Of(Nine, Nine.AddMinutes(60), [], [Gap(0, 60)], 600);

        Assert.Empty(drawn.Bars);
        Assert.Equal(1, drawn.Lanes);
        Assert.Equal((0d, 600d), (Assert.Single(drawn.Gaps).X, drawn.Gaps[0].Width));
    }

    [Fact]
    public void The_timeline_draws_a_bar_per_recording_and_a_marked_gap_and_says_how_many_of_each()
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = Cultures.Chinese;
        try
        {
            Draws();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private void Draws()
    {
        var view = Render<CoverageTimeline>(p => p
            .Add(t => t.Start, Nine)
            .Add(t => t.End, Nine.AddMinutes(60))
            .Add(t => t.Recordings, [Recording("a", 0, 20), Recording("b", 40, 60)])
            .Add(t => t.Gaps, [Gap(20, 40)]));

        Assert.Equal(["a", "b"], view.FindAll("[data-testid=timeline-bar]").Select(b => b.GetAttribute("data-footage")));
        var gap = Assert.Single(view.FindAll("[data-testid=timeline-gap]"));
        Assert.Equal("266.67", gap.GetAttribute("x"));
        Assert.Contains("2 段记录，1 处空白", view.Find("figcaption").TextContent, StringComparison.Ordinal);
        Assert.Equal("timeline-caption", view.Find("svg").GetAttribute("aria-labelledby"));
    }

    [Fact]
    public void The_reason_form_sends_the_reason_trimmed_or_none_for_blanks_and_clears_only_what_the_api_took()
    {
        var sent = new List<string?>();
        var accept = false;
        var form = Render<ReasonForm>(p => p
            .Add(f => f.Action, "关联")
            .Add(f => f.TestId, "link")
            .Add(f => f.OnSubmit, given =>
            {
                sent.Add(given.Reason);
                given.Taken = accept;
            }));

        form.Find("[data-testid=link-reason]").Change("   ");
        form.Find("form").Submit();
        form.Find("[data-testid=link-reason]").Change("  两项活动时间重叠，按执法记录确定  ");
        form.Find("form").Submit();
        Assert.Equal("  两项活动时间重叠，按执法记录确定  ", form.Find("[data-testid=link-reason]").GetAttribute("value"));
        accept = true;
        form.Find("form").Submit();

        Assert.Equal([null, "两项活动时间重叠，按执法记录确定", "两项活动时间重叠，按执法记录确定"], sent);
        Assert.Equal("", form.Find("[data-testid=link-reason]").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task After_a_refused_change_the_page_shows_the_apis_problem_and_no_notice_and_after_a_made_one_the_notice_only()
    {
        var feedback = Services.GetRequiredService<Feedback>();

        var refused = await feedback.ChangeAsync<FootageRecord>(() => throw new Problem { Title = "Needs the head.", Detail = "Lowering a classification is for the head.", Status = 403 }, "已设定密级。");
        var shown = Render<FeedbackView>(p => p.Add(v => v.Of, feedback));

        Assert.Null(refused);
        Assert.Empty(shown.FindAll("[data-testid=notice]"));
        Assert.Equal("Lowering a classification is for the head.", shown.Find("[data-testid=problem-detail]").TextContent);

        var made = await feedback.ChangeAsync(() => Task.FromResult<FootageRecord?>(new FootageRecord { Id = "f" }), "已设定密级。");
        shown.Render();

        Assert.Equal("f", made!.Id);
        Assert.Equal("已设定密级。", shown.Find("[data-testid=notice]").TextContent);
        Assert.Empty(shown.FindAll("[data-testid=problem]"));
    }

    [Fact]
    public void The_keeper_and_the_head_are_offered_the_records_pages_and_nobody_else_is()
    {
        string[] records = ["devices", "activities", "linking", "cases"];
        Assert.Equal(records, Menu.For(new HashSet<string> { Roles.Keeper }).Select(i => i.Href).Intersect(records));
        Assert.Equal(records, Menu.For(new HashSet<string> { Roles.Head }).Select(i => i.Href).Intersect(records));
        foreach (var role in new[] { Roles.Officer, Roles.Reviewer, Roles.Supervisor, Roles.Dock })
        {
            Assert.Empty(Menu.For(new HashSet<string> { role }).Select(i => i.Href).Intersect(records));
        }
    }
}
