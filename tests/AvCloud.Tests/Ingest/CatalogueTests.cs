using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Functions;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Ingest;

/// <summary>From the dock's upload to the catalogue, against the local cloud (Azurite + gateway, Cosmos, the host).</summary>
public sealed class CatalogueTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private BlobServiceClient Storage => new(fixture.Cloud.StorageConnectionString);

    private static readonly DateTimeOffset Recorded = Recent.HoursAgo(4);

    [Fact]
    public async Task Real_video_audio_and_photo_files_are_verified_catalogued_and_made_immutable()
    {
        var dock = new Dock(fixture, NewUnit());
        var video = await File.ReadAllBytesAsync(Dock.MediaPath("bodycam.mp4"), Cancel);
        var audio = await File.ReadAllBytesAsync(Dock.MediaPath("interview.m4a"), Cancel);
        var wave = await File.ReadAllBytesAsync(Dock.MediaPath("statement.wav"), Cancel);
        var photo = await File.ReadAllBytesAsync(Dock.MediaPath("scene.jpg"), Cancel);
        var dockedAt = Recorded.AddHours(3);
        // The recorder's clock runs five minutes behind the dock's.
        var session = await dock.OpenAsync(Dock.Manifest(dockedAt, TimeSpan.FromMinutes(5),
            Dock.FileEntry("bodycam.mp4", "video", video, Recorded, TimeSpan.FromSeconds(2)),
            Dock.FileEntry("interview.m4a", "audio", audio, Recorded.AddMinutes(1), TimeSpan.FromSeconds(3)),
            Dock.FileEntry("statement.wav", "audio", wave, Recorded.AddMinutes(2), TimeSpan.FromSeconds(2)),
            Dock.FileEntry("scene.jpg", "photo", photo, Recorded.AddMinutes(3), TimeSpan.Zero)));
        Assert.Equal(300, session.ClockDriftSeconds);

        foreach (var (name, content) in new[] { ("bodycam.mp4", video), ("interview.m4a", audio), ("statement.wav", wave), ("scene.jpg", photo) })
        {
            await Dock.UploadAsync(session, name, content);
        }

        var settled = await dock.SettledAsync(session.SessionId);
        Assert.All(settled.Files, f => Assert.Equal(FileState.Catalogued, f.State));

        var record = await dock.FootageAsync(Dock.Sha256(video));
        Assert.Equal(MediaKind.Video, record.Kind);
        Assert.Equal(video.Length, record.Size);
        Assert.Equal(("bwc-0042", "officer-zhang", "dock-3"), (record.DeviceId, record.OfficerId, record.DockId));
        Assert.Equal(Recorded.AddMinutes(5), record.CorrectedStart);
        // Art. 15: 24 months, never less than from the moment AvCloud catalogued it (a claimed date cannot shorten it).
        Assert.Equal(Recent.KeptFromCatalogue(record, 24), record.RetentionUntil);
        Assert.True(record.RetentionUntil >= Recorded.AddMinutes(5).AddMonths(24));
        Assert.Equal(Recorded.AddMinutes(5).AddSeconds(2).AddHours(24), record.HandoverDeadline);
        Assert.True(record.HandedOverInTime);
        Assert.Equal(Functions.Access.Classification.None, record.Classification);
        Assert.Equal(FootageStatus.Available, record.Status);
        Assert.Equal($"{dock.Unit}/{record.CorrectedStart:yyyy}/{record.CorrectedStart:MM}/{record.Sha256}.mp4", record.BlobName);
        Assert.Equal((320, 240), (record.Media!.Width!.Value, record.Media.Height!.Value));
        Assert.InRange(record.Media.DurationSeconds!.Value, 1.9, 2.2);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 15, 0, TimeSpan.Zero), record.Media.CreatedAt);
        Assert.Equal(session.SessionId, Assert.Single(record.Uploads).SessionId);

        var m4a = await dock.FootageAsync(Dock.Sha256(audio));
        Assert.InRange(m4a.Media!.DurationSeconds!.Value, 2.9, 3.2);
        var wav = await dock.FootageAsync(Dock.Sha256(wave));
        Assert.InRange(wav.Media!.DurationSeconds!.Value, 1.4, 1.6);
        var jpg = await dock.FootageAsync(Dock.Sha256(photo));
        Assert.Equal(("AvCam", "BWC-200"), (jpg.Media!.CameraMake, jpg.Media.CameraModel));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 17, 30, TimeSpan.Zero), jpg.Media.CreatedAt);

        // The copy in footage is byte-identical and locked until the retention date; ingest is empty again.
        var stored = Storage.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
        Assert.Equal(video, (await stored.DownloadContentAsync(Cancel)).Value.Content.ToArray());
        var policy = (await stored.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy;
        Assert.Equal(BlobImmutabilityPolicyMode.Locked, policy.PolicyMode);
        Assert.Equal(record.RetentionUntil, policy.ExpiresOn);
        var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => stored.DeleteAsync(cancellationToken: Cancel));
        Assert.Equal("BlobImmutableDueToPolicy", refused.ErrorCode);
        Assert.False(await Storage.GetBlobContainerClient(BlobContainers.Ingest)
            .GetBlobClient(UploadSession.IngestBlobName(dock.Unit, session.SessionId, "bodycam.mp4")).ExistsAsync(Cancel));

        var catalogued = await AuditAsync(dock.Unit, AuditAction.FootageCatalogued);
        Assert.Equal(4, catalogued.Count);
    }

    [Fact]
    public async Task A_wrong_hash_and_a_truncated_file_go_to_quarantine_with_their_reason()
    {
        var dock = new Dock(fixture, NewUnit());
        var video = await File.ReadAllBytesAsync(Dock.MediaPath("bodycam.mp4"), Cancel);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("tampered.mp4", "video", video, Recorded, TimeSpan.FromSeconds(2), sha256: new string('a', 64)),
            Dock.FileEntry("truncated.mp4", "video", video, Recorded, TimeSpan.FromSeconds(2))));

        await Dock.UploadAsync(session, "tampered.mp4", video);
        await Dock.UploadAsync(session, "truncated.mp4", video[..(video.Length / 2)]);
        var settled = await dock.SettledAsync(session.SessionId);

        var tampered = settled.Files.Single(f => f.Name == "tampered.mp4");
        var truncated = settled.Files.Single(f => f.Name == "truncated.mp4");
        Assert.Equal(FileState.Quarantined, tampered.State);
        Assert.Contains("SHA-256", tampered.Reason, StringComparison.Ordinal);
        Assert.Equal(FileState.Quarantined, truncated.State);
        Assert.Contains("bytes", truncated.Reason, StringComparison.Ordinal);
        var quarantine = Storage.GetBlobContainerClient(BlobContainers.Quarantine);
        var kept = quarantine.GetBlobClient(UploadSession.IngestBlobName(dock.Unit, session.SessionId, "tampered.mp4"));
        Assert.Equal(video, (await kept.DownloadContentAsync(Cancel)).Value.Content.ToArray());
        Assert.Contains("SHA-256", (await kept.GetPropertiesAsync(cancellationToken: Cancel)).Value.Metadata["reason"], StringComparison.Ordinal);
        using var notCatalogued = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{Dock.Sha256(video)}", fixture.TokenFor(dock.Unit, Roles.Keeper));
        Assert.Equal(HttpStatusCode.NotFound, notCatalogued.StatusCode);
        Assert.Equal(2, (await AuditAsync(dock.Unit, AuditAction.FootageQuarantined)).Count);
    }

    [Fact]
    public async Task A_file_that_is_not_the_media_it_claims_is_quarantined_as_unreadable()
    {
        var dock = new Dock(fixture, NewUnit());
        var garbage = "this is not a video at all"u8.ToArray();
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("fake.mp4", "video", garbage, Recorded, TimeSpan.FromSeconds(2))));

        await Dock.UploadAsync(session, "fake.mp4", garbage);

        var file = Assert.Single((await dock.SettledAsync(session.SessionId)).Files);
        Assert.Equal(FileState.Quarantined, file.State);
        Assert.Contains("could", file.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_content_uploaded_twice_is_one_record_with_both_uploads()
    {
        var dock = new Dock(fixture, NewUnit());
        var photo = await File.ReadAllBytesAsync(Dock.MediaPath("scene.jpg"), Cancel);
        var first = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero, Dock.FileEntry("a.jpg", "photo", photo, Recorded, TimeSpan.Zero)));
        await Dock.UploadAsync(first, "a.jpg", photo);
        await dock.SettledAsync(first.SessionId);
        var second = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(2), TimeSpan.Zero, Dock.FileEntry("b.jpg", "photo", photo, Recorded, TimeSpan.Zero)));

        await Dock.UploadAsync(second, "b.jpg", photo);

        Assert.Equal(FileState.Duplicate, Assert.Single((await dock.SettledAsync(second.SessionId)).Files).State);
        var record = await dock.FootageAsync(Dock.Sha256(photo));
        Assert.Equal([first.SessionId, second.SessionId], record.Uploads.Select(u => u.SessionId));
        var copies = 0;
        await foreach (var _ in Storage.GetBlobContainerClient(BlobContainers.Footage).GetBlobsAsync(new GetBlobsOptions { Prefix = $"{dock.Unit}/" }, Cancel))
        {
            copies++;
        }

        Assert.Equal(1, copies);
    }

    [Fact]
    public async Task Events_delivered_three_times_and_out_of_order_make_one_record_and_one_copy_each()
    {
        var dock = new Dock(fixture, NewUnit());
        var files = Enumerable.Range(0, 4).Select(i => (Name: $"clip-{i}.wav", Content: WavOf(i))).ToList();
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            [.. files.Select(f => Dock.FileEntry(f.Name, "audio", f.Content, Recorded, TimeSpan.FromSeconds(1)))]));
        foreach (var (name, content) in files)
        {
            await Dock.UploadAsync(session, name, content);
        }

        // Alongside the watcher's own deliveries: every event three more times, shuffled, all at once.
        var ingest = Storage.GetBlobContainerClient(BlobContainers.Ingest);
        var deliveries = files.SelectMany(f => Enumerable.Repeat(f.Name, 3)).OrderBy(_ => Random.Shared.Next())
            .Select(name => DeliverAsync(ingest.GetBlobClient(UploadSession.IngestBlobName(dock.Unit, session.SessionId, name)).Uri));
        await Task.WhenAll(deliveries);

        var settled = await dock.SettledAsync(session.SessionId);
        Assert.All(settled.Files, f => Assert.Equal(FileState.Catalogued, f.State));
        foreach (var (_, content) in files)
        {
            Assert.Single((await dock.FootageAsync(Dock.Sha256(content))).Uploads);
        }

        Assert.Equal(4, (await AuditAsync(dock.Unit, AuditAction.FootageCatalogued)).Count);
    }

    [Fact]
    public async Task A_crash_after_the_copy_and_before_the_record_converges_on_retry()
    {
        var dock = new Dock(fixture, NewUnit());
        var content = WavOf(99);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("crash.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1))));
        var blobName = UploadSession.IngestBlobName(dock.Unit, session.SessionId, "crash.wav");
        using var crash = new CrashAfterCopy(fixture.Hooks, blobName, run => run <= 2);

        await Dock.UploadAsync(session, "crash.wav", content);
        var settled = await dock.SettledAsync(session.SessionId);

        Assert.Equal(FileState.Catalogued, Assert.Single(settled.Files).State);
        Assert.True(crash.Runs >= 3, "The run crashed twice, then succeeded.");
        Assert.Single((await dock.FootageAsync(Dock.Sha256(content))).Uploads);
        Assert.Single(await AuditAsync(dock.Unit, AuditAction.FootageCatalogued));
    }

    [Fact]
    public async Task A_late_second_delivery_never_sets_a_catalogued_file_back()
    {
        var dock = new Dock(fixture, NewUnit());
        var content = WavOf(98);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("twice.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1))));
        var blobName = UploadSession.IngestBlobName(dock.Unit, session.SessionId, "twice.wav");
        await Dock.UploadAsync(session, "twice.wav", content);
        Assert.Equal(FileState.Catalogued, Assert.Single((await dock.SettledAsync(session.SessionId)).Files).State);

        // A second delivery of the same file starts after the first finished and dies half-way.
        var again = Storage.GetBlobContainerClient(BlobContainers.Ingest).GetBlobClient(blobName);
        using (var crash = new CrashAfterCopy(fixture.Hooks, blobName, _ => true))
        {
            await again.UploadAsync(BinaryData.FromBytes(content), Cancel);
            await Eventually.That(() => crash.Runs >= 1, "the second delivery to run", Cancel);

            var file = Assert.Single((await dock.SessionAsync(session.SessionId)).Files);
            Assert.Equal(FileState.Catalogued, file.State);
            Assert.Equal(Dock.Sha256(content), file.FootageId);
        }

        await Eventually.That(async () => !(await again.ExistsAsync(Cancel)).Value, "the redelivered blob to leave ingest", Cancel);
        Assert.Equal(FileState.Catalogued, Assert.Single((await dock.SessionAsync(session.SessionId)).Files).State);
        Assert.Single((await dock.FootageAsync(Dock.Sha256(content))).Uploads);
        Assert.Single(await AuditAsync(dock.Unit, AuditAction.FootageCatalogued));
    }

    [Fact]
    public async Task A_recorder_docked_more_than_24_hours_after_the_recording_is_flagged_late()
    {
        var dock = new Dock(fixture, NewUnit());
        var content = WavOf(7);
        // Recorded 30 hours before AvCloud received it: past the 24 hours, by AvCloud's clock.
        var session = await dock.OpenAsync(Dock.Manifest(Recent.HoursAgo(0.5), TimeSpan.Zero,
            Dock.FileEntry("late.wav", "audio", content, Recent.HoursAgo(30), TimeSpan.FromSeconds(1))));

        await Dock.UploadAsync(session, "late.wav", content);
        await dock.SettledAsync(session.SessionId);

        var record = await dock.FootageAsync(Dock.Sha256(content));
        Assert.False(record.HandedOverInTime);
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/footage?uploadedLate=true", fixture.TokenFor(dock.Unit, Roles.Supervisor));
        var page = (await response.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options, Cancel))!;
        Assert.Equal(record.Id, Assert.Single(page.Items).Id);
    }

    [Fact]
    public async Task A_blob_with_no_session_is_quarantined_and_audited()
    {
        var unit = NewUnit();
        var stray = Storage.GetBlobContainerClient(BlobContainers.Ingest).GetBlobClient($"{unit}/no-such-session/stray.mp4");

        await stray.UploadAsync(BinaryData.FromString("who sent this?"), Cancel);

        await Eventually.That(async () => !(await stray.ExistsAsync(Cancel)).Value, "the stray blob to leave ingest", Cancel);
        var kept = Storage.GetBlobContainerClient(BlobContainers.Quarantine).GetBlobClient(stray.Name);
        Assert.Contains("No upload session", (await kept.GetPropertiesAsync(cancellationToken: Cancel)).Value.Metadata["reason"], StringComparison.Ordinal);
        Assert.Single(await AuditAsync(unit, AuditAction.FootageQuarantined));
    }

    [Fact]
    public async Task WatchUploads_redrives_a_stuck_blob_and_reports_files_that_never_arrived()
    {
        var dock = new Dock(fixture, NewUnit());
        var content = WavOf(42);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("stuck.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1)),
            Dock.FileEntry("never.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1))));
        var blobName = UploadSession.IngestBlobName(dock.Unit, session.SessionId, "stuck.wav");
        using var crash = new CrashAfterCopy(fixture.Hooks, blobName, _ => true);
        await Dock.UploadAsync(session, "stuck.wav", content);
        await Eventually.That(() => crash.Runs >= 1, "the first run of the stuck blob", Cancel);
        // Older than RedriveAfter (1 s here) by storage's real clock, which the cloud shared by all tests cannot shift.
        await Task.Delay(1500, Cancel);
        crash.Stop();
        // The upload window closes (as if hours had passed).
        var uploads = fixture.Cloud.Services.GetRequiredService<Microsoft.Azure.Cosmos.Database>().GetContainer("uploads");
        var stored = (await uploads.ReadItemAsync<UploadSession>(session.SessionId, new Microsoft.Azure.Cosmos.PartitionKey(dock.Unit), cancellationToken: Cancel)).Resource;
        await uploads.ReplaceItemAsync(stored with { UploadExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, stored.Id,
            new Microsoft.Azure.Cosmos.PartitionKey(dock.Unit), cancellationToken: Cancel);

        using var run = await fixture.Admin.PostAsync("/admin/functions/WatchUploads", content: null, Cancel);

        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var after = await dock.SessionAsync(session.SessionId);
        Assert.Equal(FileState.Catalogued, after.Files.Single(f => f.Name == "stuck.wav").State);
        Assert.Equal(FileState.Missing, after.Files.Single(f => f.Name == "never.wav").State);
        Assert.Contains("never.wav", Assert.Single(await AuditAsync(dock.Unit, AuditAction.UploadMissing)).Details["files"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Officers_see_their_own_recordings_and_other_units_see_nothing()
    {
        var dock = new Dock(fixture, NewUnit());
        var content = WavOf(5);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("mine.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "mine.wav", content);
        await dock.SettledAsync(session.SessionId);
        var id = Dock.Sha256(content);

        var own = fixture.Cloud.Issuer.Mint("officer-zhang", dock.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var colleague = fixture.Cloud.Issuer.Mint("officer-wang", dock.Unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        using var mine = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}", own);
        using var theirs = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}", colleague);
        using var otherUnit = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}", fixture.TokenFor(NewUnit(), Roles.Keeper));
        using var listForColleague = await fixture.SendAsync(HttpMethod.Get, "/api/footage", colleague);
        using var reviewer = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}", fixture.TokenFor(dock.Unit, Roles.Reviewer));

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        Assert.Empty((await listForColleague.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options, Cancel))!.Items);
        // Reviewers search the catalogue to know what to ask access for; unclassified details are theirs to see.
        Assert.Equal(HttpStatusCode.OK, reviewer.StatusCode);
        Assert.Contains(await AuditAsync(dock.Unit, AuditAction.FootageRead), e => e.Actor == "officer-zhang" && e.Outcome == AuditOutcomes.Success);
    }

    [Fact]
    public async Task The_catalogue_filters_by_device_kind_and_time_and_pages()
    {
        var unit = NewUnit();
        var dock = new Dock(fixture, unit);
        var photo = await File.ReadAllBytesAsync(Dock.MediaPath("scene.jpg"), Cancel);
        var first = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("a.wav", "audio", WavOf(201), Recorded, TimeSpan.FromSeconds(1)),
            Dock.FileEntry("b.wav", "audio", WavOf(202), Recorded.AddHours(-2), TimeSpan.FromSeconds(1))));
        var secondManifest = Dock.Node(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("c.wav", "audio", WavOf(203), Recorded.AddHours(-4), TimeSpan.FromSeconds(1)),
            Dock.FileEntry("d.jpg", "photo", photo, Recorded.AddHours(-6), TimeSpan.Zero)));
        secondManifest["deviceId"] = "bwc-0099";
        await dock.RegisterDeviceAsync("bwc-0099");
        var second = await dock.OpenAsync(secondManifest);
        await Dock.UploadAsync(first, "a.wav", WavOf(201));
        await Dock.UploadAsync(first, "b.wav", WavOf(202));
        await Dock.UploadAsync(second, "c.wav", WavOf(203));
        await Dock.UploadAsync(second, "d.jpg", photo);
        await dock.SettledAsync(first.SessionId);
        await dock.SettledAsync(second.SessionId);
        var token = fixture.TokenFor(unit, Roles.Head);

        async Task<FootagePage> List(string query)
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/footage{query}", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options, Cancel))!;
        }

        Assert.Equal(2, (await List("?device=bwc-0042")).Items.Count);
        Assert.Equal("d.jpg", Assert.Single((await List("?kind=photo")).Items).Uploads[0].FileName);
        Assert.Equal(["a.wav", "b.wav"], (await List($"?recordedFrom={Uri.EscapeDataString(Recorded.AddHours(-3).ToString("O"))}")).Items.Select(i => i.Uploads[0].FileName));
        var page = await List("?pageSize=3");
        Assert.Equal(["a.wav", "b.wav", "c.wav"], page.Items.Select(i => i.Uploads[0].FileName));
        var rest = await List($"?pageSize=3&continuationToken={Uri.EscapeDataString(page.ContinuationToken!)}");
        Assert.Equal("d.jpg", Assert.Single(rest.Items).Uploads[0].FileName);
        using var bad = await fixture.SendAsync(HttpMethod.Get, "/api/footage?kind=hologram", token);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private async Task DeliverAsync(Uri blob)
    {
        var created = new Azure.Messaging.EventGrid.EventGridEvent("/blobServices/default/containers/ingest/blobs/x", "Microsoft.Storage.BlobCreated", "1",
            new { api = "PutBlockList", url = blob.ToString(), blobType = "BlockBlob" });
        using var content = new StringContent(BinaryData.FromObjectAsJson(new[] { created }).ToString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await fixture.Http.PostAsync(fixture.Webhook("CatalogueUpload"), content, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<List<AuditEvent>> AuditAsync(string unit, AuditAction action)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in fixture.Cloud.Services.GetRequiredService<AuditTrail>().ReadChainAsync(unit, Cancel))
        {
            if (e.Action == action.Name)
            {
                events.Add(e);
            }
        }

        return events;
    }

    internal static byte[] WavOf(int seed) => SyntheticWav.Create(seed, 8000);
}
