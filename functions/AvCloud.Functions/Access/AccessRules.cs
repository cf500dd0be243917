using AvCloud.Functions.Identity;

namespace AvCloud.Functions.Access;

/// <summary>Art. 14: how confidential a recording is. New footage is unclassified.</summary>
public enum Classification
{
    None,
    Privacy,
    TradeSecret,
    StateSecret,
}

/// <summary>What an access request asks for: to watch (inline) or to take a copy (download).</summary>
public enum AccessMode
{
    View,
    Copy,
}

/// <summary>
/// One approval rule of a unit: a request matching the classification, mode and requester role needs an approver with
/// <see cref="Approver"/>. "*" matches anything. Of all the rules that match, the strictest approver wins (Head over
/// Keeper), so adding a rule can only make approval stricter.
/// </summary>
public sealed record ApprovalRule(string Classification, string Mode, string RequesterRole, string Approver);

/// <summary>
/// Art. 14: the classification levels whose footage a caller may see, and so the only footage that takes part in what
/// they list, search or are shown. Footage at any other level never takes part in their filters (officer, device,
/// activity, time, status, <c>q</c>), access-request searches, device ledgers, reports or samples, so no answer they get
/// depends on whether such footage matches: filtering happens in the query, so a page's size and continuation do not
/// depend on it either. They learn of it only by id and level: in the withheld listing, which takes no filter and is
/// ordered by id (a SHA-256, so the order says nothing about when it was recorded), when they ask for one by id, and as
/// a count on an activity they can already see (whose coverage is worked out from what they may see).
/// </summary>
public sealed record Clearance(IReadOnlyList<Classification> Levels)
{
    public static Clearance Everything { get; } = new([.. Enum.GetValues<Classification>()]);

    public static Clearance Unclassified { get; } = new([Classification.None]);

    public bool Sees(Classification level) => Levels.Contains(level);

    /// <summary>Whether nothing is withheld from its holder (no footage needs leaving out of their listings).</summary>
    public bool SeesEverything => Everything.Levels.All(Sees);
}

/// <summary>The access rules as pure functions: who approves, who sees what, what is never allowed.</summary>
public static class AccessRules
{
    public const string Any = "*";

    /// <summary>
    /// The default rules: the keeper approves viewing unclassified footage; the head approves copies, anything
    /// classified, and requests made by a keeper.
    /// </summary>
    public static IReadOnlyList<ApprovalRule> Defaults { get; } =
    [
        new(Any, Any, Any, Roles.Keeper),
        new(Any, "copy", Any, Roles.Head),
        new("privacy", Any, Any, Roles.Head),
        new("tradeSecret", Any, Any, Roles.Head),
        new("stateSecret", Any, Any, Roles.Head),
        new(Any, Any, Roles.Keeper, Roles.Head),
    ];

    public static IReadOnlyList<string> Approvers { get; } = [Roles.Keeper, Roles.Head];

    public static string Name(Classification level) => AvCloudJson.Name(level);

    public static string Name(AccessMode mode) => AvCloudJson.Name(mode);

    /// <summary>The role that must approve a request for footage of <paramref name="levels"/> in <paramref name="mode"/>.</summary>
    public static string RequiredApprover(IReadOnlyList<ApprovalRule> rules, IEnumerable<Classification> levels, AccessMode mode, IReadOnlySet<string> requesterRoles)
    {
        var approver = Roles.Keeper;
        foreach (var level in levels.Append(Classification.None).Distinct())
        {
            foreach (var rule in rules)
            {
                var matches = (rule.Classification == Any || rule.Classification == Name(level))
                    && (rule.Mode == Any || rule.Mode == Name(mode))
                    && (rule.RequesterRole == Any || requesterRoles.Contains(rule.RequesterRole));
                if (matches && Strictness(rule.Approver) > Strictness(approver))
                {
                    approver = rule.Approver;
                }
            }
        }

        return approver;
    }

    /// <summary>Whether a person holding <paramref name="role"/> can approve what needs <paramref name="required"/>.</summary>
    public static bool Satisfies(string role, string required) => Strictness(role) >= Strictness(required);

    /// <summary>Art. 14: state-secret footage never leaves the unit: no copy of it, whoever approves. Null when allowed.</summary>
    public static Refusal? NeverAllowed(IEnumerable<Classification> levels, AccessMode mode) =>
        mode == AccessMode.Copy && levels.Contains(Classification.StateSecret)
            ? Refusal.Never("State-secret footage never leaves the unit: it can be viewed with the head's approval, never copied.", "copy of state-secret footage")
            : null;

    /// <summary>The role in which <paramref name="caller"/> can give what needs <paramref name="required"/>, if any (the head can always).</summary>
    public static string? ApprovingRole(Caller caller, string required) =>
        caller.HasRole(Roles.Head) ? Roles.Head
        : caller.HasRole(Roles.Keeper) && Satisfies(Roles.Keeper, required) ? Roles.Keeper
        : null;

    /// <summary>Art. 17: who may score an annual review's items (reviewers, supervisors, the head).</summary>
    public static bool ScoresReviews(Caller caller) => caller.HasRole(Roles.Reviewer) || caller.HasRole(Roles.Supervisor) || caller.HasRole(Roles.Head);

    /// <summary>
    /// Art. 17: whether <paramref name="caller"/> sees a recording only because a review they score sampled it: a reviewer
    /// without a role that reads the whole catalogue and its custody (keeper, supervisor, head).
    /// </summary>
    public static bool SeesOnlyReviewSamples(Caller caller) =>
        ScoresReviews(caller) && !caller.HasRole(Roles.Keeper) && !caller.HasRole(Roles.Supervisor) && !caller.HasRole(Roles.Head);

    /// <summary>
    /// Art. 14: a request as <paramref name="caller"/> is shown it. Someone else's request names its recordings (and the
    /// search that found them) only to those cleared for every level: a supervisor oversees who asked for what, and why,
    /// without learning which recordings, classified ones among them, were asked for.
    /// </summary>
    public static AccessRequest ShownTo(Caller caller, AccessRequest request) =>
        request.RequestedBy == caller.UserId || ClearanceOf(caller).SeesEverything ? request : request with { FootageIds = [], Search = null };

    /// <summary>Who sees every request of the unit (the rest see their own).</summary>
    public static bool SeesAllRequests(Caller caller) => caller.HasRole(Roles.Keeper) || caller.HasRole(Roles.Supervisor) || caller.HasRole(Roles.Head);

    /// <summary>Who may see the details of footage at <paramref name="level"/>: everyone who may read the catalogue when unclassified; the keeper and the head otherwise.</summary>
    public static bool CanSeeDetails(Caller caller, Classification level) => ClearanceOf(caller).Sees(level);

    /// <summary>Art. 14: the levels of footage <paramref name="caller"/> may see in detail: every level for the keeper and the head, unclassified for anyone else.</summary>
    public static Clearance ClearanceOf(Caller caller) =>
        caller.HasRole(Roles.Keeper) || caller.HasRole(Roles.Head) ? Clearance.Everything : Clearance.Unclassified;

    /// <summary>Why <paramref name="rules"/> cannot be a unit's approval rules; empty when they can.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<ApprovalRule>? rules)
    {
        if (rules is null || rules.Count is 0 or > 100)
        {
            return ["Give 1 to 100 approval rules."];
        }

        var levels = Enum.GetValues<Classification>().Select(Name).Append(Any).ToHashSet();
        var modes = Enum.GetValues<AccessMode>().Select(Name).Append(Any).ToHashSet();
        var problems = new List<string>();
        foreach (var (rule, i) in rules.Select((r, i) => (r, i)))
        {
            if (rule is null || !levels.Contains(rule.Classification) || !modes.Contains(rule.Mode)
                || !(rule.RequesterRole == Any || Roles.All.Contains(rule.RequesterRole)) || !Approvers.Contains(rule.Approver))
            {
                problems.Add($"Rule {i}: classification is one of {string.Join(", ", levels)}; mode one of {string.Join(", ", modes)}; requesterRole a role or *; approver Keeper or Head.");
            }
        }

        return problems;
    }

    private static int Strictness(string role) => role == Roles.Head ? 2 : role == Roles.Keeper ? 1 : 0;
}
