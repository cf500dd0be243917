using System.Globalization;
using Microsoft.Azure.Cosmos;

namespace AvCloud.Functions.Http;

/// <summary>
/// What the listing endpoints share: reading filters from the query string (bad values are 400 problems naming the
/// parameter) and reading one page of a unit's documents with a continuation token.
/// </summary>
public static class Listing
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static string? Text(IQueryCollection query, string name) => query[name].ToString() is { Length: > 0 } value ? value : null;

    public static DateTimeOffset? Time(IQueryCollection query, string name) =>
        Text(query, name) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value.ToUniversalTime()
        : throw ProblemException.Invalid(name, $"{name} must be a date and time, e.g. 2026-11-27T08:00:00Z.");

    /// <summary>A filter that is one of <typeparamref name="T"/>'s values, in any case; anything else is a 400 problem listing the values.</summary>
    public static T? Enum<T>(IQueryCollection query, string name)
        where T : struct, System.Enum =>
        AvCloudJson.ParseQuery<T>(Text(query, name), name);

    /// <summary>A true/false filter; anything else is a 400 problem.</summary>
    public static bool? Flag(IQueryCollection query, string name) =>
        Text(query, name) is not { } text ? null
        : bool.TryParse(text, out var value) ? value
        : throw ProblemException.Invalid(name, $"{name} must be true or false.");

    public static int PageSize(IQueryCollection query) =>
        Text(query, "pageSize") is not { } text ? DefaultPageSize
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 1 and <= MaxPageSize ? size
        : throw ProblemException.Invalid("pageSize", $"pageSize must be a whole number from 1 to {MaxPageSize}.");

    /// <summary>A query of the conditions (joined with AND) and their parameters, in the given order.</summary>
    public static QueryDefinition Where(IEnumerable<string> conditions, IReadOnlyDictionary<string, object> parameters, string orderBy)
    {
        var sql = new QueryDefinition($"SELECT * FROM c WHERE {string.Join(" AND ", conditions)} ORDER BY {orderBy}");
        foreach (var (name, value) in parameters)
        {
            sql = sql.WithParameter(name, value);
        }

        return sql;
    }

    /// <summary>One page of <paramref name="sql"/> in the unit's partition, resuming from the request's continuationToken.</summary>
    public static async Task<FeedResponse<T>> PageAsync<T>(Container container, QueryDefinition sql, string unitId, IQueryCollection query,
        CancellationToken cancellationToken)
    {
        var continuation = Text(query, "continuationToken");
        try
        {
            using var feed = container.GetItemQueryIterator<T>(sql, continuation,
                new QueryRequestOptions { PartitionKey = new PartitionKey(unitId), MaxItemCount = PageSize(query) });
            return await feed.ReadNextAsync(cancellationToken);
        }
        catch (CosmosException exception) when (exception.StatusCode == System.Net.HttpStatusCode.BadRequest && continuation is not null)
        {
            throw ProblemException.Invalid("continuationToken", "The continuation token is not one this listing issued.");
        }
    }
}
