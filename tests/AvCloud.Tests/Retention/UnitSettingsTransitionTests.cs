using AvCloud.Functions.Retention;

namespace AvCloud.Tests.Retention;

/// <summary>Arts. 6 and 15: what a change of a unit's settings may and may not do, on the settings alone.</summary>
public sealed class UnitSettingsTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static UnitSettings Defaults(PolicyMode mode) =>
        UnitSettings.Defaults("unit-a", new RetentionOptions { PolicyMode = mode }) with
        {
            RetentionMonths = new Dictionary<string, int> { ["default"] = 24, ["hearing"] = 60 },
        };

    private static UnitSettingsChange Change(int defaultMonths, int? hearing = 60, PolicyMode? mode = null) => new("Unit A", "Asia/Shanghai",
        hearing is null ? new() { ["default"] = defaultMonths } : new() { ["default"] = defaultMonths, ["hearing"] = hearing.Value }, 7, mode);

    [Fact]
    public void A_valid_change_is_made_and_signed()
    {
        var changed = Defaults(PolicyMode.Locked).Change(Change(36, 72), "head-1", Now).Value!;

        Assert.Equal((36, 72), (changed.RetentionMonths["default"], changed.RetentionMonths["hearing"]));
        Assert.Equal(("head-1", Now), (changed.UpdatedBy!, changed.UpdatedAt!.Value));
    }

    [Fact]
    public void Under_Locked_mode_no_period_shrinks_or_goes_and_the_mode_stays()
    {
        var locked = Defaults(PolicyMode.Locked);

        Assert.Contains("retentionMonths", locked.Change(Change(12), "head-1", Now).Refusal!.Errors!.Keys);
        Assert.Contains("retentionMonths", locked.Change(Change(24, hearing: null), "head-1", Now).Refusal!.Errors!.Keys);
        Assert.Contains("policyMode", locked.Change(Change(24, mode: PolicyMode.Unlocked), "head-1", Now).Refusal!.Errors!.Keys);
        Assert.Equal(12, Defaults(PolicyMode.Unlocked).Change(Change(12), "head-1", Now).Value!.RetentionMonths["default"]);
    }

    [Fact]
    public void Article_6_kinds_cannot_be_dropped_and_a_refusal_names_each_field()
    {
        var refusal = Defaults(PolicyMode.Unlocked).Change(Change(24) with
        {
            TimeZone = "Mars/Olympus",
            RecordingRequiredFor = [Functions.Activities.ActivityKind.Hearing],
        }, "head-1", Now).Refusal!;

        Assert.Equal(400, refusal.Status);
        Assert.Equal("The settings are not valid.", refusal.Title);
        Assert.Equal(["recordingRequiredFor", "timeZone"], refusal.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_link_margin_defaults_to_a_quarter_hour_stays_unless_changed_and_is_0_to_240_minutes()
    {
        var settings = Defaults(PolicyMode.Unlocked);

        Assert.Equal(15, settings.LinkMarginMinutes);
        Assert.Equal(15, settings.Change(Change(24), "head-1", Now).Value!.LinkMarginMinutes);
        Assert.Equal(0, settings.Change(Change(24) with { LinkMarginMinutes = 0 }, "head-1", Now).Value!.LinkMarginMinutes);
        Assert.Equal(240, settings.Change(Change(24) with { LinkMarginMinutes = 240 }, "head-1", Now).Value!.LinkMarginMinutes);
        Assert.Equal(["linkMarginMinutes"], settings.Change(Change(24) with { LinkMarginMinutes = -1 }, "head-1", Now).Refusal!.Errors!.Keys);
        Assert.Equal(["linkMarginMinutes"], settings.Change(Change(24) with { LinkMarginMinutes = 241 }, "head-1", Now).Refusal!.Errors!.Keys);
    }
}
