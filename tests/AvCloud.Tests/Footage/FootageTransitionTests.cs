using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;

namespace AvCloud.Tests.Footage;

/// <summary>Arts. 13–16 and 18 on a catalogue record alone: holds, classification, linking, retention, disposal, integrity.</summary>
public sealed class FootageTransitionTests
{
    private static readonly DateTimeOffset Recorded = new(2024, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Recorded.AddMonths(25);

    private static readonly Caller Keeper = new("keeper-1", null, "unit-a", new HashSet<string> { Roles.Keeper });
    private static readonly Caller Head = new("head-1", null, "unit-a", new HashSet<string> { Roles.Head });

    private static FootageRecord Record(FootageStatus status = FootageStatus.Available) => new()
    {
        Id = new string('a', 64), UnitId = "unit-a", Sha256 = new string('a', 64), Size = 1000, Kind = MediaKind.Video,
        BlobName = "unit-a/2024/11/aaaa.mp4", DeviceId = "cam-1", OfficerId = "officer-zhang", DockId = "dock-1",
        RecordedStart = Recorded, RecordedEnd = Recorded.AddMinutes(10), ClockDriftSeconds = 0, CorrectedStart = Recorded, CorrectedEnd = Recorded.AddMinutes(10),
        DockedAt = Recorded.AddHours(2), CataloguedAt = Recorded.AddHours(2), HandoverDeadline = Recorded.AddHours(24), HandedOverInTime = true,
        DockedToCataloguedSeconds = 1, RetentionUntil = Recorded.AddMonths(24), Status = status,
        Uploads = [new FootageUpload("s1", "a.mp4", "dock-1", "cam-1", "officer-zhang", Recorded.AddHours(30), Recorded.AddHours(30))],
    };

    private static PreservationHold Hold(string id = "h1") => new(id, HoldReason.Dispute, null, "Case", "2026-1", "prosecutor", "keeper-1", Now);

    private static readonly PreservationCopy Copy = new("preservation", "unit-a/2024/11/aaaa.mp4", new string('a', 64), Now);

    private static Refusal Refused(Outcome<FootageRecord> outcome, int status)
    {
        Assert.Null(outcome.Value);
        var refusal = Assert.IsType<Refusal>(outcome.Refusal);
        Assert.Equal(status, refusal.Status);
        return refusal;
    }

    [Fact]
    public void Holds_stack_and_the_footage_stays_held_until_the_last_is_released()
    {
        var held = Record().PlaceHold(Hold("h1"), Copy).Value!.PlaceHold(Hold("h2"), copy: null).Value!;

        Assert.Equal(Copy, held.SecondCopy);
        Assert.Single(held.ReleaseHold("h1").Value!.Holds);
        Assert.Empty(held.ReleaseHold("h1").Value!.ReleaseHold("h2").Value!.Holds);
        Refused(held.ReleaseHold("h9"), 404);
    }

    [Theory]
    [InlineData(FootageStatus.Purged)]
    [InlineData(FootageStatus.Quarantined)]
    public void Footage_no_longer_stored_is_not_held(FootageStatus status) => Refused(Record(status).PlaceHold(Hold(), Copy), 409);

    [Fact]
    public void The_keeper_raises_a_classification_and_only_the_head_lowers_it()
    {
        var secret = Record().Classify(Classification.Privacy, "a minor", Keeper, Now).Value!;

        Assert.Equal(new ClassificationChange(Classification.None, "a minor", "keeper-1", Now), secret.ClassificationChange);
        Refused(secret.Classify(Classification.None, "mistake", Keeper, Now), 403);
        Assert.Equal(Classification.None, secret.Classify(Classification.None, "reviewed", Head, Now).Value!.Classification);
    }

    [Fact]
    public void Linking_moves_the_handover_deadline_to_the_activity_end_and_judges_the_first_docking()
    {
        var activity = new Activity
        {
            Id = "act-1", UnitId = "unit-a", Kind = ActivityKind.Hearing, Officers = ["officer-zhang"], Place = "hall", Start = Recorded,
            End = Recorded.AddHours(1), CreatedBy = "keeper-1", CreatedAt = Recorded,
        };

        var linked = Record().LinkTo(activity, TimeSpan.FromHours(24), LinkMethod.Keeper).Value!;

        Assert.Equal(("act-1", ActivityKind.Hearing), (linked.ActivityId, linked.ActivityKind));
        Assert.Equal(Recorded.AddHours(25), linked.HandoverDeadline);
        Assert.False(linked.HandedOverInTime);
        Refused(Record(FootageStatus.Purged).LinkTo(activity, TimeSpan.FromHours(24), LinkMethod.Keeper), 404);
        Assert.Equal(LinkMethod.Keeper, linked.LinkedBy);
    }

    private static Activity Activity(string id, ActivityKind kind = ActivityKind.Hearing) => new()
    {
        Id = id, UnitId = "unit-a", Kind = kind, Officers = ["officer-zhang"], Place = "hall", Start = Recorded, End = Recorded.AddHours(1),
        CreatedBy = "keeper-1", CreatedAt = Recorded,
    };

    private static readonly TimeSpan Allowance = TimeSpan.FromHours(24);

    [Fact]
    public void One_candidate_links_by_rule_two_wait_for_a_keeper_and_none_undoes_the_rules_own_link()
    {
        var linked = Record().LinkByRule([Activity("act-1")], Allowance).Value!;
        Assert.Equal(("act-1", LinkMethod.Rule, ActivityKind.Hearing), (linked.ActivityId, linked.LinkedBy, linked.ActivityKind));
        Assert.Equal(Recorded.AddHours(25), linked.HandoverDeadline);

        var undecided = Record().LinkByRule([Activity("act-2"), Activity("act-1")], Allowance).Value!;
        Assert.Null(undecided.ActivityId);
        Assert.Null(undecided.LinkedBy);
        Assert.Equal(["act-1", "act-2"], undecided.LinkCandidates);

        // The activity moved away: the rule's own link goes, and the deadline is the recording's own again.
        var undone = linked.LinkByRule([], Allowance).Value!;
        Assert.Equal((null, null, null), (undone.ActivityId, undone.LinkedBy, undone.ActivityKind));
        Assert.Equal(Recorded.AddMinutes(10) + Allowance, undone.HandoverDeadline);
        Assert.Empty(undecided.LinkByRule([Activity("act-1")], Allowance).Value!.LinkCandidates);
    }

    [Fact]
    public void A_rule_that_changes_nothing_is_refused_so_repeating_it_writes_nothing()
    {
        var linked = Record().LinkByRule([Activity("act-1")], Allowance).Value!;

        Refused(linked.LinkByRule([Activity("act-1")], Allowance), 409);
        Refused(Record().LinkByRule([], Allowance), 409);
        Refused(Record().LinkByRule([Activity("act-1"), Activity("act-2")], Allowance).Value!.LinkByRule([Activity("act-2"), Activity("act-1")], Allowance), 409);
        Refused(Record(FootageStatus.Purged).LinkByRule([Activity("act-1")], Allowance), 409);
    }

    [Theory]
    [InlineData(LinkMethod.Manifest)]
    [InlineData(LinkMethod.Keeper)]
    public void A_rule_never_overrides_the_manifest_or_a_keeper(LinkMethod by)
    {
        var linked = Record().LinkTo(Activity("act-1"), Allowance, by).Value!;
        var unlinkedByKeeper = linked.Unlink(Allowance).Value!;

        Assert.Contains(AvCloudJson.Name(by), Refused(linked.LinkByRule([Activity("act-2")], Allowance), 409).Detail, StringComparison.Ordinal);
        Refused(linked.LinkByRule([], Allowance), 409);
        Assert.Equal((null, LinkMethod.Keeper), (unlinkedByKeeper.ActivityId, unlinkedByKeeper.LinkedBy));
        Refused(unlinkedByKeeper.LinkByRule([Activity("act-2")], Allowance), 409);
    }

    [Fact]
    public void A_keeper_unlinks_a_linked_or_undecided_recording_and_nothing_else()
    {
        var undecided = Record().LinkByRule([Activity("act-1"), Activity("act-2")], Allowance).Value!;

        var decided = undecided.Unlink(Allowance).Value!;
        Assert.Empty(decided.LinkCandidates);
        Assert.Equal(LinkMethod.Keeper, decided.LinkedBy);
        Refused(Record().Unlink(Allowance), 409);
        Refused(Record(FootageStatus.Purged).Unlink(Allowance), 404);
        var relinked = decided.LinkTo(Activity("act-2"), Allowance, LinkMethod.Keeper).Value!;
        Assert.Equal(("act-2", LinkMethod.Keeper), (relinked.ActivityId, relinked.LinkedBy));
    }

    [Fact]
    public void A_hold_a_case_placed_goes_only_with_the_case_hold_and_the_same_hold_is_never_placed_twice()
    {
        var byCase = Hold("case-hold") with { CaseId = "case-1" };
        var held = Record().PlaceHold(byCase, Copy).Value!.PlaceHold(Hold("own"), copy: null).Value!;

        Refused(held.PlaceHold(byCase, Copy), 409);
        Refused(held.ReleaseHold("case-hold"), 409);
        Refused(held.ReleaseHold("case-hold", byCase: "case-2"), 409);
        Assert.Equal(["own"], held.ReleaseHold("case-hold", byCase: "case-1").Value!.Holds.Select(h => h.Id));
        Assert.Equal(["case-hold"], held.ReleaseHold("own").Value!.Holds.Select(h => h.Id));
    }

    [Fact]
    public void The_sweep_offers_only_available_unheld_footage_past_its_date()
    {
        var pending = Record().OfferForDisposal(Now).Value!;

        Assert.Equal((FootageStatus.DisposalPending, Now), (pending.Status, pending.Disposal!.PendingSince));
        Refused(Record().OfferForDisposal(Recorded.AddMonths(23)), 409);
        Refused(Record().PlaceHold(Hold(), Copy).Value!.OfferForDisposal(Now), 409);
        Refused(pending.OfferForDisposal(Now), 409);
    }

    [Fact]
    public void Disposal_is_approved_with_a_recovery_window_the_head_can_cancel_inside()
    {
        var pending = Record().OfferForDisposal(Now).Value!;
        var approved = pending.ApproveDisposal(Keeper, Now, TimeSpan.FromDays(7)).Value!;

        Assert.Equal(("keeper-1", Now.AddDays(7)), (approved.Disposal!.ApprovedBy, approved.Disposal.PurgeAfter!.Value));
        Refused(Record().ApproveDisposal(Keeper, Now, TimeSpan.FromDays(7)), 409);
        Refused(approved.CancelDisposal(Now.AddDays(7)), 409);
        var cancelled = approved.CancelDisposal(Now.AddDays(6)).Value!;
        Assert.Equal(FootageStatus.DisposalPending, cancelled.Status);
        Assert.Null(cancelled.Disposal!.ApprovedBy);
        Refused(pending.CancelDisposal(Now), 409);
    }

    [Fact]
    public void A_keeper_who_recorded_the_footage_cannot_approve_its_disposal_whatever_roles_they_hold()
    {
        var pending = Record().OfferForDisposal(Now).Value!;
        var recorder = new Caller("officer-zhang", null, "unit-a", new HashSet<string> { Roles.Keeper, Roles.Head, Roles.Officer });
        var uploader = new Caller("officer-li", null, "unit-a", new HashSet<string> { Roles.Keeper });
        var alsoUploadedBy = pending with { Uploads = [.. pending.Uploads, pending.Uploads[0] with { SessionId = "s2", OfficerId = "officer-li" }] };

        Assert.Equal("own recording", Refused(pending.ApproveDisposal(recorder, Now, TimeSpan.FromDays(7)), 403).Reason);
        Assert.Equal("own recording", Refused(alsoUploadedBy.ApproveDisposal(uploader, Now, TimeSpan.FromDays(7)), 403).Reason);
        Assert.Equal(FootageStatus.DisposalApproved, pending.ApproveDisposal(uploader, Now, TimeSpan.FromDays(7)).Value!.Status);
    }

    [Fact]
    public void A_hold_stops_approval_and_purge_and_sends_an_approved_disposal_back()
    {
        var pending = Record().OfferForDisposal(Now).Value!;
        var approved = pending.ApproveDisposal(Keeper, Now, TimeSpan.Zero).Value!;
        var heldLate = approved.PlaceHold(Hold(), Copy).Value!;

        Refused(pending.PlaceHold(Hold(), Copy).Value!.ApproveDisposal(Keeper, Now, TimeSpan.Zero), 409);
        Refused(heldLate.Purge(Now), 409);
        Assert.Equal(FootageStatus.Available, heldLate.BlockDisposal().Value!.Status);
        Refused(approved.BlockDisposal(), 409);
    }

    [Fact]
    public void A_purge_leaves_a_tombstone_and_only_after_approval()
    {
        var approved = Record().OfferForDisposal(Now).Value!.ApproveDisposal(Keeper, Now, TimeSpan.Zero).Value!;
        var tombstone = approved.Purge(Now.AddDays(1)).Value!;

        Assert.Equal((FootageStatus.Purged, Now.AddDays(1)), (tombstone.Status, tombstone.Disposal!.PurgedAt!.Value));
        Assert.Equal((approved.Id, approved.Sha256, approved.Size, "keeper-1"), (tombstone.Id, tombstone.Sha256, tombstone.Size, tombstone.Disposal.ApprovedBy!));
        Assert.Null(tombstone.Media);
        Refused(Record().Purge(Now), 409);
        Refused(tombstone.Purge(Now), 409);
    }

    [Fact]
    public void Retention_is_only_extended_and_keeping_footage_longer_takes_it_out_of_review()
    {
        var pending = Record().OfferForDisposal(Now).Value!;
        var kept = pending.ExtendRetention(Now.AddYears(1)).Value!;

        Assert.Equal((FootageStatus.Available, Now.AddYears(1), Now.AddYears(1)), (kept.Status, kept.RetentionUntil, kept.RetentionExtendedUntil!.Value));
        Assert.Null(kept.Disposal);
        Assert.Equal("until", Assert.Single(Refused(kept.ExtendRetention(Now), 400).Errors!).Key);
        Refused(Record(FootageStatus.Purged).ExtendRetention(Now.AddYears(1)), 409);
    }

    [Fact]
    public void A_new_retention_date_in_the_future_takes_footage_out_of_review_and_a_tombstone_has_none()
    {
        var pending = Record().OfferForDisposal(Now).Value!;

        var longer = pending.Retain(["evidence"], Now.AddYears(2), Now).Value!;
        Assert.Equal((FootageStatus.Available, Now.AddYears(2)), (longer.Status, longer.RetentionUntil));
        Assert.Equal(["evidence"], longer.Categories);
        Assert.Equal(FootageStatus.DisposalPending, pending.Retain([], Now.AddDays(-1), Now).Value!.Status);
        Refused(Record(FootageStatus.Quarantined).Retain([], Now.AddYears(1), Now), 409);
    }

    [Fact]
    public void A_re_hash_that_differs_is_kept_for_good()
    {
        var broken = Record().Verified(Now, 999, new string('b', 64));
        var later = broken.Verified(Now.AddDays(90), 1000, new string('a', 64));

        Assert.Equal(new IntegrityFailure(Now, new string('b', 64), 999), broken.IntegrityFailure);
        Assert.Equal(broken.IntegrityFailure, later.IntegrityFailure);
        Assert.Equal(Now.AddDays(90), later.LastVerifiedAt);
        Assert.Null(Record().Verified(Now, 1000, new string('a', 64)).IntegrityFailure);
    }
}
