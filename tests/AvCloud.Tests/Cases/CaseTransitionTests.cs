using AvCloud.Functions;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Cases;
using AvCloud.Functions.Footage;

namespace AvCloud.Tests.Cases;

/// <summary>Cases (案件) and activity changes on the records alone: grouping, case holds, and a keeper's change of span or officers.</summary>
public sealed class CaseTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private static EnforcementCase Opened() => new()
    {
        Id = EnforcementCase.IdFor("WG-2026-311"), UnitId = "unit-a", Number = "WG-2026-311", Name = "Unlicensed stall", CreatedBy = "keeper-1", CreatedAt = Now,
    };

    private static Refusal Refused<T>(Outcome<T> outcome, int status)
        where T : class
    {
        Assert.Null(outcome.Value);
        var refusal = Assert.IsType<Refusal>(outcome.Refusal);
        Assert.Equal(status, refusal.Status);
        return refusal;
    }

    [Fact]
    public void A_case_number_is_one_id_whatever_its_case_or_surrounding_spaces_and_another_number_is_another()
    {
        Assert.Equal(EnforcementCase.IdFor("WG-2026-311"), EnforcementCase.IdFor("  wg-2026-311 "));
        Assert.NotEqual(EnforcementCase.IdFor("WG-2026-311"), EnforcementCase.IdFor("WG-2026-312"));
        Assert.Matches("^case-[0-9a-f]{32}$", EnforcementCase.IdFor("WG-2026-311"));
        Assert.Equal("wg-2026-311 | unlicensed stall", Opened().SearchText);
    }

    [Fact]
    public void Activities_join_a_case_once_and_leave_only_if_they_are_in_it()
    {
        var grouped = Opened().AddActivity("act-1").Value!.AddActivity("act-2").Value!;

        Assert.Equal(["act-1", "act-2"], grouped.ActivityIds);
        Refused(grouped.AddActivity("act-1"), 409);
        Assert.Equal(["act-2"], grouped.RemoveActivity("act-1").Value!.ActivityIds);
        Refused(grouped.RemoveActivity("act-9"), 404);
    }

    [Fact]
    public void A_case_hold_is_placed_once_released_by_id_and_labels_each_recording_with_the_case()
    {
        var hold = new CaseHold("h1", HoldReason.MajorCase, null, "prosecutor", "keeper-1", Now);
        var held = Opened().PlaceHold(hold).Value!;

        Refused(held.PlaceHold(hold), 409);
        Assert.Empty(held.ReleaseHold("h1").Value!.Holds);
        Refused(held.ReleaseHold("h9"), 404);
        Assert.Equal(new PreservationHold("h1", HoldReason.MajorCase, null, "Unlicensed stall", "WG-2026-311", "prosecutor", "system:link", Now.AddHours(1), held.Id),
            held.OnRecording(hold, "system:link", Now.AddHours(1)));
    }

    private static Activity Hearing() => new()
    {
        Id = "act-1", UnitId = "unit-a", Kind = ActivityKind.Hearing, Officers = ["officer-zhang"], Place = "hall", Start = Now.AddHours(-3), End = Now.AddHours(-2),
        CreatedBy = "officer-zhang", CreatedAt = Now.AddHours(-4),
    };

    [Fact]
    public void A_keeper_changes_an_activitys_span_or_officers_within_the_rules_for_new_activities()
    {
        var moved = Hearing().Change(null, Now.AddHours(-4), null, Now).Value!;
        Assert.Equal((Now.AddHours(-4), Now.AddHours(-2)), (moved.Start, moved.End));
        Assert.Equal(["officer-zhang"], moved.Officers);
        Assert.Equal(["officer-wang", "officer-li"], Hearing().Change(["officer-wang", "officer-li", "officer-wang"], null, null, Now).Value!.Officers);

        Assert.Contains("end", Refused(Hearing().Change(null, null, Now.AddHours(-5), Now), 400).Errors!.Keys);
        Assert.Contains("end", Refused(Hearing().Change(null, null, Now.AddDays(8), Now), 400).Errors!.Keys);
        Assert.Contains("officers", Refused(Hearing().Change([], null, null, Now), 400).Errors!.Keys);
        Assert.Contains("officers", Refused(Hearing().Change(["../etc"], null, null, Now), 400).Errors!.Keys);
        Refused(Hearing().Change(["officer-zhang"], Now.AddHours(-3), Now.AddHours(-2), Now), 409);
    }
}
