using System.Globalization;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Reports;

/// <summary>Art. 17: a review as the list shows it: its period, who drew it and when, and whether it was completed.</summary>
public sealed record ReviewListing(string Id, DateTimeOffset From, DateTimeOffset To, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? CompletedBy)
{
    public static ReviewListing Of(Review review) => new(review.Id, review.From, review.To, review.CreatedBy, review.CreatedAt, review.CompletedAt, review.CompletedBy);
}

public sealed record ReviewList(IReadOnlyList<ReviewListing> Items);

/// <summary>Art. 17: one year of the unit's review schedule: due by the end of the unit's review month, and the reviews completed in the year.</summary>
public sealed record ReviewYear(int Year, DateTimeOffset DueBy, IReadOnlyList<string> Completed, bool Overdue);

/// <summary>
/// Art. 17: "每年应当至少组织一次音像记录资料评查". <c>POST /api/reviews/{id}/complete</c> (Supervisor, Head) completes a
/// review once every sampled recording is scored; <c>GET /api/reviews</c> lists the unit's reviews (without their
/// samples, which <c>GET /api/reviews/{id}</c> shows as the reader may see them). The compliance report flags each year
/// whose due date (the unit's <c>reviewDueMonth</c>) passed with no review completed in it.
/// </summary>
public sealed class ManageReviewSchedule(ActivityStore reviews, TimeProvider time)
{
    [Function("CompleteReview")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ReviewListing))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/reviews/{id}/complete")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var completed = (await reviews.ChangeReviewAsync(caller.UnitId, id, r => r.Complete(caller.UserId, now),
            (_, after) => AuditEntry.By(caller, AuditAction.ReviewCompleted, $"reviews/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["scores"] = after.Scores.Count.ToString(CultureInfo.InvariantCulture),
                ["year"] = now.Year.ToString(CultureInfo.InvariantCulture),
            }),
            cancellationToken)).OrRefuse(AuditAction.ReviewCompleted, $"reviews/{id}");
        return TypedResults.Ok(ReviewListing.Of(completed));
    }

    [Function("ListReviews")]
    [RequiresRole(Roles.Reviewer, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ReviewList))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/reviews")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(new ReviewList([.. (await reviews.ReviewsAsync(request.Caller().UnitId, cancellationToken)).Select(ReviewListing.Of)]));

    /// <summary>
    /// Art. 17: each calendar year (UTC) the period touches, due by the end of month <paramref name="dueMonth"/>;
    /// overdue when that has passed at <paramref name="now"/> and no review was completed in the year.
    /// </summary>
    public static IReadOnlyList<ReviewYear> Schedule(IEnumerable<Review> all, DateTimeOffset from, DateTimeOffset to, int dueMonth, DateTimeOffset now)
    {
        var completed = all.Where(r => r.CompletedAt is not null).ToList();
        return [.. Enumerable.Range(from.UtcDateTime.Year, to.UtcDateTime.Year - from.UtcDateTime.Year + 1).Select(year =>
        {
            var due = new DateTimeOffset(year, dueMonth, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            var done = completed.Where(r => r.CompletedAt!.Value.UtcDateTime.Year == year).Select(r => r.Id).ToList();
            return new ReviewYear(year, due, done, done.Count == 0 && now >= due);
        })];
    }
}
