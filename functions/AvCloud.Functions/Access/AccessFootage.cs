using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;

namespace AvCloud.Functions.Access;

/// <summary>The footage an access request names, as access sees it.</summary>
public static class AccessFootage
{
    /// <summary>The recordings <paramref name="ids"/> of the unit, every one still stored; a 400 problem naming any that are not.</summary>
    public static async Task<IReadOnlyList<FootageRecord>> StoredForAccessAsync(this FootageStore footage, string unitId, IReadOnlyList<string> ids,
        CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var found = await footage.ByIdsAsync(unitId, distinct, cancellationToken);
        var missing = distinct.Where(i => !found.TryGetValue(i, out var record) || !record.IsStored).ToList();
        return missing.Count > 0
            ? throw ProblemException.Invalid("footageIds", $"No stored footage in your unit with these ids: {string.Join(", ", missing)}.")
            : [.. distinct.Select(i => found[i])];
    }
}
