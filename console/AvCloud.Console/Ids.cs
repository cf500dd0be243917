namespace AvCloud.Console;

/// <summary>Ids as the pages show them where space is short: a recording's SHA-256 or a request's id cut to twelve characters.</summary>
public static class Ids
{
    public static string Brief(string? id) => id is null ? "" : id[..Math.Min(12, id.Length)];
}
