using System.Text.RegularExpressions;

namespace AvCloud.Functions.Identity;

/// <summary>
/// What a unit id may be. The unit is the tenant: the Cosmos partition key of everything it owns, a segment of its
/// footage's blob names and the name of its audit chain, so the id a token names has to be one plain name.
/// </summary>
public static partial class UnitIds
{
    /// <summary>
    /// Names starting with this are AvCloud's own partitions (the chain of failed sign-ins, footage of no known unit);
    /// the format below can never match one, so no token can name it and read or write there.
    /// </summary>
    public const char ReservedPrefix = '_';

    public static bool IsValid(string? unitId) => unitId is not null && Format().IsMatch(unitId);

    // \z, not $: "$" also matches before a final newline, and "unit-7\n" is not unit-7.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Format();
}
