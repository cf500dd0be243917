using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Access;

/// <summary>
/// Art. 14, where supervisors inspect: the audit trail and the unit's access requests tell someone not cleared for a
/// level nothing about recordings at that level, while the head still reads them whole.
/// </summary>
public sealed class ClassifiedTrailTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<(Dock Dock, string Secret, string Open)> UnitAsync()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var recorded = Recent.HoursAgo(2);
        var secret = CatalogueTests.WavOf(1701);
        var open = CatalogueTests.WavOf(1702);
        var session = await dock.OpenAsync(Dock.Manifest(recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("s.wav", "audio", secret, recorded, TimeSpan.FromSeconds(1)), Dock.FileEntry("o.wav", "audio", open, recorded, TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "s.wav", secret);
        await Dock.UploadAsync(session, "o.wav", open);
        await dock.SettledAsync(session.SessionId);
        using var classified = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{Dock.Sha256(secret)}/classification", fixture.TokenFor(dock.Unit, Roles.Keeper),
            JsonContent.Create(new { level = "privacy", reason = "a minor is identifiable" }));
        Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
        return (dock, Dock.Sha256(secret), Dock.Sha256(open));
    }

    private async Task<IReadOnlyList<AuditEvent>> TrailAsync(string unit, string role, string target)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/audit?target={Uri.EscapeDataString(target)}", fixture.TokenFor(unit, role));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items;
    }

    [Fact]
    public async Task A_supervisor_reads_nothing_in_the_audit_trail_about_a_recording_they_may_not_see()
    {
        var (dock, secret, open) = await UnitAsync();

        Assert.Empty(await TrailAsync(dock.Unit, Roles.Supervisor, $"footage/{secret}"));
        Assert.NotEmpty(await TrailAsync(dock.Unit, Roles.Supervisor, $"footage/{open}"));
        var whole = await TrailAsync(dock.Unit, Roles.Head, $"footage/{secret}");
        Assert.Contains(whole, e => e.Action == AuditAction.FootageClassified.Name);

        using var all = await fixture.SendAsync(HttpMethod.Get, "/api/audit?pageSize=200", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        var page = (await all.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!;
        Assert.DoesNotContain(page.Items, e => e.Target == $"footage/{secret}");
        Assert.Contains(page.Items, e => e.Target == $"footage/{open}");
    }

    [Fact]
    public async Task A_supervisor_reads_no_event_that_names_a_recording_they_may_not_see_in_its_details()
    {
        var (dock, secret, open) = await UnitAsync();
        // The head opens a misconduct case naming both recordings: its event's target is the case, its details name them.
        using var opened = await fixture.SendAsync(HttpMethod.Post, "/api/misconduct-cases", fixture.TokenFor(dock.Unit, Roles.Head),
            JsonContent.Create(new { personId = "officer-7", item = "tampering", description = "edited footage alleged", footageIds = new[] { secret } }));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        using var other = await fixture.SendAsync(HttpMethod.Post, "/api/misconduct-cases", fixture.TokenFor(dock.Unit, Roles.Head),
            JsonContent.Create(new { personId = "officer-8", item = "tampering", description = "edited footage alleged", footageIds = new[] { open } }));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);

        async Task<string> PageAsync(string role)
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/audit?action={AuditAction.MisconductCaseOpened.Name}&pageSize=200", fixture.TokenFor(dock.Unit, role));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync(Cancel);
        }

        var bySupervisor = await PageAsync(Roles.Supervisor);
        Assert.DoesNotContain(secret, bySupervisor, StringComparison.Ordinal);
        Assert.Contains(open, bySupervisor, StringComparison.Ordinal);
        Assert.Contains(secret, await PageAsync(Roles.Head), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_supervisor_sees_who_asked_for_what_and_why_but_not_which_recordings()
    {
        var (dock, secret, open) = await UnitAsync();
        var reviewer = fixture.TokenFor(dock.Unit, Roles.Reviewer);
        using var asked = await fixture.SendAsync(HttpMethod.Post, "/api/access-requests", reviewer, JsonContent.Create(new
        {
            footageIds = new[] { secret, open }, purpose = "complaint", caseName = "market", caseNumber = "2026-9", mode = "view", duration = "PT8H",
        }));
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var id = (await asked.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!.Id;

        using var bySupervisor = await fixture.SendAsync(HttpMethod.Get, $"/api/access-requests/{id}", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        using var listed = await fixture.SendAsync(HttpMethod.Get, "/api/access-requests", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        using var byHead = await fixture.SendAsync(HttpMethod.Get, $"/api/access-requests/{id}", fixture.TokenFor(dock.Unit, Roles.Head));

        var seen = (await bySupervisor.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!;
        Assert.Equal(("complaint", "2026-9"), (seen.Purpose, seen.CaseNumber));
        Assert.Empty(seen.FootageIds);
        Assert.DoesNotContain(secret, await listed.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal([secret, open], (await byHead.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!.FootageIds);
    }

    [Fact]
    public async Task A_review_the_head_drew_shows_a_supervisor_neither_the_classified_recordings_it_sampled_nor_their_count()
    {
        var (dock, secret, open) = await UnitAsync();
        var period = new { from = Recent.HoursAgo(4), to = Recent.HoursAgo(-1), size = 10 };
        using var drawn = await fixture.SendAsync(HttpMethod.Post, "/api/reviews", fixture.TokenFor(dock.Unit, Roles.Head), JsonContent.Create(period));
        Assert.Equal(HttpStatusCode.Created, drawn.StatusCode);
        var id = (await drawn.Content.ReadFromJsonAsync<Functions.Reports.ReviewView>(AvCloudJson.Options, Cancel))!.Review.Id;

        using var bySupervisor = await fixture.SendAsync(HttpMethod.Get, $"/api/reviews/{id}", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        using var byHead = await fixture.SendAsync(HttpMethod.Get, $"/api/reviews/{id}", fixture.TokenFor(dock.Unit, Roles.Head));
        var seen = (await bySupervisor.Content.ReadFromJsonAsync<Functions.Reports.ReviewView>(AvCloudJson.Options, Cancel))!;
        var whole = (await byHead.Content.ReadFromJsonAsync<Functions.Reports.ReviewView>(AvCloudJson.Options, Cancel))!;

        Assert.Equal([open], seen.Review.FootageIds);
        Assert.Equal((1, 1), (seen.Review.Population, seen.Summary.Items));
        Assert.Equal(2, whole.Review.Population);
        Assert.Equal(new[] { open, secret }.Order(StringComparer.Ordinal), whole.Review.FootageIds.Order(StringComparer.Ordinal));
    }
}
