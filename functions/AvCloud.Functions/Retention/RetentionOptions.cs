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

    /// <summary>After approval, how long the head can still cancel a disposal before the footage is purged.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan RecoveryWindow { get; init; } = TimeSpan.FromDays(7);
}
