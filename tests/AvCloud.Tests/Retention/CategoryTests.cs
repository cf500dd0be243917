using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Retention;

/// <summary>
/// Art. 15 record categories under Locked policies (the production mode): the dock may name a category, the keeper can
/// change it, and the retention date follows, growing at once and never shrinking below what the Locked policy holds.
/// </summary>
public sealed class CategoryTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Recorded = Recent.HoursAgo(5);

    private async Task<Dock> UnitWithCategoriesAsync()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        using var put = await fixture.SendAsync(HttpMethod.Put, $"/api/units/{unit}/settings", fixture.TokenFor(unit, Roles.Head), JsonContent.Create(new
        {
            name = "unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24, ["complaint"] = 60, ["traffic"] = 36 },
        }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return new Dock(fixture, unit);
    }

    private static async Task<FootageRecord> CatalogueAsync(Dock dock, int seed, string? category = null)
    {
        var content = SyntheticWav.Create(seed, 8000);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("c.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1), category: category)));
        await Dock.UploadAsync(session, "c.wav", content);
        await dock.SettledAsync(session.SessionId);
        return await dock.FootageAsync(Dock.Sha256(content));
    }

    private Task<HttpResponseMessage> PutCategoriesAsync(Dock dock, string id, object body, string role = Roles.Keeper, string? unit = null) =>
        fixture.SendAsync(HttpMethod.Put, $"/api/footage/{id}/categories", fixture.TokenFor(unit ?? dock.Unit, role), JsonContent.Create(body));

    private async Task<DateTimeOffset?> PolicyUntilAsync(FootageRecord record) =>
        (await new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName)
            .GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn;

    [Fact]
    public async Task A_category_named_by_the_dock_sets_the_retention_period_and_an_unknown_one_is_refused()
    {
        var dock = await UnitWithCategoriesAsync();
        var content = SyntheticWav.Create(1101, 8000);
        using var unknown = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", dock.DockToken, JsonContent.Create(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("u.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1), category: "parking"))));
        var problem = await unknown.Content.ReadAsStringAsync(Cancel);

        var record = await CatalogueAsync(dock, 1102, "complaint");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("files[0].category", problem, StringComparison.Ordinal);
        Assert.Equal(["complaint"], record.Categories);
        Assert.Equal(Recorded.AddMonths(60), record.RetentionUntil);
        Assert.Equal(Recorded.AddMonths(60), await PolicyUntilAsync(record));
    }

    [Fact]
    public async Task Changing_categories_lengthens_retention_at_once_and_a_Locked_policy_keeps_it_from_shrinking()
    {
        var dock = await UnitWithCategoriesAsync();
        var record = await CatalogueAsync(dock, 1103);
        Assert.Equal(Recent.KeptFromCatalogue(record, 24), record.RetentionUntil);

        using var longer = await PutCategoriesAsync(dock, record.Id, new { categories = Named("traffic", "complaint"), reason = "complaint lodged" });
        Assert.Equal(HttpStatusCode.OK, longer.StatusCode);
        var kept = await dock.FootageAsync(record.Id);
        Assert.Equal(["traffic", "complaint"], kept.Categories);
        Assert.Equal(Recorded.AddMonths(60), kept.RetentionUntil);
        Assert.Equal(Recorded.AddMonths(60), await PolicyUntilAsync(kept));

        using var shorter = await PutCategoriesAsync(dock, record.Id, new { categories = Named("traffic"), reason = "complaint withdrawn" });
        Assert.Equal(HttpStatusCode.OK, shorter.StatusCode);
        var after = await dock.FootageAsync(record.Id);
        Assert.Equal(["traffic"], after.Categories);
        Assert.Equal(Recorded.AddMonths(60), after.RetentionUntil);
        Assert.Equal(Recorded.AddMonths(60), await PolicyUntilAsync(after));

        using var audit = await fixture.SendAsync(HttpMethod.Get, "/api/audit?action=footage.categorised", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        var events = (await audit.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items;
        Assert.Equal(2, events.Count);
        Assert.Contains(events, e => e.Details["heldByLockedPolicy"] == "true" && e.Details["reason"] == "complaint withdrawn");
    }

    [Fact]
    public async Task Bad_category_changes_are_refused_and_change_nothing()
    {
        var dock = await UnitWithCategoriesAsync();
        var record = await CatalogueAsync(dock, 1104);

        using var unknown = await PutCategoriesAsync(dock, record.Id, new { categories = Named("parking"), reason = "r" });
        using var noReason = await PutCategoriesAsync(dock, record.Id, new { categories = Named("complaint") });
        using var noList = await PutCategoriesAsync(dock, record.Id, new { reason = "r" });
        using var malformed = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{record.Id}/categories", fixture.TokenFor(dock.Unit, Roles.Keeper),
            new StringContent("{\"categories\": [", System.Text.Encoding.UTF8, "application/json"));
        using var byOfficer = await PutCategoriesAsync(dock, record.Id, new { categories = Named("complaint"), reason = "r" }, Roles.Officer);
        using var otherUnit = await PutCategoriesAsync(dock, record.Id, new { categories = Named("complaint"), reason = "r" }, unit: "unit-other-1");
        using var missing = await PutCategoriesAsync(dock, new string('0', 64), new { categories = Named("complaint"), reason = "r" });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noList.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var unchanged = await dock.FootageAsync(record.Id);
        Assert.Empty(unchanged.Categories);
        Assert.Equal(record.RetentionUntil, unchanged.RetentionUntil);
        Assert.Equal(Recent.KeptFromCatalogue(record, 24), await PolicyUntilAsync(unchanged));
    }

    private static string[] Named(params string[] categories) => categories;
}
