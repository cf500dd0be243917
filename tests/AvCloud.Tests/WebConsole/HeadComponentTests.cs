using System.Globalization;
using AvCloud.Console;
using AvCloud.Console.Api;
using AvCloud.Console.Client.Models;
using AvCloud.Console.Layout;
using AvCloud.Console.Pages;
using AvCloud.Console.Shared;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AvCloud.Tests.WebConsole;

/// <summary>The head's pieces with logic, rendered with bUnit: the recovery countdown, the Locked-mode rule, the settings form, the menu.</summary>
public sealed class HeadComponentTests : BunitContext
{
    private static readonly CultureInfo Before = CultureInfo.CurrentUICulture;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));

    public HeadComponentTests()
    {
        Services.AddLocalization();
        Services.AddScoped<ApiCalls>();
        Services.AddSingleton<TimeProvider>(_time);
        Services.AddScoped<Clock>();
    }

    private static T In<T>(CultureInfo culture, Func<T> shown)
    {
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            return shown();
        }
        finally
        {
            CultureInfo.CurrentCulture = Before;
            CultureInfo.CurrentUICulture = Before;
        }
    }

    [Theory]
    [InlineData(7 * 86400, "7 天 0:00:00")]
    [InlineData(6 * 86400 + 23 * 3600 + 5 * 60 + 9.9, "6 天 23:05:09")]
    [InlineData(86399, "23:59:59")]
    [InlineData(1, "0:00:01")]
    public void Time_left_in_a_window_of_days_reads_as_days_and_a_clock(double seconds, string shown)
    {
        var now = _time.GetUtcNow();
        Assert.Equal(shown, Clock.DaysLeft(now.AddSeconds(seconds), now, "{0} 天 {1}"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3600)]
    public void A_window_that_has_ended_has_no_time_left(double seconds)
    {
        var now = _time.GetUtcNow();
        Assert.Null(Clock.DaysLeft(now.AddSeconds(seconds), now, "{0} d {1}"));
    }

    [Fact]
    public void The_countdown_ticks_each_second_in_the_persons_language_and_says_when_the_window_has_ended()
    {
        var until = _time.GetUtcNow().AddDays(2).AddSeconds(2);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = Cultures.Chinese;
        try
        {
            var view = Render<Countdown>(p => p.Add(c => c.Until, until));
            Assert.Equal("剩余 2 天 0:00:02", view.Find("[data-testid=countdown]").TextContent);

            _time.Advance(TimeSpan.FromSeconds(1));
            view.WaitForAssertion(() => Assert.Equal("剩余 2 天 0:00:01", view.Find("[data-testid=countdown]").TextContent));

            _time.Advance(TimeSpan.FromDays(3));
            view.WaitForAssertion(() => Assert.Equal("恢复期已结束", view.Find("[data-testid=countdown]").TextContent));

            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = Cultures.English;
            var english = Render<Countdown>(p => p.Add(c => c.Until, _time.GetUtcNow().AddHours(30)));
            Assert.Equal("1 d 6:00:00 left", english.Find("[data-testid=countdown]").TextContent);
        }
        finally
        {
            CultureInfo.CurrentCulture = Before;
            CultureInfo.CurrentUICulture = Before;
        }
    }

    [Fact]
    public void The_locked_rule_says_in_both_languages_that_periods_only_grow_locked_stays_locked_and_nobody_deletes_early()
    {
        var chinese = In(Cultures.Chinese, () => Render<LockedRule>().Find("[data-testid=locked-rule]").TextContent);
        var english = In(Cultures.English, () => Render<LockedRule>().Find("[data-testid=locked-rule]").TextContent);

        Assert.Contains("不能改回非锁定", chinese, StringComparison.Ordinal);
        Assert.Contains("只能延长，不能缩短", chinese, StringComparison.Ordinal);
        Assert.Contains("都不能删除该记录", chinese, StringComparison.Ordinal);
        Assert.Contains("can never go back to Unlocked", english, StringComparison.Ordinal);
        Assert.Contains("can only be lengthened", english, StringComparison.Ordinal);
        Assert.Contains("nobody (not AvCloud, not an administrator, not the Azure subscription's owner) can delete it", english, StringComparison.Ordinal);
    }

    [Fact]
    public void The_settings_form_gives_back_every_setting_it_was_given_with_the_heads_edits()
    {
        var settings = new UnitSettings
        {
            Name = "一中队", TimeZone = "Asia/Shanghai", RecoveryWindowDays = 7, MaxClockDriftHours = 4, LinkMarginMinutes = 15, PolicyMode = PolicyMode.Unlocked,
            RetentionMonths = new UnitSettings_retentionMonths { AdditionalData = new Dictionary<string, object> { ["default"] = 24, ["traffic"] = 36 } },
            RecordingRequiredFor = [ActivityKind.OnSiteEnforcement, ActivityKind.Hearing],
            AccessApprovals = [new ApprovalRule { Classification = "*", Mode = "copy", RequesterRole = "*", Approver = "Head" }],
            Obligations = new UnitObligations
            {
                DevicesPerOfficer = 1.5, ApprovedModels = ["DSJ-V9", "DSJ-X1"], MinBatteryPercent = 80, MinStorageFreeMb = 4096, NoticeWording = "您好", WorkRecordDueHours = 24,
                ReviewDueMonth = 12,
            },
        };

        var form = SettingsForm.Of(settings);
        form.Retention.Add(new SettingsForm.Period { Category = " major ", Months = 120 });
        form.RecordingRequiredFor.Add("other");
        form.PolicyMode = "Locked";
        var change = form.Change();

        Assert.Equal(("一中队", "Asia/Shanghai", 7, 4, 15, PolicyMode.Locked), (change.Name, change.TimeZone, change.RecoveryWindowDays, change.MaxClockDriftHours, change.LinkMarginMinutes, change.PolicyMode));
        Assert.Equal(new Dictionary<string, object> { ["default"] = 24, ["traffic"] = 36, ["major"] = 120 }, change.RetentionMonths!.AdditionalData);
        Assert.Equal([ActivityKind.OnSiteEnforcement, ActivityKind.Hearing, ActivityKind.Other], change.RecordingRequiredFor!);
        var rule = Assert.Single(change.AccessApprovals!);
        Assert.Equal(("*", "copy", "*", "Head"), (rule.Classification, rule.Mode, rule.RequesterRole, rule.Approver));
        Assert.Equal(["DSJ-V9", "DSJ-X1"], change.Obligations!.ApprovedModels!);
        Assert.Equal((1.5, 80, 4096, "您好", 24, 12), (change.Obligations.DevicesPerOfficer, change.Obligations.MinBatteryPercent, change.Obligations.MinStorageFreeMb,
            change.Obligations.NoticeWording, change.Obligations.WorkRecordDueHours, change.Obligations.ReviewDueMonth));
    }

    [Fact]
    public void The_menu_offers_each_head_page_only_to_the_roles_whose_api_calls_allow_it()
    {
        Assert.Equal(["", "footage", "requests", "devices", "activities", "linking", "cases", "disposals", "work-records", "shares", "settings", "reports/compliance", "reviews", "audit"], Menu.For(new HashSet<string> { Roles.Head }).Select(i => i.Href));
        Assert.Equal(["", "footage", "requests", "devices", "activities", "linking", "cases", "disposals", "work-records", "shares", "settings"], Menu.For(new HashSet<string> { Roles.Keeper }).Select(i => i.Href));
        Assert.Equal(["", "footage", "requests", "work-records", "shares", "settings", "reports/compliance", "reviews", "audit"], Menu.For(new HashSet<string> { Roles.Supervisor }).Select(i => i.Href));
        Assert.Equal(["", "footage", "requests"], Menu.For(new HashSet<string> { Roles.Officer }).Select(i => i.Href));
    }
}
