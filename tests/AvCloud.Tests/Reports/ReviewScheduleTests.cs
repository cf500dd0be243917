using System.Net;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Reports;

/// <summary>Art. 17: the unit's review schedule; a year with no completed review is flagged until one is completed, scored by the articles it checks.</summary>
public sealed class ReviewScheduleTests(LocalCloudFixture fixture)
{
    private static readonly DateTimeOffset Day = Recent.HoursAgo(10);

    private async Task<ReviewYear> ThisYearAsync(string token)
    {
        var report = await fixture.ComplianceAsync(token, Day.AddHours(-1), DateTimeOffset.UtcNow);
        return Assert.Single(report.Articles!.ReviewSchedule, y => y.Year == DateTimeOffset.UtcNow.Year);
    }

    [Fact]
    public async Task A_year_past_its_review_month_is_flagged_until_a_fully_scored_review_is_completed()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var head = fixture.TokenFor(dock.Unit, Roles.Head);
        var supervisor = fixture.TokenFor(dock.Unit, Roles.Supervisor);
        var reviewer = fixture.TokenFor(dock.Unit, Roles.Reviewer);
        using (var settings = await fixture.CallAsync(HttpMethod.Put, $"/api/units/{dock.Unit}/settings", head, new
        {
            name = dock.Unit, timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, obligations = new { reviewDueMonth = 1 },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var overdue = await ThisYearAsync(supervisor);
        Assert.True(overdue.Overdue || DateTimeOffset.UtcNow < overdue.DueBy);
        Assert.Empty(overdue.Completed);

        var contents = new[] { SyntheticWav.Create(2201, 8000), SyntheticWav.Create(2202, 8000) };
        var session = await dock.OpenAsync(Dock.Manifest(Day.AddHours(2), TimeSpan.Zero,
            Dock.FileEntry("a.wav", "audio", contents[0], Day, TimeSpan.FromSeconds(1)), Dock.FileEntry("b.wav", "audio", contents[1], Day.AddMinutes(5), TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "a.wav", contents[0]);
        await Dock.UploadAsync(session, "b.wav", contents[1]);
        await dock.SettledAsync(session.SessionId);
        var review = (await fixture.OkAsync<ReviewView>(HttpMethod.Post, "/api/reviews", supervisor, new { from = Day.AddHours(-1), to = Day.AddHours(1), size = 2 })).Review;
        Assert.Equal(2, review.FootageIds.Count);

        Assert.Equal(HttpStatusCode.Conflict, await fixture.StatusAsync(HttpMethod.Post, $"/api/reviews/{review.Id}/complete", head));
        await fixture.OkAsync<ReviewView>(HttpMethod.Post, $"/api/reviews/{review.Id}/scores", reviewer, new
        {
            footageId = review.FootageIds[0], completeness = 5, clarity = 4, openingStatement = true, keyMomentsPhotographed = false, partyInformed = true, partiesAndEvidence = true,
        });
        var scored = await fixture.OkAsync<ReviewView>(HttpMethod.Post, $"/api/reviews/{review.Id}/scores", reviewer, new
        {
            footageId = review.FootageIds[1], completeness = 3, clarity = 3, openingStatement = false, keyMomentsPhotographed = false, partyInformed = false,
        });
        Assert.Equal(new ArticleShares(0.5, 0.5, 1.0, 0.0), scored.Summary.ByArticle);

        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Post, $"/api/reviews/{review.Id}/complete", reviewer));
        Assert.Equal(HttpStatusCode.NotFound, await fixture.StatusAsync(HttpMethod.Post, $"/api/reviews/{review.Id}/complete", fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], Roles.Head)));
        var completed = await fixture.OkAsync<ReviewListing>(HttpMethod.Post, $"/api/reviews/{review.Id}/complete", head);
        Assert.NotNull(completed.CompletedAt);
        Assert.Equal(HttpStatusCode.Conflict, await fixture.StatusAsync(HttpMethod.Post, $"/api/reviews/{review.Id}/complete", supervisor));

        var year = await ThisYearAsync(supervisor);
        Assert.Equal([review.Id], year.Completed);
        Assert.False(year.Overdue);
        var report = await fixture.ComplianceAsync(head, Day.AddHours(-1), DateTimeOffset.UtcNow);
        Assert.Equal(review.Id, Assert.Single(report.Articles!.Reviews).Id);
        Assert.Equal(review.Id, Assert.Single((await fixture.OkAsync<ReviewList>(HttpMethod.Get, "/api/reviews", reviewer)).Items).Id);

        var events = await fixture.AuditAsync(head, AuditAction.ReviewCompleted);
        Assert.Single(events, e => e.Outcome == AuditOutcomes.Success);
        Assert.Contains(events, e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "not every recording scored");
    }

    [Fact]
    public void A_year_is_overdue_only_after_its_review_month_with_no_review_completed_in_it()
    {
        var june = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero);
        var review = new Review
        {
            Id = "r1", UnitId = "u", From = june, To = june, Seed = 1, Population = 0, FootageIds = [], CreatedBy = "s", CreatedAt = june, CompletedAt = june, CompletedBy = "h",
        };
        var years = ManageReviewSchedule.Schedule([review], june.AddYears(-1), june.AddYears(1), 3, new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal([(2024, true), (2025, false), (2026, true)], years.Select(y => (y.Year, y.Overdue)));
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), years[2].DueBy);
        Assert.False(ManageReviewSchedule.Schedule([], june, june, 12, june)[0].Overdue);
    }
}
