using AvCloud.Functions;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Shares;

namespace AvCloud.Tests.Shares;

/// <summary>The share's rules on their own: who approves and revokes, when it serves, how wrong passcodes lock it, and the passcode's hash.</summary>
public sealed class ShareTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static readonly ShareOptions Options = new();

    private static Caller As(string user, params string[] roles) => new(user, null, "unit-a", roles.ToHashSet());

    private static readonly Caller Maker = As("keeper-1", Roles.Keeper);
    private static readonly Caller Head = As("head-1", Roles.Head);

    private static readonly PasscodeHash Hash = Passcodes.Hash("ABCD-EFGH-JKMN");

    private static ExternalShare Made(string by = "keeper-1") => new()
    {
        Id = "s1", UnitId = "unit-a", CreatedBy = by, CreatedAt = Now.AddHours(-1), Recipient = new ShareRecipient("Wang Fang", RecipientKind.Prosecutor, "Procuratorate"),
        Purpose = "prosecution", FootageIds = ["a"], Mode = ShareMode.View, Duration = TimeSpan.FromDays(2),
    };

    private static ExternalShare Approved() => Made().Approve(Head, Hash, Now).Value!;

    private static void Refused(Outcome<ExternalShare> outcome, int status, string reason)
    {
        Assert.Null(outcome.Value);
        Assert.Equal((status, reason), (outcome.Refusal!.Status, outcome.Refusal.Reason));
    }

    [Fact]
    public void A_head_who_did_not_make_it_approves_it_and_it_lasts_its_duration_from_then()
    {
        var approved = Approved();

        Assert.Equal((ShareStatus.Approved, Now.AddDays(2), "head-1"), (approved.Status, approved.ExpiresAt, approved.Approval!.By));
        Assert.Same(Hash, approved.Passcode);
        Refused(Made(by: "head-1").Approve(As("head-1", Roles.Keeper, Roles.Head), Hash, Now), 403, "own share");
        Refused(Made().Approve(As("keeper-2", Roles.Keeper), Hash, Now), 403, "needs Head");
        Refused(approved.Approve(As("head-2", Roles.Head), Hash, Now), 409, "share is approved");
    }

    [Fact]
    public void It_serves_while_approved_unexpired_and_unrevoked()
    {
        var approved = Approved();

        Assert.Equal(1, approved.Admit(Now.AddDays(1)).Value!.Uses);
        Refused(Made().Admit(Now), 409, "share is pending");
        Refused(approved.Admit(Now.AddDays(2)), 410, "share is expired");
        Refused(approved.Revoke(Maker, "done", Now).Value!.Admit(Now), 410, "share is revoked");
    }

    [Fact]
    public void The_head_or_its_maker_revokes_it_while_pending_or_live()
    {
        Assert.Equal(ShareStatus.Revoked, Made().Revoke(Maker, "asked in error", Now).Value!.Status);
        Assert.Equal(ShareStatus.Revoked, Approved().Revoke(Head, "case closed", Now).Value!.Status);
        Refused(Approved().Revoke(As("keeper-2", Roles.Keeper), "not mine", Now), 403, "neither its maker nor the head");
        Refused(Approved().Revoke(Head, "late", Now.AddDays(3)), 409, "share is expired");
    }

    [Fact]
    public void The_fifth_wrong_passcode_within_the_window_locks_it_against_every_passcode_for_a_while()
    {
        var share = Approved();
        for (var i = 0; i < 4; i++)
        {
            share = share.WrongPasscode(Now.AddMinutes(i), Options).Value!;
        }

        Assert.Null(share.LockedUntil);
        var locked = share.WrongPasscode(Now.AddMinutes(4), Options).Value!;

        Assert.Equal(Now.AddMinutes(19), locked.LockedUntil);
        Assert.True(locked.LockedBy(share, Now.AddMinutes(4)));
        Refused(locked.Admit(Now.AddMinutes(5)), 429, "share locked");
        Refused(locked.WrongPasscode(Now.AddMinutes(5), Options), 429, "share locked");
        Assert.Equal(1, locked.Admit(Now.AddMinutes(19)).Value!.Uses);

        // Wrong passcodes older than the window no longer count.
        var spread = share.WrongPasscode(Now.AddMinutes(17), Options).Value!;
        Assert.Null(spread.LockedUntil);
        Assert.Equal([Now.AddMinutes(3), Now.AddMinutes(17)], spread.WrongPasscodes);
    }

    [Fact]
    public void The_passcode_is_kept_as_a_salted_hash_and_matched_as_a_person_types_it()
    {
        var code = Passcodes.Generate();
        var hash = Passcodes.Hash(code);

        Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", code);
        Assert.DoesNotContain(code, hash.Hash + hash.Salt, StringComparison.Ordinal);
        Assert.NotEqual(hash.Hash, Passcodes.Hash(code).Hash);
        Assert.True(Passcodes.Matches(hash, code));
        Assert.True(Passcodes.Matches(hash, code.Replace("-", " ", StringComparison.Ordinal).ToLowerInvariant()));
        Assert.False(Passcodes.Matches(hash, code[..^1] + (code[^1] == 'A' ? 'B' : 'A')));
        Assert.False(Passcodes.Matches(hash, null));
        Assert.False(Passcodes.Matches(null, code));
        Assert.False(Passcodes.Matches(hash, new string('A', 10_000)));
    }
}
