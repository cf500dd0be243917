using System.Security.Claims;

namespace AvCloud.Console;

/// <summary>The app roles as the API names them (its <c>Identity/Roles.cs</c>), read from the signed-in person's token.</summary>
public static class Roles
{
    public const string Officer = "Officer";
    public const string Keeper = "Keeper";
    public const string Reviewer = "Reviewer";
    public const string Supervisor = "Supervisor";
    public const string Head = "Head";
    public const string Dock = "Dock";

    private static readonly string[] Known = [Officer, Keeper, Reviewer, Supervisor, Head, Dock];

    public static IReadOnlySet<string> Of(ClaimsPrincipal user) =>
        Known.Where(user.IsInRole).ToHashSet(StringComparer.Ordinal);

    /// <summary>Those who decide access requests (which of them decides one is the unit's rule, applied by the API).</summary>
    public static bool Decides(IReadOnlySet<string> roles) => roles.Contains(Keeper) || roles.Contains(Head);

    /// <summary>Those who read a recording's custody (a reviewer only for what a review they score sampled, which the API decides).</summary>
    public static bool ReadsCustody(IReadOnlySet<string> roles) => roles.Overlaps([Keeper, Supervisor, Head]);

    /// <summary>Those who ask for access.</summary>
    public static bool Asks(IReadOnlySet<string> roles) => roles.Overlaps([Reviewer, Officer, Keeper]);

    /// <summary>Those who keep the records: link recordings to activities, hold, classify, group activities into cases.</summary>
    public static bool Keeps(IReadOnlySet<string> roles) => roles.Contains(Keeper) || roles.Contains(Head);
}
