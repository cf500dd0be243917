using System.ComponentModel.DataAnnotations;

namespace AvCloud.Functions.Retention;

public enum PolicyMode
{
    /// <summary>Trials: the policy can still be shortened or removed.</summary>
    Unlocked,

    /// <summary>Production: the policy can only be extended; nobody can delete the footage before its date.</summary>
    Locked,
}

/// <summary>How long footage is kept (Art. 15) and how storage enforces it.</summary>
public sealed class RetentionOptions
{
    public const string Section = "AvCloud:Retention";

    /// <summary>Art. 15: footage is kept 24 months unless a longer period applies.</summary>
    [Range(1, 1200)]
    public int DefaultMonths { get; init; } = 24;

    public PolicyMode PolicyMode { get; init; } = PolicyMode.Locked;
}
