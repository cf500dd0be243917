using System.Net;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Identity;

namespace AvCloud.Tests.Activities;

/// <summary>
/// Art. 12: the head finds the work records waiting for a decision in <c>GET /api/work-records</c>: only their own
/// unit's, by status, oldest filed first, page by page; roles that neither decide nor oversee them are refused.
/// </summary>
public sealed class WorkRecordListingTests(LocalCloudFixture fixture)
{
    private static readonly string[] Officers = ["officer-zhang"];

    private static string Unit() => $"wrl-{Guid.NewGuid():N}"[..12];

    /// <summary>An activity of officer-zhang in <paramref name="unit"/> with <paramref name="count"/> work records filed by him, oldest first.</summary>
    private async Task<(Activity Activity, List<WorkRecord> Records, string Officer)> FiledAsync(string unit, int count)
    {
        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var activity = await fixture.OkAsync<Activity>(HttpMethod.Post, "/api/activities", officer, new
        {
            kind = "hearing", officers = Officers, place = "No. 3 market", start = Recent.HoursAgo(6), end = Recent.HoursAgo(5),
        });
        var records = new List<WorkRecord>();
        for (var i = 0; i < count; i++)
        {
            records.Add(await fixture.OkAsync<WorkRecord>(HttpMethod.Post, $"/api/activities/{activity.Id}/work-records", officer,
                new { reason = "deviceFault", explanation = $"battery died ({i})" }));
        }

        return (activity, records, officer);
    }

    [Fact]
    public async Task The_head_lists_the_units_pending_work_records_oldest_first_and_decided_ones_by_status()
    {
        var unit = Unit();
        var (activity, records, _) = await FiledAsync(unit, 3);
        var head = fixture.TokenFor(unit, Roles.Head);
        await fixture.OkAsync<WorkRecord>(HttpMethod.Post, $"/api/activities/{activity.Id}/work-records/{records[1].Id}/approve", head, new { reason = "battery log checked" });

        var pending = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, "/api/work-records", head);
        var approved = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, "/api/work-records?status=approved", head);
        var rejected = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, "/api/work-records?status=rejected", fixture.TokenFor(unit, Roles.Supervisor));

        Assert.Equal([records[0].Id, records[2].Id], pending.Items.Select(r => r.Id));
        Assert.All(pending.Items, r => Assert.Equal(WorkRecordStatus.Pending, r.Status));
        Assert.Equal(records[1].Id, Assert.Single(approved.Items).Id);
        Assert.Empty(rejected.Items);
    }

    [Fact]
    public async Task Pending_work_records_come_page_by_page_and_a_forged_continuation_token_is_refused()
    {
        var unit = Unit();
        var (_, records, _) = await FiledAsync(unit, 3);
        var keeper = fixture.TokenFor(unit, Roles.Keeper);

        var first = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, "/api/work-records?pageSize=2", keeper);
        var second = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, $"/api/work-records?pageSize=2&continuationToken={Uri.EscapeDataString(first.ContinuationToken!)}", keeper);

        Assert.Equal(records.Select(r => r.Id), first.Items.Concat(second.Items).Select(r => r.Id));
        Assert.Null(second.ContinuationToken);
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Get, "/api/work-records?continuationToken=forged", keeper));
    }

    [Fact]
    public async Task Another_units_head_sees_none_of_them_and_officers_reviewers_and_docks_are_refused()
    {
        var unit = Unit();
        await FiledAsync(unit, 1);
        var (_, _, officer) = await FiledAsync(unit, 1);

        var otherHead = await fixture.OkAsync<WorkRecordPage>(HttpMethod.Get, "/api/work-records", fixture.TokenFor(Unit(), Roles.Head));

        Assert.Empty(otherHead.Items);
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Get, "/api/work-records", officer));
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Get, "/api/work-records", fixture.TokenFor(unit, Roles.Reviewer)));
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Get, "/api/work-records", fixture.DockTokenFor(unit)));
        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(HttpMethod.Get, "/api/work-records", "forged.token.value"));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Get, "/api/work-records?status=maybe", fixture.TokenFor(unit, Roles.Head)));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Get, "/api/work-records?pageSize=0", fixture.TokenFor(unit, Roles.Head)));
    }
}
