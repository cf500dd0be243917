namespace AvCloud.Tests;

/// <summary>Art. 7: pre-use checks as a checkout body carries them.</summary>
public static class Checks
{
    /// <summary>A check every unit's default figures pass.</summary>
    public static object Passing { get; } = new { batteryPercent = 100, storageFreeMb = 64_000, clockSet = true };
}
