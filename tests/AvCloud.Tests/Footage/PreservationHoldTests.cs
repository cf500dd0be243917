using System.Net;
using System.Net.Http.Json;
using Azure;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Footage;

/// <summary>Art. 16 holds on catalogued footage: legal holds on both copies, a verified and labelled second copy.</summary>
public sealed class PreservationHoldTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Recorded = Recent.HoursAgo(5);

    private async Task<(Dock Dock, FootageRecord Record)> CataloguedAsync(int seed)
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var content = CatalogueTests.WavOf(seed);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("held.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "held.wav", content);
        await dock.SettledAsync(session.SessionId);
        return (dock, await dock.FootageAsync(Dock.Sha256(content)));
    }

    private async Task<HttpResponseMessage> PlaceAsync(string unit, string id, object body, string role = Roles.Keeper) =>
        await fixture.SendAsync(HttpMethod.Post, $"/api/footage/{id}/holds", Token(unit, role), JsonContent.Create(body));

    // A known user per role, so the labels can name who made the copy.
    private string Token(string unit, string role) =>
        fixture.Cloud.Issuer.Mint($"{role.ToLowerInvariant()}-1", unit, [role], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    private async Task<HttpResponseMessage> ReleaseAsync(string unit, string id, string holdId, string? reason, string role = Roles.Head) =>
        await fixture.SendAsync(HttpMethod.Delete, $"/api/footage/{id}/holds/{holdId}", fixture.TokenFor(unit, role), JsonContent.Create(new { reason }));

    private static object Hold(string caseNumber) => new
    {
        reason = "dispute", caseName = "市场监管 现场检查", caseNumber, requestedBy = "complaints office",
    };

    private BlobClient FootageBlob(FootageRecord record) =>
        new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);

    private BlobClient SecondCopy(FootageRecord record) =>
        new BlobServiceClient(fixture.Cloud.PreservationConnectionString).GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(record.BlobName);

    [Fact]
    public async Task Holds_protect_both_copies_until_the_last_one_is_released()
    {
        var (dock, record) = await CataloguedAsync(301);

        using var first = await PlaceAsync(dock.Unit, record.Id, Hold("2026-0017"));
        using var second = await PlaceAsync(dock.Unit, record.Id, new { reason = "other", reasonText = "press inquiry", caseName = "inquiry", caseNumber = "Q-9", requestedBy = "head office" }, Roles.Head);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var held = (await second.Content.ReadFromJsonAsync<FootageRecord>(AvCloudJson.Options, Cancel))!;
        Assert.Equal(2, held.Holds.Count);
        Assert.Equal(record.Sha256, held.SecondCopy!.Sha256);
        Assert.True((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        var copy = (await SecondCopy(record).GetPropertiesAsync(cancellationToken: Cancel)).Value;
        Assert.True(copy.HasLegalHold);
        Assert.Equal("市场监管 现场检查", Uri.UnescapeDataString(copy.Metadata["casename"]));
        // Art. 16's labels: the unit, who made the copy (who placed the hold, not who recorded), when, and the case.
        Assert.Equal("keeper-1", copy.Metadata["maker"]);
        Assert.Equal(dock.Unit, copy.Metadata["unit"]);
        Assert.InRange(DateTimeOffset.Parse(Uri.UnescapeDataString(copy.Metadata["copiedat"]), System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
        Assert.Equal("2026-0017", Uri.UnescapeDataString(copy.Metadata["casenumber"]));
        Assert.All(copy.Metadata.Values, v => Assert.True(v.All(char.IsAscii)));
        Assert.Equal(ToSecond(record.RetentionUntil), copy.ImmutabilityPolicy.ExpiresOn);
        Assert.Equal(dock.Unit, (await SecondCopy(record).GetTagsAsync(cancellationToken: Cancel)).Value.Tags["unit"]);
        Assert.Equal(CatalogueTests.WavOf(301), (await SecondCopy(record).DownloadContentAsync(Cancel)).Value.Content.ToArray());
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => FootageBlob(record).DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToLegalHold", refused.ErrorCode);

        using (var partial = await ReleaseAsync(dock.Unit, record.Id, held.Holds[0].Id, "dispute settled"))
        {
            Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        }

        Assert.True((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        using (var last = await ReleaseAsync(dock.Unit, record.Id, held.Holds[1].Id, "inquiry closed"))
        {
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        }

        Assert.False((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.False((await SecondCopy(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.Empty((await dock.FootageAsync(record.Id)).Holds);
        // Released, the second copy is not left unprotected: it keeps the footage's own retention date.
        var unheld = await Assert.ThrowsAsync<RequestFailedException>(() => SecondCopy(record).DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToPolicy", unheld.ErrorCode);
    }

    private static DateTimeOffset ToSecond(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    [Theory]
    [InlineData("{\"reason\":\"whim\",\"caseName\":\"c\",\"caseNumber\":\"1\",\"requestedBy\":\"x\"}", "reason")]
    [InlineData("{\"reason\":\"other\",\"caseName\":\"c\",\"caseNumber\":\"1\",\"requestedBy\":\"x\"}", "reasonText")]
    [InlineData("{\"reason\":\"dispute\",\"caseNumber\":\"1\",\"requestedBy\":\"x\"}", "caseName")]
    public async Task A_bad_hold_request_is_a_400_and_holds_nothing(string body, string field)
    {
        var (dock, record) = await CataloguedAsync(302);

        using var response = await fixture.SendAsync(HttpMethod.Post, $"/api/footage/{record.Id}/holds", fixture.TokenFor(dock.Unit, Roles.Keeper),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.False((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
    }

    [Fact]
    public async Task Only_the_head_releases_with_a_reason_and_other_units_see_nothing()
    {
        var (dock, record) = await CataloguedAsync(303);
        using var placed = await PlaceAsync(dock.Unit, record.Id, Hold("2026-0018"));
        var holdId = (await placed.Content.ReadFromJsonAsync<FootageRecord>(AvCloudJson.Options, Cancel))!.Holds[0].Id;

        using var byKeeper = await ReleaseAsync(dock.Unit, record.Id, holdId, "done", Roles.Keeper);
        using var noReason = await ReleaseAsync(dock.Unit, record.Id, holdId, null);
        using var otherUnit = await PlaceAsync($"unit-{Guid.NewGuid():N}"[..13], record.Id, Hold("2026-0019"));
        using var byReviewer = await PlaceAsync(dock.Unit, record.Id, Hold("2026-0020"), Roles.Reviewer);

        Assert.Equal(HttpStatusCode.Forbidden, byKeeper.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byReviewer.StatusCode);
        Assert.Single((await dock.FootageAsync(record.Id)).Holds);
    }

    [Fact]
    public async Task Reconciliation_restores_holds_removed_behind_the_apps_back()
    {
        var (dock, record) = await CataloguedAsync(304);
        using (var placed = await PlaceAsync(dock.Unit, record.Id, Hold("2026-0021")))
        {
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        }

        // Behind the app's back: the footage's hold lifted, the second copy's hold lifted (its policy keeps it from deletion).
        await FootageBlob(record).SetLegalHoldAsync(false, Cancel);
        await SecondCopy(record).SetLegalHoldAsync(false, Cancel);

        using var run = await fixture.Admin.PostAsync("/admin/functions/ReconcilePreservation", content: null, Cancel);

        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.True((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.True((await SecondCopy(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.Equal(CatalogueTests.WavOf(304), (await SecondCopy(record).DownloadContentAsync(Cancel)).Value.Content.ToArray());
        using var audit = await fixture.SendAsync(HttpMethod.Get, "/api/audit?action=preservation.corrected", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        Assert.Equal(2, (await audit.Content.ReadFromJsonAsync<Functions.Audit.AuditPage>(AvCloudJson.Options, Cancel))!.Items.Count);

        // The supervisors' report names both corrections: someone tampered with held footage.
        var today = DateTimeOffset.UtcNow;
        var period = $"from={Uri.EscapeDataString(today.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(today.AddDays(1).ToString("O"))}";
        using var report = await fixture.SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        var corrections = (await report.Content.ReadFromJsonAsync<Functions.Reports.Compliance>(AvCloudJson.Options, Cancel))!.PreservationCorrections;
        Assert.Equal(2, corrections.Count);
        Assert.All(corrections, c => Assert.Equal(record.Id, c.FootageId));
        Assert.Contains(corrections, c => c.Correction.Contains("second copy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Reconciliation_never_releases_a_hold_storage_keeps_without_a_record_hold_it_reports_it_and_the_head_releases_it()
    {
        var (dock, record) = await CataloguedAsync(306);
        using (var placed = await PlaceAsync(dock.Unit, record.Id, Hold("2026-0023")))
        {
            var holdId = (await placed.Content.ReadFromJsonAsync<FootageRecord>(AvCloudJson.Options, Cancel))!.Holds[0].Id;
            using var released = await ReleaseAsync(dock.Unit, record.Id, holdId, "dispute settled");
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        }

        // The record lost its hold (or never had it) while storage keeps one on both copies: storage wins until the head decides.
        await FootageBlob(record).SetLegalHoldAsync(true, Cancel);
        await SecondCopy(record).SetLegalHoldAsync(true, Cancel);
        foreach (var _ in new[] { 1, 2 })
        {
            using var run = await fixture.Admin.PostAsync("/admin/functions/ReconcilePreservation", content: null, Cancel);
            Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        }

        Assert.True((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.True((await SecondCopy(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        using (var audit = await fixture.SendAsync(HttpMethod.Get, "/api/audit?action=preservation.discrepancy", fixture.TokenFor(dock.Unit, Roles.Supervisor)))
        {
            // Reported once per copy, not every hour.
            var events = (await audit.Content.ReadFromJsonAsync<Functions.Audit.AuditPage>(AvCloudJson.Options, Cancel))!.Items;
            Assert.Equal(["footage", "secondCopy"], events.Select(e => e.Details["copy"]).Order(StringComparer.Ordinal));
        }

        var today = DateTimeOffset.UtcNow;
        var period = $"from={Uri.EscapeDataString(today.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(today.AddDays(1).ToString("O"))}";
        using (var report = await fixture.SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", fixture.TokenFor(dock.Unit, Roles.Head)))
        {
            var found = (await report.Content.ReadFromJsonAsync<Functions.Reports.Compliance>(AvCloudJson.Options, Cancel))!.StorageOnlyHolds;
            Assert.Equal(2, found.Count);
            Assert.All(found, d => Assert.Equal(record.Id, d.FootageId));
        }

        using (var csv = await fixture.SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}&format=csv", fixture.TokenFor(dock.Unit, Roles.Head)))
        {
            Assert.Contains($"storage-only hold,{record.Id},", await csv.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }

        // Only the head releases it, with a reason; and DELETE .../holds/{holdId} releases only what the record has.
        using var byKeeper = await fixture.SendAsync(HttpMethod.Delete, $"/api/footage/{record.Id}/holds/storage", Token(dock.Unit, Roles.Keeper), JsonContent.Create(new { reason = "x" }));
        using var noReason = await fixture.SendAsync(HttpMethod.Delete, $"/api/footage/{record.Id}/holds/storage", Token(dock.Unit, Roles.Head), JsonContent.Create(new { reason = (string?)null }));
        Assert.Equal(HttpStatusCode.Forbidden, byKeeper.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);

        using var byHead = await fixture.SendAsync(HttpMethod.Delete, $"/api/footage/{record.Id}/holds/storage", Token(dock.Unit, Roles.Head),
            JsonContent.Create(new { reason = "checked: no case asks for it" }));
        Assert.Equal(HttpStatusCode.OK, byHead.StatusCode);
        Assert.False((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.False((await SecondCopy(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        using var again = await fixture.SendAsync(HttpMethod.Delete, $"/api/footage/{record.Id}/holds/storage", Token(dock.Unit, Roles.Head),
            JsonContent.Create(new { reason = "again" }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using var trail = await fixture.SendAsync(HttpMethod.Get, "/api/audit?action=hold.storage-released", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        var outcomes = (await trail.Content.ReadFromJsonAsync<Functions.Audit.AuditPage>(AvCloudJson.Options, Cancel))!.Items.Select(e => e.Outcome).ToList();
        Assert.Equal(1, outcomes.Count(o => o == AuditOutcomes.Success));
        Assert.Equal(1, outcomes.Count(o => o == AuditOutcomes.Denied));
    }

    [Fact]
    public async Task Custody_shows_the_upload_both_copies_the_hold_and_every_access()
    {
        var (dock, record) = await CataloguedAsync(305);
        using (var placed = await PlaceAsync(dock.Unit, record.Id, Hold("2026-0022")))
        {
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        }

        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{record.Id}/custody", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        using var otherUnit = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{record.Id}/custody", fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], Roles.Supervisor));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        var custody = (await response.Content.ReadFromJsonAsync<Custody>(AvCloudJson.Options, Cancel))!;
        Assert.True(custody.Primary.Exists);
        Assert.True(custody.Primary.LegalHold);
        Assert.Equal("locked", custody.Primary.PolicyMode);
        Assert.Equal(record.RetentionUntil, custody.Primary.PolicyUntil);
        Assert.True(custody.SecondCopy!.LegalHold);
        Assert.Equal("avcloudpreservation", custody.SecondCopy.Account);
        var actions = custody.Events.Select(e => e.Action).ToList();
        Assert.Equal(AuditAction.FootageCatalogued.Name, actions[0]);
        Assert.Contains(AuditAction.FootageRead.Name, actions);
        Assert.Contains(AuditAction.HoldPlaced.Name, actions);
    }
}
