using AvCloud.Functions.Activities;
using AvCloud.Functions.Identity;

namespace AvCloud.Tests.Activities;

/// <summary>Art. 12 on the records alone: who files a work record, who decides it, and only once.</summary>
public sealed class WorkRecordTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static readonly Caller Head = new("head-1", null, "unit-a", new HashSet<string> { Roles.Head });

    private static readonly Activity Hearing = new()
    {
        Id = "act-1", UnitId = "unit-a", Kind = ActivityKind.Hearing, Officers = ["officer-zhang", "officer-wang"], Place = "hall",
        Start = Now.AddHours(-3), End = Now.AddHours(-2), CreatedBy = "keeper-1", CreatedAt = Now.AddHours(-4),
    };

    private static WorkRecord Filed(string officer = "officer-zhang") => new()
    {
        Id = "wr-1", UnitId = "unit-a", ActivityId = "act-1", OfficerId = officer, Reason = WorkRecordReason.DeviceFault,
        Explanation = "battery died", SubmittedAt = Now.AddHours(-1),
    };

    [Fact]
    public void Only_an_officer_of_the_activity_files_a_work_record()
    {
        Assert.Same(Hearing, Hearing.AcceptsWorkRecordFrom(new Caller("officer-wang", null, "unit-a", new HashSet<string> { Roles.Officer })).Value);
        var refusal = Hearing.AcceptsWorkRecordFrom(new Caller("officer-li", null, "unit-a", new HashSet<string> { Roles.Officer })).Refusal!;
        Assert.Equal((403, "not an officer of the activity"), (refusal.Status, refusal.Reason));
    }

    [Fact]
    public void The_head_approves_once_with_the_archive_and_nobody_decides_their_own()
    {
        var archived = Filed().Archived(Head, "ok", Now, "unit-a/work-records/2026/wr-1.json", new string('c', 64)).Value!;

        Assert.Equal((WorkRecordStatus.Approved, "head-1", Now, "ok"), (archived.Status, archived.DecidedBy!, archived.DecidedAt!.Value, archived.DecisionReason!));
        Assert.Equal(("unit-a/work-records/2026/wr-1.json", new string('c', 64)), (archived.ArchiveBlob!, archived.ArchiveSha256!));
        Assert.Equal(409, archived.Approve(Head, null, Now).Refusal!.Status);
        Assert.Equal(409, archived.Reject(Head, "no", Now).Refusal!.Status);

        var ownByHead = Filed("head-1");
        Assert.Equal((403, "own work record"), (ownByHead.Approve(Head, null, Now).Refusal!.Status, ownByHead.Approve(Head, null, Now).Refusal!.Reason));
        Assert.Equal(403, ownByHead.Reject(Head, "no", Now).Refusal!.Status);
    }

    [Fact]
    public void A_rejection_keeps_its_reason_and_ends_the_record()
    {
        var rejected = Filed().Reject(Head, "the weather was fine", Now).Value!;

        Assert.Equal((WorkRecordStatus.Rejected, "the weather was fine"), (rejected.Status, rejected.DecisionReason!));
        Assert.Equal(409, rejected.Approve(Head, null, Now).Refusal!.Status);
    }
}
