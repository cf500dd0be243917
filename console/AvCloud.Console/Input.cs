namespace AvCloud.Console;

/// <summary>What the person typed, as the API is sent it.</summary>
public static class Input
{
    /// <summary>Trimmed; nothing at all when only blanks were typed, so the API's own "required" answer is what the person sees.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
