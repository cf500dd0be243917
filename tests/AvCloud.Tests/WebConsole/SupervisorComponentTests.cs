using System.Globalization;
using AvCloud.Console;
using AvCloud.Console.Api;
using AvCloud.Console.Charts;
using AvCloud.Console.Client.Models;
using AvCloud.Console.Layout;
using AvCloud.Console.Reports;
using AvCloud.Console.Shared;
using AvCloud.Console.Timelines;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The supervisor's and head's pieces with logic, without a browser: the charts' geometry (drawn as SVG by the console),
/// the report's article-by-article lines, the report's month, the custody timeline's stages and days, file names.
/// </summary>
public sealed class SupervisorComponentTests : BunitContext
{
    public SupervisorComponentTests()
    {
        Services.AddLocalization();
        Services.AddScoped<ApiCalls>();
    }

    [Theory]
    [InlineData(0.3, 0.5)]
    [InlineData(1, 1)]
    [InlineData(1.2, 2)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(21, 50)]
    [InlineData(500, 500)]
    public void A_round_step_is_one_two_or_five_times_a_power_of_ten_at_least_the_value(double value, double step) =>
        Assert.Equal(step, Bars.RoundStep(value), 9);

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(3, 3, 1)]
    [InlineData(7, 8, 2)]
    [InlineData(9, 10, 5)]
    [InlineData(37, 40, 10)]
    public void A_count_axis_ends_at_whole_steps_that_hold_the_largest_value(double largest, double max, double step) =>
        Assert.Equal((max, step), Bars.WholeAxis(largest));

    [Fact]
    public void Bars_are_as_long_as_their_value_on_the_axis_one_row_each_and_a_zero_keeps_its_row()
    {
        var chart = Bars.Counts([("officer-a", 2), ("officer-b", 5), ("officer-c", 0)]);

        // Five needs steps of 2 (four of 1 would not hold it): the axis ends at 6.
        Assert.Equal(6, chart.Max);
        var plot = Bars.Width - Bars.LabelWidth - Bars.ValueWidth;
        Assert.Equal([plot * 2 / 6, plot * 5 / 6, 0], chart.Bars.Select(b => b.Width));
        Assert.All(chart.Bars, b => Assert.Equal(Bars.LabelWidth, b.X));
        Assert.Equal(3, chart.Bars.Select(b => b.Y).Distinct().Count());
        Assert.True(chart.Bars[1].Y - chart.Bars[0].Y >= Bars.BarHeight);
        Assert.Equal([0.0, 2, 4, 6], chart.Ticks.Select(t => t.Value));
        Assert.Equal(Bars.LabelWidth + plot, chart.Ticks[^1].X);
        Assert.Equal(Bars.AxisHeight + 3 * (Bars.BarHeight + Bars.Gap), chart.Height);
    }

    [Fact]
    public void Shares_are_drawn_on_an_axis_from_nothing_to_all_in_quarters()
    {
        var chart = Bars.Shares([("act-1", 0.5), ("act-2", 1), ("act-3", 0)]);

        Assert.Equal(1, chart.Max);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], chart.Ticks.Select(t => t.Value));
        Assert.Equal(chart.Bars[1].Width / 2, chart.Bars[0].Width, 9);
    }

    [Fact]
    public void A_stacked_bar_gives_each_part_its_share_of_the_width_end_to_end_and_a_whole_of_nothing_draws_nothing()
    {
        var parts = Bars.Stacked([("Manifest", 3), ("Rule", 1), ("Keeper", 0), ("Unlinked", 4)], 800);

        Assert.Equal([0.375, 0.125, 0, 0.5], parts.Select(p => p.Share));
        Assert.Equal([0.0, 300, 400, 400], parts.Select(p => p.X));
        Assert.Equal(800, parts.Sum(p => p.Width), 9);
        Assert.All(Bars.Stacked([("Manifest", 0), ("Rule", 0)]), p => Assert.Equal(0, p.Width));
    }

    [Fact]
    public void The_chart_is_svg_with_a_bar_per_value_and_the_same_numbers_as_a_table()
    {
        var view = Render<BarsView>(p => p
            .Add(v => v.Chart, Bars.Counts([("officer-a", 2), ("officer-b", 5)]))
            .Add(v => v.Title, "Late uploads")
            .Add(v => v.TestId, "chart-late")
            .Add(v => v.LabelHeader, "Officer")
            .Add(v => v.ValueHeader, "Late")
            .Add(v => v.Failing, bar => bar.Value > 2));

        var svg = view.Find("[data-testid=chart-late] svg");
        Assert.Equal("img", svg.GetAttribute("role"));
        Assert.Equal("Late uploads", view.Find("svg title").TextContent);
        Assert.Contains("officer-b: 5", view.Find("svg desc").TextContent, StringComparison.Ordinal);
        Assert.Equal(["2", "5"], view.FindAll("g.bar").Select(g => g.GetAttribute("data-value")));
        Assert.Equal(["", "bad"], view.FindAll("g.bar rect").Select(r => r.GetAttribute("class")));
        Assert.Equal(["officer-a", "officer-b"], view.FindAll("details tbody th").Select(th => th.TextContent));
        Assert.Equal(["2", "5"], view.FindAll("details tbody td").Select(td => td.TextContent));
    }

    [Fact]
    public void An_empty_chart_says_so_and_draws_nothing()
    {
        var view = Render<BarsView>(p => p.Add(v => v.Chart, Bars.Counts([])).Add(v => v.Title, "t").Add(v => v.TestId, "c")
            .Add(v => v.LabelHeader, "l").Add(v => v.ValueHeader, "v"));

        Assert.Empty(view.FindAll("svg"));
        Assert.NotEmpty(view.Find("figure p").TextContent);
    }

    [Fact]
    public void The_articles_table_has_a_line_per_finding_a_line_for_each_article_with_none_and_marks_what_fails()
    {
        var found = new ArticleFindings
        {
            Equipment = new Equipment { Devices = 3, ActiveOfficers = 4, DevicesPerOfficer = 0.75, Target = 1, BelowTarget = true, OfficersIssuedNothing = ["officer-x"], UnapprovedModels = [] },
            DevicesOutOfService = [],
            CheckoutExceptions = [new ExceptedCheckout { DeviceId = "bwc-1", OfficerId = "officer-y", Failures = ["battery"], Reason = "urgent" }],
            FlaggedRecordings = new FlaggedRecordings { Flagged = 2, Resolved = 2, Unresolved = [] },
            ConductMissing = [new ConductFinding { ActivityId = "act-1", NoAccount = true }],
            LateWorkRecords = [],
            AwayActivities = [],
            ReviewSchedule = [new ReviewYear { Year = 2026, Overdue = true, Completed = [] }],
            MisconductCases = [],
        };

        var lines = ArticleLines.Of(found);

        Assert.Equal(
            [("3", "Equipment", true), ("3", "IssuedNothing", true), ("4", "Nothing", false), ("5", "Flagged", false), ("7", "CheckoutException", true),
                ("8–11", "NoAccount", true), ("12", "Nothing", false), ("13", "Nothing", false), ("17", "ReviewOverdue", true), ("18", "Nothing", false)],
            lines.Select(l => (l.Article, l.What, l.Fails)));
        Assert.Equal(["bwc-1", "officer-y", "battery", "urgent"], lines.Single(l => l.What == "CheckoutException").Args);
        Assert.Empty(ArticleLines.Of(null));
    }

    [Fact]
    public void Every_line_the_articles_table_can_show_has_its_text_in_both_languages_with_room_for_its_values()
    {
        var resources = new System.Resources.ResourceManager(typeof(AvCloud.Console.Resources.Text));
        foreach (var culture in new[] { Cultures.Chinese, Cultures.English })
        {
            foreach (var what in new[] { "Equipment", "IssuedNothing", "ModelNotApproved", "OutOfService", "OutOfServiceFault", "Flagged", "CheckoutException", "NoAccount",
                         "ConductMissing", "LateWorkRecord", "AwayNotReturned", "AwayReturned", "ReviewOverdue", "ReviewDone", "ReviewNotDue", "MisconductCase", "Nothing" })
            {
                var text = resources.GetString("Article." + what, culture);
                Assert.False(string.IsNullOrEmpty(text), $"Article.{what} in {culture.Name}");
                _ = string.Format(CultureInfo.InvariantCulture, text, "a", "b", "c", "d");
            }
        }
    }

    [Fact]
    public void A_month_runs_from_its_first_instant_to_the_next_months_in_the_persons_time_zone()
    {
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

        var november = ReportPeriod.Parse("2026-11", shanghai)!;

        Assert.Equal(DateTimeOffset.Parse("2026-11-01T00:00:00+08:00", CultureInfo.InvariantCulture), november.From);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00+08:00", CultureInfo.InvariantCulture).AddTicks(-1), november.To);
        Assert.Equal("2026-11", november.Value);
        Assert.Equal("2026-12", ReportPeriod.Containing(DateTimeOffset.Parse("2026-11-30T16:30:00Z", CultureInfo.InvariantCulture), shanghai).Value);
        Assert.Null(ReportPeriod.Parse("2026-13", shanghai));
        Assert.Null(ReportPeriod.Parse("../2026-11", shanghai));
        Assert.Null(ReportPeriod.Parse(null, shanghai));
    }

    [Theory]
    [InlineData("footage.catalogued", Stage.Catalogued)]
    [InlineData("footage.linked", Stage.Linked)]
    [InlineData("footage.link-undecided", Stage.Linked)]
    [InlineData("hold.placed", Stage.Held)]
    [InlineData("case.hold-released", Stage.Held)]
    [InlineData("access.link", Stage.Accessed)]
    [InlineData("access.view", Stage.Accessed)]
    [InlineData("footage.custody", Stage.Accessed)]
    [InlineData("access.packaged", Stage.Copied)]
    [InlineData("share.downloaded", Stage.Copied)]
    [InlineData("integrity.mismatch", Stage.Verified)]
    [InlineData("footage.classified", Stage.Classified)]
    [InlineData("disposal.pending", Stage.Disposal)]
    [InlineData("footage.purged", Stage.Disposal)]
    [InlineData("something.new", Stage.Other)]
    [InlineData(null, Stage.Other)]
    public void Each_audit_action_about_a_recording_has_its_custody_stage(string? action, Stage stage) => Assert.Equal(stage, CustodyTimeline.StageOf(action));

    [Fact]
    public void The_custody_timeline_puts_the_records_facts_and_its_events_in_time_order_and_groups_them_by_day_in_the_persons_zone()
    {
        var t0 = DateTimeOffset.Parse("2026-11-20T15:30:00Z", CultureInfo.InvariantCulture);
        AuditEvent Event(string action, DateTimeOffset at, string outcome = "success") => new()
        {
            Action = action, Time = at, Actor = "keeper-1", Outcome = outcome,
            Details = new AuditEvent_details { AdditionalData = new Dictionary<string, object> { ["request"] = "r-1" } },
        };
        var custody = new Custody
        {
            Record = new FootageRecord
            {
                Sha256 = "ab",
                Uploads = [new FootageUpload { DockId = "dock-3", FileName = "a.mp4", DockedAt = t0, ReceivedAt = t0.AddMinutes(1) }],
                SecondCopy = new PreservationCopy { Account = "copies", VerifiedAt = t0.AddMinutes(3) },
                LastVerifiedAt = t0.AddHours(4),
            },
            Events = [Event("footage.catalogued", t0.AddMinutes(2)), Event("access.view", t0.AddHours(2)), Event("access.view", t0.AddHours(3), "denied")],
        };

        var entries = CustodyTimeline.Of(custody);

        Assert.Equal([Stage.Uploaded, Stage.Catalogued, Stage.Copied, Stage.Accessed, Stage.Accessed, Stage.Verified], entries.Select(e => e.Stage));
        Assert.Equal("dock-3", entries[0].Actor);
        Assert.Null(entries[0].Action);
        Assert.Equal("a.mp4", entries[0].Details["file"]);
        Assert.Equal("r-1", entries[3].Details["request"]);
        Assert.Equal([false, false, false, false, true, false], entries.Select(e => e.Failed));

        // 15:30 UTC is 23:30 in Shanghai: the views two and three hours later are the next day there, the same day in UTC.
        var days = CustodyTimeline.ByDay(entries, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        Assert.Equal([new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21)], days.Select(d => d.Day));
        Assert.Equal(3, days[0].Entries.Count);
        Assert.Single(CustodyTimeline.ByDay(entries, TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData("attachment; filename=custody-abc-en.pdf", "custody-abc-en.pdf")]
    [InlineData("attachment; filename=\"evidence 1.zip\"; filename*=UTF-8''evidence%201.zip", "evidence 1.zip")]
    [InlineData("attachment; filename=\"../../etc/passwd\"", "passwd")]
    [InlineData("attachment; filename=\"..\\\\x\\\\y.pdf\"", "y.pdf")]
    [InlineData("inline", "fallback.csv")]
    [InlineData(null, "fallback.csv")]
    public void A_download_keeps_the_file_name_the_api_gives_without_any_folder(string? disposition, string name) =>
        Assert.Equal(name, Downloads.NameOf(disposition, "fallback.csv"));

    [Fact]
    public void The_menu_offers_the_report_and_the_audit_trail_to_supervisors_and_heads_and_reviews_to_reviewers_too()
    {
        string[] oversight = ["reports/compliance", "reviews", "audit"];
        Assert.Equal(oversight, Menu.For(new HashSet<string> { Roles.Supervisor }).Select(i => i.Href).Intersect(oversight));
        Assert.Equal(oversight, Menu.For(new HashSet<string> { Roles.Head }).Select(i => i.Href).Intersect(oversight));
        Assert.DoesNotContain(Menu.For(new HashSet<string> { Roles.Keeper, Roles.Officer }), i => i.Href is "reports/compliance" or "audit" or "reviews");
        Assert.True(Roles.ReadsCustody(new HashSet<string> { Roles.Keeper }));
        Assert.False(Roles.ReadsCustody(new HashSet<string> { Roles.Reviewer, Roles.Officer }));
    }
}
