using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Identity;

namespace AvCloud.Tests.Access;

/// <summary>The access rules on their own: who decides, what an approval may change, when links are issued.</summary>
public sealed class AccessRequestTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static Caller As(string user, params string[] roles) => new(user, null, "unit-a", roles.ToHashSet());

    private static readonly Caller Reviewer = As("reviewer-1", Roles.Reviewer);
    private static readonly Caller Keeper = As("keeper-1", Roles.Keeper);
    private static readonly Caller Head = As("head-1", Roles.Head);

    private static AccessRequest Asked(AccessMode mode = AccessMode.Copy, string approver = Roles.Keeper, string by = "reviewer-1") => new()
    {
        Id = "r1", UnitId = "unit-a", RequestedBy = by, RequesterRoles = [Roles.Reviewer], RequestedAt = Now.AddHours(-1),
        FootageIds = ["a", "b"], Purpose = "complaint", CaseName = "Case", CaseNumber = "2026-1", Mode = mode, Duration = TimeSpan.FromDays(2),
        ApproverRole = approver,
    };

    private static Refusal Refused(Outcome<AccessRequest> outcome, int status, string? reason = null)
    {
        Assert.Null(outcome.Value);
        var refusal = Assert.IsType<Refusal>(outcome.Refusal);
        Assert.Equal(status, refusal.Status);
        if (reason is not null)
        {
            Assert.Equal(reason, refusal.Reason);
        }

        return refusal;
    }

    [Fact]
    public void An_approval_by_the_required_role_opens_the_window_from_now()
    {
        var approved = Asked().Approve(Keeper, Roles.Keeper, ["a", "b"], AccessMode.Copy, TimeSpan.FromDays(2), "ok", Now).Value!;

        Assert.Equal(AccessStatus.Approved, approved.Status);
        Assert.Equal(new AccessDecision("keeper-1", Roles.Keeper, Now, "ok"), approved.Approval);
        Assert.Equal(Now.AddDays(2), approved.ExpiresAt);
        Assert.Equal(AccessStatus.Expired, approved.AsOf(Now.AddDays(2)).Status);
    }

    [Fact]
    public void Nobody_decides_their_own_request_whatever_roles_they_hold()
    {
        var keeperAndHead = As("reviewer-1", Roles.Reviewer, Roles.Keeper, Roles.Head);

        Refused(Asked().Approve(keeperAndHead, Roles.Keeper, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now), 403, "own request");
        Refused(Asked().Reject(keeperAndHead, "no", Now), 403, "own request");
    }

    [Fact]
    public void A_request_that_needs_the_head_is_not_approved_or_rejected_by_the_keeper()
    {
        Refused(Asked().Approve(Keeper, Roles.Head, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now), 403, "needs Head");
        Refused(Asked(approver: Roles.Head).Reject(Keeper, "no", Now), 403, "needs Head");
        Assert.Equal(Roles.Head, Asked().Approve(Head, Roles.Head, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now).Value!.Approval!.Role);
    }

    [Fact]
    public void An_approval_narrows_and_never_widens()
    {
        var narrowed = Asked().Approve(Keeper, Roles.Keeper, ["a"], AccessMode.View, TimeSpan.FromHours(4), null, Now).Value!;
        Assert.Equal(["a"], narrowed.FootageIds);
        Assert.Equal((AccessMode.View, TimeSpan.FromHours(4)), (narrowed.Mode, narrowed.Duration));

        var widened = Refused(Asked(AccessMode.View).Approve(Keeper, Roles.Keeper, ["a", "c"], AccessMode.Copy, TimeSpan.FromDays(3), null, Now), 400);
        Assert.Equal(["duration", "footageIds", "mode"], widened.Errors!.Keys.Order(StringComparer.Ordinal));
        Refused(Asked().Approve(Keeper, Roles.Keeper, [], AccessMode.Copy, TimeSpan.FromDays(1), null, Now), 400);
    }

    [Fact]
    public void Only_a_pending_request_is_decided()
    {
        var rejected = Asked().Reject(Keeper, "no case", Now).Value!;

        Assert.Equal(new AccessDecision("keeper-1", Roles.Keeper, Now, "no case"), rejected.Rejection);
        Refused(rejected.Approve(Head, Roles.Keeper, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now), 409, "request is rejected");
        Refused(rejected.Reject(Head, "again", Now), 409, "request is rejected");
    }

    [Fact]
    public void Access_is_revoked_by_its_approver_or_the_head_while_it_lasts()
    {
        var approved = Asked().Approve(Keeper, Roles.Keeper, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now).Value!;

        Refused(approved.Revoke(As("keeper-2", Roles.Keeper), "mine now", Now), 403, "neither its approver nor the head");
        Assert.Equal(AccessStatus.Revoked, approved.Revoke(Keeper, "case closed", Now).Value!.Status);
        Assert.Equal(Roles.Head, approved.Revoke(Head, "case closed", Now).Value!.Revocation!.Role);
        Refused(approved.Revoke(Head, "late", Now.AddHours(2)), 409, "request is expired");
    }

    [Fact]
    public void Links_go_to_the_requester_of_an_approved_unexpired_request_whose_approver_still_suffices()
    {
        var approved = Asked().Approve(Keeper, Roles.Keeper, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now).Value!;

        Assert.Same(approved, approved.AllowsLinks(Reviewer, Roles.Keeper, Now).Value);
        Refused(approved.AllowsLinks(As("reviewer-2", Roles.Reviewer), Roles.Keeper, Now), 403, "not the requester");
        Refused(approved.AllowsLinks(Reviewer, Roles.Keeper, Now.AddHours(1)), 409, "request is expired");
        Refused(approved.AllowsLinks(Reviewer, Roles.Head, Now), 409, "now needs Head");
        Refused(Asked(AccessMode.View).AllowsLinks(Reviewer, Roles.Keeper, Now), 409, "request is pending");
    }

    [Fact]
    public void A_copy_is_a_package_for_the_requester_of_an_approved_unexpired_request_never_links()
    {
        var copy = Asked().Approve(Head, Roles.Head, ["a"], AccessMode.Copy, TimeSpan.FromHours(1), null, Now).Value!;
        var view = Asked().Approve(Head, Roles.Head, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now).Value!;

        Assert.Same(copy, copy.AllowsPackage(Reviewer, Roles.Head, Now).Value);
        Refused(copy.AllowsLinks(Reviewer, Roles.Head, Now), 409, "copy is a package");
        Refused(view.AllowsPackage(Reviewer, Roles.Head, Now), 409, "view is not a copy");
        Refused(copy.AllowsPackage(As("reviewer-2", Roles.Reviewer), Roles.Head, Now), 403, "not the requester");
        Refused(copy.AllowsPackage(Reviewer, Roles.Head, Now.AddHours(1)), 409, "request is expired");
        Refused(copy.Revoke(Head, "case closed", Now).Value!.AllowsPackage(Reviewer, Roles.Head, Now), 409, "request is revoked");
        Refused(Asked().AllowsPackage(Reviewer, Roles.Head, Now), 409, "request is pending");
    }

    [Fact]
    public void State_secret_footage_is_never_copied()
    {
        var never = Assert.IsType<Refusal>(AccessRules.NeverAllowed([Classification.None, Classification.StateSecret], AccessMode.Copy));

        Assert.Equal(422, never.Status);
        Assert.Null(AccessRules.NeverAllowed([Classification.StateSecret], AccessMode.View));
        Assert.Null(AccessRules.NeverAllowed([Classification.TradeSecret], AccessMode.Copy));
    }
}
