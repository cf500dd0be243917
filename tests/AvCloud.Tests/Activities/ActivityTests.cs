using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Activities;

/// <summary>Arts. 5, 6, 8 and 12: activities, the coverage of their span, linking, and work records approved by the head only.</summary>
public sealed class ActivityTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string[] Officers = ["officer-zhang", "officer-wang"];

    private static readonly DateTimeOffset Nine = Recent.HoursAgo(8);

    private static (DateTimeOffset, DateTimeOffset) At(int fromMinute, int toMinute) => (Nine.AddMinutes(fromMinute), Nine.AddMinutes(toMinute));

    [Fact]
    public void Coverage_counts_overlaps_once_ignores_what_lies_outside_and_names_the_gaps()
    {
        var coverage = Coverage.Of(Nine, Nine.AddMinutes(60), [At(-10, 10), At(5, 20), At(30, 40), At(35, 38), At(55, 90)]);

        Assert.Equal(3600, coverage.SpanSeconds);
        Assert.Equal((20 + 10 + 5) * 60, coverage.CoveredSeconds);
        Assert.Equal([new Gap(Nine.AddMinutes(20), Nine.AddMinutes(30)), new Gap(Nine.AddMinutes(40), Nine.AddMinutes(55))], coverage.Gaps);
        Assert.Equal(35 / 60.0, coverage.Ratio, 6);
    }

    [Fact]
    public void Without_recordings_the_whole_span_is_one_gap_and_full_cover_has_none()
    {
        Assert.Equal([new Gap(Nine, Nine.AddMinutes(30))], Coverage.Of(Nine, Nine.AddMinutes(30), []).Gaps);
        var full = Coverage.Of(Nine, Nine.AddMinutes(30), [At(0, 15), At(15, 30)]);
        Assert.Empty(full.Gaps);
        Assert.Equal(1, full.Ratio);
    }

    private sealed record Scene(Dock Dock, Activity Activity, string Officer);

    private async Task<Scene> SceneAsync(string kind = "hearing", Dictionary<string, int>? retention = null)
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        if (retention is not null)
        {
            using var put = await fixture.SendAsync(HttpMethod.Put, $"/api/units/{dock.Unit}/settings", fixture.TokenFor(dock.Unit, Roles.Head),
                JsonContent.Create(new { name = "unit", timeZone = "Asia/Shanghai", retentionMonths = retention }));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var officer = fixture.Cloud.Issuer.Mint("officer-zhang", dock.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        using var created = await fixture.SendAsync(HttpMethod.Post, "/api/activities", officer, JsonContent.Create(new
        {
            kind, officers = Officers, place = "No. 3 market", start = Nine, end = Nine.AddMinutes(60),
            caseName = "unlicensed stall", caseNumber = "WG-2026-311",
        }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Cancel));
        return new Scene(dock, (await created.Content.ReadFromJsonAsync<Activity>(AvCloudJson.Options, Cancel))!, officer);
    }

    private async Task<ActivityView> ViewAsync(Scene scene)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/activities/{scene.Activity.Id}", fixture.TokenFor(scene.Dock.Unit, Roles.Supervisor));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ActivityView>(AvCloudJson.Options, Cancel))!;
    }

    private static object Entry(string name, byte[] content, int fromMinute, int toMinute, string? activityId) => new
    {
        name, kind = "audio", size = content.Length, sha256 = Dock.Sha256(content),
        recordedStart = Nine.AddMinutes(fromMinute), recordedEnd = Nine.AddMinutes(toMinute), activityId,
    };

    [Fact]
    public async Task Recordings_linked_by_the_dock_cover_the_activity_and_the_gaps_show()
    {
        var scene = await SceneAsync();
        var first = SyntheticWav.Create(1501, 8000);
        var second = SyntheticWav.Create(1502, 8000);
        var session = await scene.Dock.OpenAsync(Dock.Manifest(Nine.AddHours(3), TimeSpan.Zero,
            Entry("a.wav", first, -5, 20, scene.Activity.Id), Entry("b.wav", second, 30, 60, scene.Activity.Id)));
        await Dock.UploadAsync(session, "a.wav", first);
        await Dock.UploadAsync(session, "b.wav", second);
        await scene.Dock.SettledAsync(session.SessionId);

        var view = await ViewAsync(scene);
        var record = await scene.Dock.FootageAsync(Dock.Sha256(first));

        Assert.True(view.RecordingRequired);
        Assert.Equal(2, view.Recordings.Count);
        Assert.Equal([new Gap(Nine.AddMinutes(20), Nine.AddMinutes(30))], view.Coverage.Gaps);
        Assert.Equal(scene.Activity.Id, record.ActivityId);
        Assert.Equal(ActivityKind.Hearing, record.ActivityKind);
        Assert.Equal(scene.Activity.End.AddHours(24), record.HandoverDeadline);
    }

    [Fact]
    public async Task A_manifest_naming_an_unknown_activity_is_refused()
    {
        var scene = await SceneAsync();
        var content = SyntheticWav.Create(1511, 8000);
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", scene.Dock.DockToken,
            JsonContent.Create(Dock.Manifest(Nine.AddHours(3), TimeSpan.Zero, Entry("a.wav", content, 0, 10, "no-such-activity"))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("files[0].activityId", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Linking_by_the_keeper_moves_the_deadline_and_a_longer_activity_period_lengthens_retention()
    {
        var scene = await SceneAsync(retention: new Dictionary<string, int> { ["default"] = 24, ["hearing"] = 120 });
        var content = SyntheticWav.Create(1521, 8000);
        var session = await scene.Dock.OpenAsync(Dock.Manifest(Nine.AddHours(3), TimeSpan.Zero, Entry("a.wav", content, 0, 50, null)));
        await Dock.UploadAsync(session, "a.wav", content);
        await scene.Dock.SettledAsync(session.SessionId);
        var id = Dock.Sha256(content);
        var catalogued = await scene.Dock.FootageAsync(id);
        Assert.Equal(Recent.KeptFromCatalogue(catalogued, 24), catalogued.RetentionUntil);

        var keeper = fixture.TokenFor(scene.Dock.Unit, Roles.Keeper);
        using var noReason = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{id}/activity", keeper, JsonContent.Create(new { activityId = scene.Activity.Id }));
        using var unknown = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{id}/activity", keeper, JsonContent.Create(new { activityId = "nope", reason = "r" }));
        using var byOfficer = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{id}/activity", scene.Officer,
            JsonContent.Create(new { activityId = scene.Activity.Id, reason = "r" }));
        using var linked = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{id}/activity", keeper,
            JsonContent.Create(new { activityId = scene.Activity.Id, reason = "dock had no activity list" }));

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        var record = await scene.Dock.FootageAsync(id);
        Assert.Equal(scene.Activity.Id, record.ActivityId);
        Assert.Equal(Nine.AddMonths(120), record.RetentionUntil);
        var blob = new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
        Assert.Equal(Nine.AddMonths(120), (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);
        using var audit = await fixture.SendAsync(HttpMethod.Get, "/api/audit?action=footage.linked", fixture.TokenFor(scene.Dock.Unit, Roles.Supervisor));
        Assert.Equal("dock had no activity list", Assert.Single((await audit.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items).Details["reason"]);
    }

    [Fact]
    public async Task Work_records_are_filed_by_the_activitys_officers_and_decided_by_the_head_only()
    {
        var scene = await SceneAsync();
        var path = $"/api/activities/{scene.Activity.Id}/work-records";
        var outsider = fixture.Cloud.Issuer.Mint("officer-li", scene.Dock.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var body = new { reason = "deviceFault", explanation = "battery died at 09:20; spare recorder was in the car" };

        using var byOutsider = await fixture.SendAsync(HttpMethod.Post, path, outsider, JsonContent.Create(body));
        using var badReason = await fixture.SendAsync(HttpMethod.Post, path, scene.Officer, JsonContent.Create(new { reason = "tired", explanation = "x" }));
        using var filed = await fixture.SendAsync(HttpMethod.Post, path, scene.Officer, JsonContent.Create(body));
        var record = (await filed.Content.ReadFromJsonAsync<WorkRecord>(AvCloudJson.Options, Cancel))!;
        using var byKeeper = await fixture.SendAsync(HttpMethod.Post, $"{path}/{record.Id}/approve", fixture.TokenFor(scene.Dock.Unit, Roles.Keeper), JsonContent.Create(new { }));
        var head = fixture.TokenFor(scene.Dock.Unit, Roles.Head);
        using var approved = await fixture.SendAsync(HttpMethod.Post, $"{path}/{record.Id}/approve", head, JsonContent.Create(new { reason = "checked the battery log" }));
        using var again = await fixture.SendAsync(HttpMethod.Post, $"{path}/{record.Id}/reject", head, JsonContent.Create(new { reason = "second thoughts" }));

        Assert.Equal(HttpStatusCode.Forbidden, byOutsider.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badReason.StatusCode);
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byKeeper.StatusCode);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // Approved, it is archived like footage: immutable, with its hash.
        var decided = (await approved.Content.ReadFromJsonAsync<WorkRecord>(AvCloudJson.Options, Cancel))!;
        var archive = new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(decided.ArchiveBlob);
        var stored = (await archive.DownloadContentAsync(Cancel)).Value;
        Assert.Equal(decided.ArchiveSha256, Dock.Sha256(stored.Content.ToArray()));
        Assert.NotNull(stored.Details.ImmutabilityPolicy.ExpiresOn);
        var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => archive.DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToPolicy", refused.ErrorCode);
        Assert.Equal(WorkRecordStatus.Approved, Assert.Single((await ViewAsync(scene)).WorkRecords).Status);

        // A second record, rejected with a reason.
        using var second = await fixture.SendAsync(HttpMethod.Post, path, scene.Officer, JsonContent.Create(new { reason = "obstruction", explanation = "recorder knocked away" }));
        var secondRecord = (await second.Content.ReadFromJsonAsync<WorkRecord>(AvCloudJson.Options, Cancel))!;
        using var noReason = await fixture.SendAsync(HttpMethod.Post, $"{path}/{secondRecord.Id}/reject", head, JsonContent.Create(new { }));
        using var rejected = await fixture.SendAsync(HttpMethod.Post, $"{path}/{secondRecord.Id}/reject", head, JsonContent.Create(new { reason = "the footage shows no obstruction" }));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
    }

    [Fact]
    public async Task Bad_activities_are_refused_with_each_field_named()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/activities", fixture.TokenFor(unit, Roles.Officer), JsonContent.Create(new
        {
            kind = "picnic", officers = Array.Empty<string>(), start = Nine, end = Nine.AddMinutes(-5),
        }));
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        foreach (var field in new[] { "kind", "officers", "place", "end" })
        {
            Assert.Contains($"\"{field}\"", text, StringComparison.Ordinal);
        }

        using var list = await fixture.SendAsync(HttpMethod.Get, "/api/activities", fixture.TokenFor(unit, Roles.Keeper));
        Assert.Empty((await list.Content.ReadFromJsonAsync<ActivityPage>(AvCloudJson.Options, Cancel))!.Items);
    }
}
