using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Ingest;

/// <summary>
/// Tried as a thief with a dock's credential would: nothing a dock claims shortens retention, moves a deadline, or
/// speaks for another dock, and the bytes AvCloud keeps are the bytes it hashed.
/// </summary>
public sealed class TrustTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private BlobServiceClient Storage => new(fixture.Cloud.StorageConnectionString);

    private async Task<(HttpResponseMessage Response, string Text)> OpenAsync(Dock dock, object manifest, string? token = null)
    {
        await dock.RegisterDeviceAsync();
        var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", token ?? dock.DockToken, JsonContent.Create(manifest));
        return (response, await response.Content.ReadAsStringAsync(Cancel));
    }

    private async Task<List<AuditEvent>> ChainAsync(string unit)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in fixture.Cloud.Services.GetRequiredService<AuditTrail>().ReadChainAsync(unit, Cancel))
        {
            events.Add(e);
        }

        return events;
    }

    private async Task AssertNothingOpenedAsync(string unit)
    {
        var chain = await ChainAsync(unit);
        Assert.DoesNotContain(chain, e => e.Action == AuditAction.UploadOpened.Name && e.Outcome == AuditOutcomes.Success);
        Assert.Contains(chain, e => e.Action == AuditAction.UploadOpened.Name && e.Outcome == AuditOutcomes.Denied);
        Assert.Empty(await Storage.GetBlobContainerClient(BlobContainers.Ingest).GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{unit}/", Cancel).ToListAsync(Cancel));
    }

    [Fact]
    public async Task A_device_clock_twenty_years_ahead_is_refused_and_nothing_is_stored()
    {
        var dock = new Dock(fixture, NewUnit());
        var now = Recent.HoursAgo(0);
        var content = CatalogueTests.WavOf(1501);

        // Corrected by the claimed drift, a recording made an hour ago would land in 2006 and be due for disposal.
        var (response, text) = await OpenAsync(dock, Dock.Manifest(now, TimeSpan.FromDays(-365.25 * 20),
            Dock.FileEntry("old.wav", "audio", content, now.AddYears(20).AddHours(-1), TimeSpan.FromSeconds(1))));
        using (response)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains("\"deviceClockAtDocking\"", text, StringComparison.Ordinal);
            Assert.Contains("ahead of the dock's", text, StringComparison.Ordinal);
        }

        await AssertNothingOpenedAsync(dock.Unit);
    }

    [Fact]
    public async Task A_docking_time_ahead_of_AvCloud_or_a_recording_ending_after_receipt_is_refused()
    {
        var dock = new Dock(fixture, NewUnit());
        var now = Recent.HoursAgo(0);
        var content = CatalogueTests.WavOf(1502);

        var (ahead, aheadText) = await OpenAsync(dock, Dock.Manifest(now.AddDays(2), TimeSpan.Zero,
            Dock.FileEntry("a.wav", "audio", content, now.AddHours(-1), TimeSpan.FromSeconds(1))));
        var (future, futureText) = await OpenAsync(dock, Dock.Manifest(now, TimeSpan.Zero,
            Dock.FileEntry("a.wav", "audio", content, now.AddHours(3), TimeSpan.FromSeconds(1))));
        using (ahead)
        using (future)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, ahead.StatusCode);
            Assert.Contains("\"dockedAt\"", aheadText, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, future.StatusCode);
            Assert.Contains("\"files[0].recordedEnd\"", futureText, StringComparison.Ordinal);
        }

        await AssertNothingOpenedAsync(dock.Unit);
    }

    [Fact]
    public async Task A_drift_beyond_the_units_limit_is_an_Art_7_fault_and_the_head_sets_the_limit()
    {
        var dock = new Dock(fixture, NewUnit());
        var now = Recent.HoursAgo(0);
        var content = CatalogueTests.WavOf(1503);
        object Manifest() => Dock.Manifest(now, TimeSpan.FromHours(6), Dock.FileEntry("d.wav", "audio", content, now.AddHours(-7), TimeSpan.FromSeconds(1)));

        var (refused, text) = await OpenAsync(dock, Manifest());
        using (refused)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("6 hours behind", text, StringComparison.Ordinal);
        }

        using (var settings = await fixture.SendAsync(HttpMethod.Put, $"/api/units/{dock.Unit}/settings", fixture.TokenFor(dock.Unit, Roles.Head), JsonContent.Create(new
        {
            name = "Unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, maxClockDriftHours = 8,
        })))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var session = await dock.OpenAsync(Manifest());
        Assert.Equal(6 * 3600, session.ClockDriftSeconds);
    }

    [Fact]
    public async Task However_far_back_a_recording_is_dated_it_is_kept_the_units_minimum_from_when_AvCloud_catalogued_it()
    {
        var dock = new Dock(fixture, NewUnit());
        var now = Recent.HoursAgo(0);
        var content = CatalogueTests.WavOf(1504);

        // The device says the recording is three years old (its clock and the dock's agree, so no drift gives it away).
        var session = await dock.OpenAsync(Dock.Manifest(now, TimeSpan.Zero, Dock.FileEntry("old.wav", "audio", content, now.AddYears(-3), TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "old.wav", content);
        await dock.SettledAsync(session.SessionId);
        var record = await dock.FootageAsync(Dock.Sha256(content));

        Assert.Equal(now.AddYears(-3), record.CorrectedStart);
        Assert.Equal(Recent.KeptFromCatalogue(record, 24), record.RetentionUntil);
        Assert.False(record.HandedOverInTime);
        var policy = (await Storage.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName).GetPropertiesAsync(cancellationToken: Cancel))
            .Value.ImmutabilityPolicy;
        Assert.Equal((BlobImmutabilityPolicyMode.Locked, record.RetentionUntil), (policy.PolicyMode!.Value, policy.ExpiresOn!.Value));

        // The sweep finds nothing to offer for disposal.
        using (var sweep = await fixture.Admin.PostAsync("/admin/functions/SweepRetention", content: null, Cancel))
        {
            Assert.Equal(HttpStatusCode.Accepted, sweep.StatusCode);
        }

        Assert.Equal(FootageStatus.Available, (await dock.FootageAsync(record.Id)).Status);
    }

    [Fact]
    public async Task Handing_over_in_time_is_judged_on_AvCloud_receipt_not_on_the_docks_word()
    {
        var dock = new Dock(fixture, NewUnit());
        var content = CatalogueTests.WavOf(1505);
        var recorded = Recent.HoursAgo(30);

        // The dock says it was docked an hour after the recording: in time by its word, 30 hours late by AvCloud's clock.
        var session = await dock.OpenAsync(Dock.Manifest(recorded.AddHours(1), TimeSpan.Zero, Dock.FileEntry("l.wav", "audio", content, recorded, TimeSpan.FromMinutes(1))));
        await Dock.UploadAsync(session, "l.wav", content);
        await dock.SettledAsync(session.SessionId);
        var record = await dock.FootageAsync(Dock.Sha256(content));

        Assert.False(record.HandedOverInTime);
        Assert.Equal(recorded.AddHours(1), record.Uploads[0].DockedAt);
        Assert.True(record.Uploads[0].ReceivedAt > recorded.AddHours(29));
    }

    [Fact]
    public async Task A_manifest_naming_another_dock_is_refused_and_the_dock_is_who_its_token_says()
    {
        var dock = new Dock(fixture, NewUnit());
        var now = Recent.HoursAgo(0);
        var content = CatalogueTests.WavOf(1506);
        var manifest = Dock.Node(Dock.Manifest(now, TimeSpan.Zero, Dock.FileEntry("x.wav", "audio", content, now.AddMinutes(-5), TimeSpan.FromSeconds(1))));

        var (stolen, text) = await OpenAsync(dock, manifest, fixture.DockTokenFor(dock.Unit, "dock-7"));
        using (stolen)
        {
            Assert.Equal(HttpStatusCode.Forbidden, stolen.StatusCode);
            Assert.Contains("dock-3", text, StringComparison.Ordinal);
        }

        await AssertNothingOpenedAsync(dock.Unit);
        manifest.Remove("dockId");
        var session = await dock.OpenAsync(manifest);
        await Dock.UploadAsync(session, "x.wav", content);
        await dock.SettledAsync(session.SessionId);
        Assert.Equal("dock-3", (await dock.FootageAsync(Dock.Sha256(content))).DockId);
    }

    [Fact]
    public async Task Bytes_changed_after_they_were_hashed_are_never_kept_and_the_file_is_quarantined_with_the_reason()
    {
        var dock = new Dock(fixture, NewUnit());
        var now = Recent.HoursAgo(0);
        var genuine = CatalogueTests.WavOf(1507);
        var swapped = CatalogueTests.WavOf(1508);
        var session = await dock.OpenAsync(Dock.Manifest(now, TimeSpan.Zero, Dock.FileEntry("s.wav", "audio", genuine, now.AddMinutes(-5), TimeSpan.FromSeconds(1))));
        var ingestName = UploadSession.IngestBlobName(dock.Unit, session.SessionId, "s.wav");
        var previous = fixture.Hooks.BeforeCopy;
        fixture.Hooks.BeforeCopy = async (name, ct) =>
        {
            if (name == ingestName)
            {
                // Someone with write access to ingest replaces the upload between its hash and its copy.
                await Storage.GetBlobContainerClient(BlobContainers.Ingest).GetBlobClient(name).UploadAsync(new BinaryData(swapped), overwrite: true, ct);
            }

            await previous(name, ct);
        };
        try
        {
            await Dock.UploadAsync(session, "s.wav", genuine);
            var file = Assert.Single((await dock.SettledAsync(session.SessionId)).Files);

            // Whichever run gets there first says why: the one that hashed the genuine bytes finds them changed when it
            // copies; the run the new write triggers finds a hash that is not the manifest's.
            Assert.Equal(FileState.Quarantined, file.State);
            Assert.True(file.Reason!.Contains("changed after it was hashed", StringComparison.Ordinal) || file.Reason.Contains("SHA-256", StringComparison.Ordinal),
                file.Reason);
        }
        finally
        {
            fixture.Hooks.BeforeCopy = previous;
        }

        // Above all, nothing was copied: had the copy not been pinned to the hashed version, the swapped bytes would now
        // sit in footage under the genuine bytes' hash, locked for 24 months.
        Assert.Empty(await Storage.GetBlobContainerClient(BlobContainers.Footage).GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{dock.Unit}/", Cancel).ToListAsync(Cancel));
        using var missing = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{Dock.Sha256(genuine)}", fixture.TokenFor(dock.Unit, Roles.Keeper));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var quarantined = Storage.GetBlobContainerClient(BlobContainers.Quarantine).GetBlobClient(ingestName);
        Assert.Equal(swapped, (await quarantined.DownloadContentAsync(Cancel)).Value.Content.ToArray());
    }

    [Fact]
    public async Task An_upload_url_creates_its_blob_once_and_never_replaces_it()
    {
        var dock = new Dock(fixture, NewUnit());
        var now = Recent.HoursAgo(0);
        var content = CatalogueTests.WavOf(1509);
        var session = await dock.OpenAsync(Dock.Manifest(now, TimeSpan.Zero, Dock.FileEntry("once.wav", "audio", content, now.AddMinutes(-5), TimeSpan.FromSeconds(1))));
        var url = new BlobClient(session.Files[0].UploadUrl);
        var ingestName = UploadSession.IngestBlobName(dock.Unit, session.SessionId, "once.wav");
        var hashed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = fixture.Hooks.BeforeCopy;
        fixture.Hooks.BeforeCopy = async (name, ct) =>
        {
            if (name == ingestName)
            {
                // The cataloguer waits here, so the second write meets the committed blob, not an empty name.
                hashed.TrySetResult();
                await release.Task.WaitAsync(ct);
            }

            await previous(name, ct);
        };
        Azure.RequestFailedException again;
        try
        {
            await url.UploadAsync(new BinaryData(content), Cancel);
            await hashed.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
            again = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => url.UploadAsync(new BinaryData(CatalogueTests.WavOf(1510)), overwrite: true, Cancel));
        }
        finally
        {
            release.TrySetResult();
            fixture.Hooks.BeforeCopy = previous;
        }

        Assert.True(again.Status is 403 or 409, again.Message);
        var file = Assert.Single((await dock.SettledAsync(session.SessionId)).Files);
        Assert.Equal(FileState.Catalogued, file.State);
        Assert.Equal(Dock.Sha256(content), file.FootageId);
    }
}
