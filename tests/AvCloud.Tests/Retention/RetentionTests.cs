using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using AvCloud.Local;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Retention;

/// <summary>
/// Art. 15 end to end, on a local cloud of its own whose clock the test shifts by years: footage passes its retention
/// date, is swept to pending, approved, waits out the recovery window and is purged to a tombstone; held footage is not.
/// </summary>
public sealed class RetentionTests(RetentionTests.ShiftedCloud cloud) : IClassFixture<RetentionTests.ShiftedCloud>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public sealed class ShiftedCloud : IAsyncLifetime
    {
        public ShiftedClock Clock { get; } = new(TimeSpan.Zero);

        public LocalCloud Cloud { get; private set; } = null!;

        public HttpClient Http { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Cloud = await LocalCloud.StartAsync(new LocalCloudOptions
            {
                Port = 0, AzuritePort = 0, CosmosPort = 0, RunTimerSchedules = false, Clock = Clock,
                // Trial mode: an administrator can lift an Unlocked policy, which the integrity test uses as its back door.
                Settings = new Dictionary<string, string?> { ["AvCloud:Retention:PolicyMode"] = "Unlocked" },
                MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
            });
            Http = new HttpClient { BaseAddress = Cloud.BaseAddress };
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Cloud.DisposeAsync();
        }

        public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string unit, string role, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            // A dock is who its token says, and the manifests name dock-3.
            var user = role == Roles.Dock ? "dock-3" : $"{role.ToLowerInvariant()}-1";
            request.Headers.Authorization = new("Bearer", Cloud.Issuer.Mint(user, unit, [role], TimeSpan.FromHours(1), Clock.GetUtcNow()));
            return await Http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        public async Task RunAsync(string function)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/functions/{function}");
            request.Headers.Add(Local.Functions.HostKeys.Header, Cloud.Keys.Master);
            using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        /// <summary>A one-second recording docked in <paramref name="unit"/> an hour ago by this cloud's clock, once catalogued.</summary>
        public async Task<FootageRecord> CatalogueAsync(string unit, int seed)
        {
            var content = SyntheticWav.Create(seed, 8000);
            var recorded = Clock.GetUtcNow().AddHours(-1);
            using (var device = await SendAsync(HttpMethod.Post, "/api/devices", unit, Roles.Keeper,
                new { id = Dock.DeviceId, kind = "bodyWornCamera", serial = "SN-0042", model = "DSJ-V9" }))
            {
                Assert.True(device.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict);
            }

            using var opened = await SendAsync(HttpMethod.Post, "/api/uploads", unit, Roles.Dock, Dock.Manifest(recorded.AddMinutes(30), TimeSpan.Zero,
                Dock.FileEntry("r.wav", "audio", content, recorded, TimeSpan.FromSeconds(1))));
            var session = (await opened.Content.ReadFromJsonAsync<UploadSessionOpened>(AvCloudJson.Options, Cancel))!;
            await new BlobClient(session.Files[0].UploadUrl).UploadAsync(new BinaryData(content), Cancel);
            var id = Convert.ToHexStringLower(SHA256.HashData(content));
            return await Eventually.That(() => FootageAsync(unit, id), $"footage {id} to be catalogued", Cancel);
        }

        /// <summary>The record as the unit's keeper reads it; null when the API does not answer it.</summary>
        public async Task<FootageRecord?> FootageAsync(string unit, string id)
        {
            using var response = await SendAsync(HttpMethod.Get, $"/api/footage/{id}", unit, Roles.Keeper);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<FootageRecord>(AvCloudJson.Options, TestContext.Current.CancellationToken) : null;
        }
    }

    private Task<FootageRecord> CatalogueAsync(string unit, int seed) => cloud.CatalogueAsync(unit, seed);

    private Task<FootageRecord?> Footage(string unit, string id) => cloud.FootageAsync(unit, id);

    [Fact]
    public async Task Expired_footage_is_swept_approved_purged_after_the_recovery_window_and_held_footage_is_kept()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var expiring = await CatalogueAsync(unit, 501);
        var held = await CatalogueAsync(unit, 502);
        using (var hold = await cloud.SendAsync(HttpMethod.Post, $"/api/footage/{held.Id}/holds", unit, Roles.Keeper,
            new { reason = "majorCase", caseName = "road case", caseNumber = "2026-31", requestedBy = "head" }))
        {
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        }

        var blob = new BlobServiceClient(cloud.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(expiring.BlobName);
        var early = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToPolicy", early.ErrorCode);

        // 25 months later.
        cloud.Clock.Shift(TimeSpan.FromDays(25 * 31));
        await cloud.RunAsync("SweepRetention");
        await cloud.RunAsync("SweepRetention");
        Assert.Equal(FootageStatus.DisposalPending, (await Footage(unit, expiring.Id))!.Status);
        Assert.Equal(FootageStatus.Available, (await Footage(unit, held.Id))!.Status);
        using (var list = await cloud.SendAsync(HttpMethod.Get, "/api/disposals?status=pending", unit, Roles.Keeper))
        {
            Assert.Equal(expiring.Id, Assert.Single((await list.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options, Cancel))!.Items).Id);
        }

        Assert.Equal(new Functions.Reports.PendingWork(1, 1, 0), (await ComplianceAsync(unit)).Pending);

        using (var approve = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{expiring.Id}/approve", unit, Roles.Keeper))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        using (var approveHeld = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{held.Id}/approve", unit, Roles.Keeper))
        {
            Assert.Equal(HttpStatusCode.Conflict, approveHeld.StatusCode);
        }

        // Inside the recovery window nothing is purged.
        await cloud.RunAsync("ExecuteDisposals");
        Assert.Equal(FootageStatus.DisposalApproved, (await Footage(unit, expiring.Id))!.Status);
        Assert.True(await blob.ExistsAsync(Cancel));

        cloud.Clock.Shift(TimeSpan.FromDays(8));
        await cloud.RunAsync("ExecuteDisposals");

        var tombstone = (await Footage(unit, expiring.Id))!;
        Assert.Equal(FootageStatus.Purged, tombstone.Status);
        Assert.Equal(expiring.Sha256, tombstone.Sha256);
        Assert.Equal(expiring.Size, tombstone.Size);
        Assert.Equal("keeper-1", tombstone.Disposal!.ApprovedBy);
        Assert.NotNull(tombstone.Disposal.PurgedAt);
        Assert.False(await blob.ExistsAsync(Cancel));
        var keptBlob = new BlobServiceClient(cloud.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(held.BlobName);
        Assert.True(await keptBlob.ExistsAsync(Cancel));
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => keptBlob.DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToLegalHold", refused.ErrorCode);
    }

    private async Task<FootageRecord> PendingAsync(string unit, int seed)
    {
        var record = await CatalogueAsync(unit, seed);
        cloud.Clock.Shift(TimeSpan.FromDays(25 * 31));
        await cloud.RunAsync("SweepRetention");
        Assert.Equal(FootageStatus.DisposalPending, (await Footage(unit, record.Id))!.Status);
        return record;
    }

    [Fact]
    public async Task The_keeper_can_keep_footage_longer_and_storage_follows()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var record = await PendingAsync(unit, 601);
        var until = cloud.Clock.GetUtcNow().AddYears(1);

        using var earlier = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{record.Id}/extend", unit, Roles.Keeper,
            new { until = record.RetentionUntil.AddDays(-1), reason = "case reopened" });
        using var noReason = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{record.Id}/extend", unit, Roles.Keeper, new { until });
        using var extended = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{record.Id}/extend", unit, Roles.Keeper,
            new { until, reason = "case reopened" });

        Assert.Equal(HttpStatusCode.BadRequest, earlier.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        var kept = (await Footage(unit, record.Id))!;
        Assert.Equal(FootageStatus.Available, kept.Status);
        var blob = new BlobServiceClient(cloud.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
        var policy = (await blob.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy;
        Assert.Equal(ToSecond(until), policy.ExpiresOn);
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToPolicy", refused.ErrorCode);
    }

    [Fact]
    public async Task The_head_can_cancel_an_approval_inside_the_recovery_window()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var record = await PendingAsync(unit, 602);
        using (var approve = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{record.Id}/approve", unit, Roles.Keeper))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        using var byKeeper = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{record.Id}/cancel", unit, Roles.Keeper, new { reason = "no" });
        using var cancelled = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{record.Id}/cancel", unit, Roles.Head, new { reason = "complaint expected" });

        Assert.Equal(HttpStatusCode.Forbidden, byKeeper.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        cloud.Clock.Shift(TimeSpan.FromDays(8));
        await cloud.RunAsync("ExecuteDisposals");
        Assert.Equal(FootageStatus.DisposalPending, (await Footage(unit, record.Id))!.Status);
        Assert.True(await new BlobServiceClient(cloud.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage)
            .GetBlobClient(record.BlobName).ExistsAsync(Cancel));
    }

    [Fact]
    public async Task Integrity_checks_find_bytes_changed_behind_the_apps_back_and_repair_nothing()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var intact = await CatalogueAsync(unit, 701);
        var tampered = await CatalogueAsync(unit, 702);
        var storage = new BlobServiceClient(cloud.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage);
        // The back door: a storage administrator lifts the trial-mode policy and rewrites the recording.
        var blob = storage.GetBlobClient(tampered.BlobName);
        await blob.DeleteImmutabilityPolicyAsync(Cancel);
        var forged = SyntheticWav.Create(999, 8000);
        await blob.UploadAsync(new BinaryData(forged), overwrite: true, Cancel);

        cloud.Clock.Shift(TimeSpan.FromDays(2));
        await cloud.RunAsync("VerifyIntegrity");

        var found = (await Footage(unit, tampered.Id))!;
        Assert.NotNull(found.IntegrityFailure);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(forged)), found.IntegrityFailure.Sha256Found);
        Assert.Equal(forged, (await blob.DownloadContentAsync(Cancel)).Value.Content.ToArray());
        var checkedIntact = (await Footage(unit, intact.Id))!;
        Assert.Null(checkedIntact.IntegrityFailure);
        Assert.True(checkedIntact.LastVerifiedAt > intact.LastVerifiedAt);
        using var audit = await cloud.SendAsync(HttpMethod.Get, "/api/audit?action=integrity.mismatch", unit, Roles.Supervisor);
        var events = (await audit.Content.ReadFromJsonAsync<Functions.Audit.AuditPage>(AvCloudJson.Options, Cancel))!;
        Assert.Equal($"footage/{tampered.Id}", Assert.Single(events.Items).Target);

        // And the compliance report names it.
        Assert.Equal(tampered.Id, Assert.Single((await ComplianceAsync(unit)).IntegrityFailures).FootageId);
    }

    private async Task<Functions.Audit.AuditEvent> SingleAuditAsync(string unit, Functions.Audit.AuditAction action)
    {
        using var audit = await cloud.SendAsync(HttpMethod.Get, $"/api/audit?action={action.Name}", unit, Roles.Supervisor);
        return Assert.Single((await audit.Content.ReadFromJsonAsync<Functions.Audit.AuditPage>(AvCloudJson.Options, Cancel))!.Items);
    }

    private async Task<Functions.Reports.Compliance> ComplianceAsync(string unit)
    {
        var now = cloud.Clock.GetUtcNow();
        using var report = await cloud.SendAsync(HttpMethod.Get,
            $"/api/reports/compliance?from={Uri.EscapeDataString(now.AddDays(-7).ToString("O"))}&to={Uri.EscapeDataString(now.ToString("O"))}", unit, Roles.Head);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        return (await report.Content.ReadFromJsonAsync<Functions.Reports.Compliance>(AvCloudJson.Options, Cancel))!;
    }

    private BlobClient FootageBlob(FootageRecord record) =>
        new BlobServiceClient(cloud.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);

    private async Task PutSettingsAsync(string unit, Dictionary<string, int> months)
    {
        using var put = await cloud.SendAsync(HttpMethod.Put, $"/api/units/{unit}/settings", unit, Roles.Head,
            new { name = "unit", timeZone = "Asia/Shanghai", retentionMonths = months, policyMode = "unlocked" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    private async Task ApproveAsync(string unit, string id)
    {
        using var approve = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{id}/approve", unit, Roles.Keeper);
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
    }

    [Fact]
    public async Task A_keeper_who_recorded_the_footage_cannot_approve_its_disposal_and_nothing_changes()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var record = await PendingAsync(unit, 905);
        // The recording officer is also a keeper and the head: Arts. 12 and 17 still leave the decision to someone else.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/disposals/{record.Id}/approve");
        request.Headers.Authorization = new("Bearer", cloud.Cloud.Issuer.Mint(record.OfficerId, unit, [Roles.Keeper, Roles.Head, Roles.Officer],
            TimeSpan.FromHours(1), cloud.Clock.GetUtcNow()));
        using var own = await cloud.Http.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains("recording they made", await own.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        var unchanged = (await Footage(unit, record.Id))!;
        Assert.Equal(FootageStatus.DisposalPending, unchanged.Status);
        Assert.Null(unchanged.Disposal!.ApprovedBy);
        var denied = await SingleAuditAsync(unit, Functions.Audit.AuditAction.DisposalApproved);
        Assert.Equal((Functions.Audit.AuditOutcomes.Denied, record.OfficerId), (denied.Outcome, denied.Actor));
    }

    [Fact]
    public async Task A_released_second_copy_keeps_the_footages_retention_moves_with_an_extension_and_is_purged_with_the_footage()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var record = await CatalogueAsync(unit, 906);
        using (var hold = await cloud.SendAsync(HttpMethod.Post, $"/api/footage/{record.Id}/holds", unit, Roles.Keeper,
            new { reason = "dispute", caseName = "market", caseNumber = "2026-40", requestedBy = "complainant" }))
        {
            var holdId = (await hold.Content.ReadFromJsonAsync<FootageRecord>(AvCloudJson.Options, Cancel))!.Holds[0].Id;
            using var release = await cloud.SendAsync(HttpMethod.Delete, $"/api/footage/{record.Id}/holds/{holdId}", unit, Roles.Head, new { reason = "settled" });
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        var copy = new BlobServiceClient(cloud.Cloud.PreservationConnectionString).GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(record.BlobName);
        Assert.Equal(ToSecond(record.RetentionUntil), (await copy.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);

        cloud.Clock.Shift(TimeSpan.FromDays(25 * 31));
        await cloud.RunAsync("SweepRetention");
        var until = cloud.Clock.GetUtcNow().AddDays(30);
        using (var extended = await cloud.SendAsync(HttpMethod.Post, $"/api/disposals/{record.Id}/extend", unit, Roles.Keeper, new { until, reason = "appeal window" }))
        {
            Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        }

        Assert.Equal(ToSecond(until), (await copy.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);

        cloud.Clock.Shift(TimeSpan.FromDays(31));
        await cloud.RunAsync("SweepRetention");
        await ApproveAsync(unit, record.Id);
        cloud.Clock.Shift(TimeSpan.FromDays(8));
        await cloud.RunAsync("ExecuteDisposals");

        var tombstone = (await Footage(unit, record.Id))!;
        Assert.Equal(FootageStatus.Purged, tombstone.Status);
        Assert.NotNull(tombstone.SecondCopy!.PurgedAt);
        Assert.False(await copy.ExistsAsync(Cancel));
        Assert.Contains("second copy", (await SingleAuditAsync(unit, Functions.Audit.AuditAction.FootagePurged)).Details["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hold_placed_after_approval_stops_the_purge()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var record = await PendingAsync(unit, 901);
        await ApproveAsync(unit, record.Id);
        using (var hold = await cloud.SendAsync(HttpMethod.Post, $"/api/footage/{record.Id}/holds", unit, Roles.Head,
            new { reason = "dispute", caseName = "late complaint", caseNumber = "2028-7", requestedBy = "complainant" }))
        {
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        }

        cloud.Clock.Shift(TimeSpan.FromDays(8));
        await cloud.RunAsync("ExecuteDisposals");

        var kept = (await Footage(unit, record.Id))!;
        Assert.Equal(FootageStatus.Available, kept.Status);
        Assert.Null(kept.Disposal);
        Assert.True(await FootageBlob(record).ExistsAsync(Cancel));
        Assert.Equal(Functions.Audit.AuditOutcomes.Denied, (await SingleAuditAsync(unit, Functions.Audit.AuditAction.DisposalBlocked)).Outcome);
    }

    [Fact]
    public async Task A_purge_storage_refuses_is_audited_and_never_forced()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var record = await PendingAsync(unit, 902);
        await ApproveAsync(unit, record.Id);
        // Behind the app's back, a storage administrator protects the blob again.
        await FootageBlob(record).SetImmutabilityPolicyAsync(new Azure.Storage.Blobs.Models.BlobImmutabilityPolicy
        {
            ExpiresOn = cloud.Clock.GetUtcNow().AddYears(1),
            PolicyMode = Azure.Storage.Blobs.Models.BlobImmutabilityPolicyMode.Unlocked,
        }, cancellationToken: Cancel);

        cloud.Clock.Shift(TimeSpan.FromDays(8));
        await cloud.RunAsync("ExecuteDisposals");

        Assert.Equal(FootageStatus.DisposalApproved, (await Footage(unit, record.Id))!.Status);
        Assert.True(await FootageBlob(record).ExistsAsync(Cancel));
        var refused = await SingleAuditAsync(unit, Functions.Audit.AuditAction.PurgeRefused);
        Assert.Equal(Functions.Audit.AuditOutcomes.Failure, refused.Outcome);
        Assert.Equal("BlobImmutableDueToPolicy", refused.Details["detail"]);
    }

    [Fact]
    public async Task When_the_units_periods_grow_the_sweep_keeps_existing_footage_longer_instead_of_putting_it_up_for_disposal()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var record = await CatalogueAsync(unit, 903);
        await PutSettingsAsync(unit, new Dictionary<string, int> { ["default"] = 36 });

        cloud.Clock.Shift(TimeSpan.FromDays(25 * 31));
        await cloud.RunAsync("SweepRetention");

        var kept = (await Footage(unit, record.Id))!;
        Assert.Equal(FootageStatus.Available, kept.Status);
        // 36 months, and never less than from when AvCloud catalogued it.
        Assert.Equal(Recent.KeptFromCatalogue(record, 36), kept.RetentionUntil);
        Assert.Equal(ToSecond(kept.RetentionUntil), (await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);
        Assert.Equal(kept.RetentionUntil.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            (await SingleAuditAsync(unit, Functions.Audit.AuditAction.RetentionRecomputed)).Details["retentionTo"]);
    }

    [Fact]
    public async Task Under_an_Unlocked_policy_a_narrower_category_brings_the_date_back_and_storage_follows()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        await PutSettingsAsync(unit, new Dictionary<string, int> { ["default"] = 24, ["complaint"] = 60 });
        var record = await CatalogueAsync(unit, 904);
        using (var wider = await cloud.SendAsync(HttpMethod.Put, $"/api/footage/{record.Id}/categories", unit, Roles.Keeper,
            new { categories = Named("complaint"), reason = "complaint lodged" }))
        {
            Assert.Equal(HttpStatusCode.OK, wider.StatusCode);
        }

        Assert.Equal(ToSecond(record.CorrectedStart.AddMonths(60)), (await Footage(unit, record.Id))!.RetentionUntil);

        using (var narrower = await cloud.SendAsync(HttpMethod.Put, $"/api/footage/{record.Id}/categories", unit, Roles.Keeper,
            new { categories = Named(), reason = "complaint withdrawn" }))
        {
            Assert.Equal(HttpStatusCode.OK, narrower.StatusCode);
        }

        var back = (await Footage(unit, record.Id))!;
        Assert.Empty(back.Categories);
        Assert.Equal(record.RetentionUntil, back.RetentionUntil);
        Assert.Equal(ToSecond(record.RetentionUntil), (await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);
    }

    // Storage keeps policy dates to the second.
    private static DateTimeOffset ToSecond(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string[] Named(params string[] categories) => categories;
}
