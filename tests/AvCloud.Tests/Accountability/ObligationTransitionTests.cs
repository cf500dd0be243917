using AvCloud.Functions;
using AvCloud.Functions.Accountability;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;

namespace AvCloud.Tests.Accountability;

/// <summary>The rules of Arts. 4, 7, 8 to 11, 13 and 18 on their records, no storage or host involved.</summary>
public sealed class ObligationTransitionTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static Device Camera() => new()
    {
        Id = "cam-1", UnitId = "unit-a", Kind = DeviceKind.BodyWornCamera, Serial = "SN-1", Model = "DSJ-V9", RegisteredBy = "keeper-1", RegisteredAt = Morning.AddDays(-30),
    };

    private static MaintenanceEntry Step(MaintenanceKind kind, int hour) => new(kind, "note", "keeper-1", Morning.AddHours(hour));

    private static Caller As(string user, params string[] roles) => new(user, null, "unit-a", roles.ToHashSet());

    private static Refusal Refused<T>(Outcome<T> outcome, int status)
        where T : class
    {
        Assert.Null(outcome.Value);
        Assert.Equal(status, outcome.Refusal!.Status);
        return outcome.Refusal;
    }

    [Fact]
    public void A_device_goes_for_repair_only_when_back_and_returns_to_service_only_after_repair_and_inspection()
    {
        var out1 = Camera().CheckOut(new DeviceCheckout("officer-zhang", Morning, "keeper-1", "ok")).Value!;
        var faulty = out1.Maintain(Step(MaintenanceKind.FaultReported, 1)).Value!;
        Assert.True(faulty.FaultOpen);
        Assert.Equal("checked out", Refused(faulty.Maintain(Step(MaintenanceKind.SentForRepair, 2)), 409).Reason);

        var back = faulty.Return(Morning.AddHours(2)).Value!;
        Assert.Equal("fault reported", Refused(back.CheckOut(new DeviceCheckout("officer-wang", Morning.AddHours(3), "keeper-1", "ok")), 409).Reason);
        var sent = back.Maintain(Step(MaintenanceKind.SentForRepair, 3)).Value!;
        Assert.Equal(DeviceStatus.UnderRepair, sent.Status);
        Assert.Equal("already under repair", Refused(sent.Maintain(Step(MaintenanceKind.SentForRepair, 4)), 409).Reason);
        Assert.Equal("not repaired yet", Refused(sent.Maintain(Step(MaintenanceKind.Inspected, 4)), 409).Reason);
        var fixedUp = sent.Maintain(Step(MaintenanceKind.Repaired, 5)).Then(d => d.Maintain(Step(MaintenanceKind.Inspected, 6))).Value!;
        Assert.Equal((DeviceStatus.InService, false), (fixedUp.Status, fixedUp.FaultOpen));
        Assert.Equal([DeviceStatus.UnderRepair, DeviceStatus.InService], fixedUp.StatusChanges.Select(c => c.To));
        Assert.Equal("not under repair", Refused(fixedUp.Maintain(Step(MaintenanceKind.Repaired, 7)), 409).Reason);
        Assert.NotNull(fixedUp.CheckOut(new DeviceCheckout("officer-wang", Morning.AddHours(7), "keeper-1", "ok")).Value);

        // A fault cleared by inspection alone, without a repair, lets the device out again; a retired device has no upkeep.
        var cleared = Camera().Maintain(Step(MaintenanceKind.FaultReported, 1)).Then(d => d.Maintain(Step(MaintenanceKind.Inspected, 2))).Value!;
        Assert.False(cleared.FaultOpen);
        var retired = Camera().ChangeStatus(DeviceStatus.Retired, "end of life", "keeper-1", Morning).Value!;
        Assert.Equal("retired", Refused(retired.Maintain(Step(MaintenanceKind.FaultReported, 1)), 409).Reason);
    }

    [Fact]
    public void A_pre_use_check_passes_at_the_units_figures_and_a_failure_needs_an_exception()
    {
        var rules = new UnitObligations { MinBatteryPercent = 60, MinStorageFreeMb = 1000 };
        DeviceCheckout With(PreUseCheck? check, string? exception = null) => new("officer-zhang", Morning, "keeper-1", "ok") { Check = check, CheckException = exception };

        Assert.Empty(With(new PreUseCheck(60, 1000, true)).Checked(rules).Value!.CheckFailures);
        Assert.Equal(400, Refused(With(null).Checked(rules), 400).Status);
        Assert.Contains("battery 59% below 60%", Refused(With(new PreUseCheck(59, 1000, true)).Checked(rules), 409).Reason, StringComparison.Ordinal);
        Assert.Contains("free storage 999 MB", Refused(With(new PreUseCheck(100, 999, true)).Checked(rules), 409).Reason, StringComparison.Ordinal);
        var excepted = With(new PreUseCheck(100, 5000, false), "the only recorder").Checked(rules).Value!;
        Assert.Equal(["clock not set to the current date and time"], excepted.CheckFailures);
    }

    [Fact]
    public void An_activitys_account_names_the_articles_it_leaves_unmet_and_only_its_people_record_it()
    {
        var activity = new Activity
        {
            Id = "a1", UnitId = "unit-a", Kind = ActivityKind.Hearing, Officers = ["officer-zhang"], Place = "p", Start = Morning, End = Morning.AddHours(1),
            CreatedBy = "officer-zhang", CreatedAt = Morning,
        };
        var full = new ActivityConduct(true, true, "words", true, ["party"], [], true, "officer-zhang", Morning);
        Assert.Empty(full.Missing);
        Assert.Equal(["art9"], (full with { StandardWording = false }).Missing);
        Assert.Equal(["art8", "art10", "art11"], (full with { OpeningStatement = false, Parties = [], KeyMomentsPhotographed = false }).Missing);
        Assert.NotNull(activity.RecordConduct(As("officer-zhang", Roles.Officer), full).Value);
        Assert.NotNull(activity.RecordConduct(As("keeper-1", Roles.Keeper), full).Value);
        Refused(activity.RecordConduct(As("officer-wang", Roles.Officer, Roles.Supervisor), full), 403);

        // Art. 13: away from the unit the allowance runs from the return, recorded once, after the end and not ahead of now.
        Assert.Equal(activity.End, activity.HandoverFrom);
        Assert.Equal(activity.End, (activity with { Away = true }).HandoverFrom);
        var returned = activity.ReturnedToUnit(Morning.AddDays(2), Morning.AddDays(3)).Value!;
        Assert.Equal((true, Morning.AddDays(2)), (returned.Away, returned.HandoverFrom));
        Assert.NotNull(returned.ReturnedToUnit(Morning.AddDays(2), Morning.AddDays(3)).Value);
        Refused(returned.ReturnedToUnit(Morning.AddDays(1), Morning.AddDays(3)), 409);
        Refused(activity.ReturnedToUnit(Morning, Morning.AddDays(3)), 400);
        Refused(activity.ReturnedToUnit(Morning.AddDays(4), Morning.AddDays(3)), 400);
        Refused(activity.ReturnedToUnit(Morning.AddDays(40), Morning.AddDays(41)), 400);
    }

    [Fact]
    public void A_review_is_completed_once_and_only_when_it_sampled_recordings_and_scored_each()
    {
        var review = new Functions.Reports.Review
        {
            Id = "r1", UnitId = "unit-a", From = Morning, To = Morning, Seed = 7, Population = 2, FootageIds = ["f1", "f2"], CreatedBy = "supervisor-liu", CreatedAt = Morning,
        };
        Functions.Reports.ReviewScore Scored(string footage) => new(footage, "reviewer-wang", 4, 4, true, true, null, Morning);

        Assert.Equal("not every recording scored", Refused(review.Complete("head-1", Morning), 409).Reason);
        Assert.Equal("not every recording scored", Refused(review.Score(Scored("f1")).Value!.Complete("head-1", Morning), 409).Reason);
        Assert.Equal("empty sample", Refused((review with { FootageIds = [] }).Complete("head-1", Morning), 409).Reason);
        var completed = review.Score(Scored("f1")).Then(r => r.Score(Scored("f2"))).Then(r => r.Complete("head-1", Morning.AddDays(1))).Value!;
        Assert.Equal((Morning.AddDays(1), "head-1"), (completed.CompletedAt, completed.CompletedBy));
        Assert.Equal("already completed", Refused(completed.Complete("head-2", Morning.AddDays(2)), 409).Reason);
    }

    [Fact]
    public void Nobody_opens_or_closes_a_misconduct_case_about_themselves_and_a_case_closes_once()
    {
        var opened = new MisconductCase
        {
            Id = "c1", UnitId = "unit-a", PersonId = "officer-zhang", Item = MisconductItem.Tampering, Description = "d", FootageIds = ["f1", "f2"], AuditEvents = [3],
            OpenedBy = "supervisor-liu", OpenedAt = Morning,
        };
        Assert.Equal("own case", Refused(opened.OpenableBy(As("officer-zhang", Roles.Head)), 403).Reason);
        Assert.NotNull(opened.OpenableBy(As("supervisor-liu", Roles.Supervisor)).Value);
        Assert.Equal("own case", Refused(opened.Close(As("officer-zhang", Roles.Head, Roles.Supervisor), "f", MisconductOutcome.NotUpheld, Morning), 403).Reason);
        var closed = opened.Close(As("supervisor-liu", Roles.Supervisor), "finding", MisconductOutcome.DealtWithUnderRules, Morning.AddDays(1)).Value!;
        Assert.Equal((MisconductCaseStatus.Closed, "supervisor-liu"), (closed.Status, closed.ClosedBy));
        Assert.Equal("case closed", Refused(closed.Close(As("head-1", Roles.Head), "again", MisconductOutcome.NotUpheld, Morning.AddDays(2)), 409).Reason);
        var view = opened.ViewFor(new HashSet<string> { "f2" });
        Assert.Equal(["f1"], view.Case.FootageIds);
        Assert.Equal(1, view.Withheld);
    }
}
