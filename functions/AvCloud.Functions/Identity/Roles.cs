namespace AvCloud.Functions.Identity;

/// <summary>The app roles (Entra ID app roles, in the token's <c>roles</c> claim).</summary>
public static class Roles
{
    /// <summary>An enforcement officer: records, hands footage over, asks for access.</summary>
    public const string Officer = "Officer";

    /// <summary>The records keeper (custodian): files footage, reviews disposals, places holds.</summary>
    public const string Keeper = "Keeper";

    /// <summary>Someone outside the records unit who asks to view or copy footage.</summary>
    public const string Reviewer = "Reviewer";

    /// <summary>Inspects the use of recorders and runs the annual review (Art. 17).</summary>
    public const string Supervisor = "Supervisor";

    /// <summary>The unit head: approvals.</summary>
    public const string Head = "Head";

    /// <summary>The machine identity of a dock station.</summary>
    public const string Dock = "Dock";

    public static IReadOnlyList<string> All { get; } = [Officer, Keeper, Reviewer, Supervisor, Head, Dock];
}
