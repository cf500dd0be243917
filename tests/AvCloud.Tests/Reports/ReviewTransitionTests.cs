using AvCloud.Functions.Reports;

namespace AvCloud.Tests.Reports;

/// <summary>Art. 17: scoring an annual review's sample, on the review alone.</summary>
public sealed class ReviewTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static readonly Review Drawn = new()
    {
        Id = "rv-1", UnitId = "unit-a", From = Now.AddYears(-1), To = Now, Seed = 7, Population = 10, FootageIds = ["a", "b"],
        CreatedBy = "supervisor-1", CreatedAt = Now,
    };

    private static ReviewScore Score(string footage, string reviewer, int completeness) =>
        new(footage, reviewer, completeness, 4, true, false, null, Now);

    [Fact]
    public void Each_reviewer_has_one_score_per_recording_and_scoring_again_replaces_it()
    {
        var scored = Drawn.Score(Score("a", "supervisor-1", 2)).Value!
            .Score(Score("a", "head-1", 5)).Value!
            .Score(Score("a", "supervisor-1", 4)).Value!;

        Assert.Equal([("head-1", 5), ("supervisor-1", 4)], scored.Scores.Select(s => (s.ReviewerId, s.Completeness)).Order());
        Assert.Equal(4.5, AnnualReviews.Summarise(scored).AverageCompleteness);
    }

    [Fact]
    public void Only_a_recording_of_the_sample_is_scored()
    {
        var refusal = Drawn.Score(Score("z", "supervisor-1", 3)).Refusal!;

        Assert.Equal(400, refusal.Status);
        Assert.Equal("footageId", Assert.Single(refusal.Errors!).Key);
    }
}
