using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Retention;

/// <summary>What the keeper or head sends to put footage in record categories.</summary>
public sealed record CategoryChange([Required] IReadOnlyList<string>? Categories, [Required] string? Reason);

/// <summary>
/// <c>PUT /api/footage/{id}/categories</c> (Keeper, Head): the record categories of one recording, from the unit's
/// settings, with a reason. The retention date is worked out again (<see cref="RetentionDates"/>): it grows at once;
/// it shrinks only as far as a Locked policy and a keeper's extension allow. Audited with both dates.
/// </summary>
public sealed class FootageCategories(RetentionDates dates)
{
    public const int MaxCategories = 16;

    [Function("SetFootageCategories")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(CategoryChange))]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/footage/{id}/categories")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<CategoryChange>(request, 8 * 1024, cancellationToken);
        var reason = ProblemException.RequireReason(body.Reason, "Changing a recording's categories");
        // Another unit's footage is not found before its categories are judged against this unit's settings.
        var change = (await dates.ApplyAsync(caller.UnitId, id, settings => Validate(body.Categories, settings),
            change => AuditEntry.By(caller, AuditAction.FootageCategorised, $"footage/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["from"] = string.Join(", ", change.Before.Categories),
                ["to"] = string.Join(", ", change.After.Categories),
                ["retentionFrom"] = change.Before.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                ["retentionTo"] = change.After.RetentionUntil.ToString("O", CultureInfo.InvariantCulture),
                ["heldByLockedPolicy"] = change.HeldByLockedPolicy ? "true" : "false",
                ["reason"] = reason,
            }),
            cancellationToken)).OrRefuse(AuditAction.FootageCategorised, $"footage/{id}");
        return TypedResults.Ok(change.After);
    }

    /// <summary>The categories, de-duplicated, each one the unit defines ("default" always applies and need not be named).</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<string>? categories, UnitSettings settings)
    {
        if (categories is null || categories.Count > MaxCategories)
        {
            throw ProblemException.Invalid("categories", $"Give the list of categories (up to {MaxCategories}; an empty list leaves only the default period).");
        }

        var unknown = categories.Where(c => c is null || !settings.RetentionMonths.ContainsKey(c)).ToList();
        if (unknown.Count > 0)
        {
            throw ProblemException.Invalid("categories",
                $"Unknown categories: {string.Join(", ", unknown.Select(c => c ?? "null"))}. This unit's categories: {string.Join(", ", settings.RetentionMonths.Keys)}.");
        }

        return [.. categories.Where(c => c != UnitSettings.DefaultCategory).Distinct(StringComparer.Ordinal)];
    }
}
