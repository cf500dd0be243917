using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cases;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Storage;
using AvCloud.Tests.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Cases;

/// <summary>
/// Cases (案件) through the API: a number unique in the unit, activities grouped and ungrouped, the case view, footage
/// found by case number or name (never classified footage its reader may not see), and holds on a whole case (Art. 16)
/// that hold every recording in it and every one linked later, released together. Another unit's case is not found
/// and nothing changes.
/// </summary>
public sealed class CaseTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Nine = Recent.HoursAgo(8);

    private const string Zhang = "officer-zhang";

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        await fixture.SendAsync(method, path, token, body is null ? null : JsonContent.Create(body));

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancel)}");
        return (await response.Content.ReadFromJsonAsync<T>(AvCloudJson.Options, Cancel))!;
    }

    private async Task<EnforcementCase> OpenAsync(string unit, string number, string name)
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/cases", fixture.TokenFor(unit, Roles.Keeper), new { number, name });
        return await ReadAsync<EnforcementCase>(created, HttpStatusCode.Created);
    }

    private async Task<Activity> ActivityAsync(string unit, int fromMinute, int toMinute)
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/activities", fixture.TokenFor(unit, Roles.Keeper), new
        {
            kind = "investigation", officers = new[] { Zhang }, place = "No. 3 market", start = Nine.AddMinutes(fromMinute), end = Nine.AddMinutes(toMinute),
        });
        return await ReadAsync<Activity>(created, HttpStatusCode.Created);
    }

    private async Task AddAsync(string unit, string caseId, string activityId)
    {
        using var added = await SendAsync(HttpMethod.Post, $"/api/cases/{caseId}/activities", fixture.TokenFor(unit, Roles.Keeper), new { activityId });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
    }

    private async Task<Dock> CheckedOutDockAsync(string unit)
    {
        var dock = new Dock(fixture, unit);
        await dock.RegisterDeviceAsync();
        using var checkout = await SendAsync(HttpMethod.Post, $"/api/devices/{Dock.DeviceId}/checkouts", fixture.TokenFor(unit, Roles.Keeper),
            new { officerId = Zhang, condition = "ok", at = Nine.AddHours(-1), check = Checks.Passing });
        Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        return dock;
    }

    /// <summary>Docks one recording (minutes after nine, naming an activity or not) and returns its id once catalogued.</summary>
    private static async Task<string> DockAsync(Dock dock, int seed, int fromMinute, int toMinute, string? activityId = null)
    {
        var content = SyntheticWav.Create(seed, 8000);
        var session = await dock.OpenAsync(Dock.Manifest(Nine.AddHours(3), TimeSpan.Zero, new
        {
            name = "r.wav", kind = "audio", size = content.Length, sha256 = Dock.Sha256(content),
            recordedStart = Nine.AddMinutes(fromMinute), recordedEnd = Nine.AddMinutes(toMinute), activityId,
        }));
        await Dock.UploadAsync(session, "r.wav", content);
        await dock.SettledAsync(session.SessionId);
        return Dock.Sha256(content);
    }

    private async Task<IReadOnlyList<AuditEvent>> AuditAsync(string unit, AuditAction action)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/audit?action={action.Name}&pageSize=200", fixture.TokenFor(unit, Roles.Supervisor));
        return (await ReadAsync<AuditPage>(response, HttpStatusCode.OK)).Items;
    }

    [Fact]
    public async Task A_case_number_is_unique_in_its_unit_and_cases_are_listed_and_searched_by_number_or_name()
    {
        var unit = NewUnit();
        var keeper = fixture.TokenFor(unit, Roles.Keeper);
        var opened = await OpenAsync(unit, "WG-2026-311", "Unlicensed stall at the night market");
        await OpenAsync(unit, "WG-2026-400", "Noise complaint");

        using var again = await SendAsync(HttpMethod.Post, "/api/cases", keeper, new { number = " wg-2026-311 ", name = "Another name" });
        using var byOfficer = await SendAsync(HttpMethod.Post, "/api/cases", fixture.TokenFor(unit, Roles.Officer), new { number = "WG-1", name = "x" });
        using var bad = await SendAsync(HttpMethod.Post, "/api/cases", keeper, new { number = "", name = "line\nbreak" });
        using var malformed = await fixture.SendAsync(HttpMethod.Post, "/api/cases", keeper, new StringContent("{\"number\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var badText = await bad.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("\"number\"", badText, StringComparison.Ordinal);
        Assert.Contains("\"name\"", badText, StringComparison.Ordinal);
        Assert.Equal(AuditOutcomes.Denied, Assert.Single(await AuditAsync(unit, AuditAction.CaseCreated), e => e.Outcome != AuditOutcomes.Success).Outcome);

        // Another unit may use the same number: its own case, and neither sees the other's.
        var elsewhere = NewUnit();
        await OpenAsync(elsewhere, "WG-2026-311", "Their case");

        async Task<IReadOnlyList<string>> ListAsync(string inUnit, string query, string role = Roles.Supervisor)
        {
            using var listed = await SendAsync(HttpMethod.Get, $"/api/cases{query}", fixture.TokenFor(inUnit, role));
            return [.. (await ReadAsync<CasePage>(listed, HttpStatusCode.OK)).Items.Select(c => c.Name)];
        }

        Assert.Equal(["Unlicensed stall at the night market", "Noise complaint"], await ListAsync(unit, ""));
        Assert.Equal(["Unlicensed stall at the night market"], await ListAsync(unit, "?q=2026-311"));
        Assert.Equal(["Noise complaint"], await ListAsync(unit, "?q=NOISE"));
        Assert.Equal(["Their case"], await ListAsync(elsewhere, "?q=wg-2026-311"));
        using var byReviewer = await SendAsync(HttpMethod.Get, "/api/cases", fixture.TokenFor(unit, Roles.Reviewer));
        using var otherUnitRead = await SendAsync(HttpMethod.Get, $"/api/cases/{opened.Id}", fixture.TokenFor(NewUnit(), Roles.Head));
        Assert.Equal(HttpStatusCode.Forbidden, byReviewer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnitRead.StatusCode);
    }

    [Fact]
    public async Task Activities_join_and_leave_a_case_audited_and_another_units_case_or_activity_changes_nothing()
    {
        var unit = NewUnit();
        var keeper = fixture.TokenFor(unit, Roles.Keeper);
        var opened = await OpenAsync(unit, "WG-2026-500", "Market inspection");
        var activity = await ActivityAsync(unit, 0, 60);
        var path = $"/api/cases/{opened.Id}/activities";

        var outsider = NewUnit();
        var theirs = await ActivityAsync(outsider, 0, 60);
        using var fromOtherUnit = await SendAsync(HttpMethod.Post, path, fixture.TokenFor(outsider, Roles.Keeper), new { activityId = theirs.Id });
        using var theirActivity = await SendAsync(HttpMethod.Post, path, keeper, new { activityId = theirs.Id });
        using var unknownCase = await SendAsync(HttpMethod.Post, "/api/cases/case-0000/activities", keeper, new { activityId = activity.Id });
        using var byOfficer = await SendAsync(HttpMethod.Post, path, fixture.TokenFor(unit, Roles.Officer), new { activityId = activity.Id });
        Assert.Equal(HttpStatusCode.NotFound, fromOtherUnit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, theirActivity.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownCase.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);

        using var added = await SendAsync(HttpMethod.Post, path, keeper, new { activityId = activity.Id, reason = "same stall" });
        using var twice = await SendAsync(HttpMethod.Post, path, keeper, new { activityId = activity.Id });
        Assert.Equal([activity.Id], (await ReadAsync<EnforcementCase>(added, HttpStatusCode.OK)).ActivityIds);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);

        using var removeOtherUnit = await SendAsync(HttpMethod.Delete, $"{path}/{activity.Id}", fixture.TokenFor(outsider, Roles.Keeper), new { reason = "r" });
        using var removeNoReason = await SendAsync(HttpMethod.Delete, $"{path}/{activity.Id}", keeper, new { });
        Assert.Equal(HttpStatusCode.NotFound, removeOtherUnit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, removeNoReason.StatusCode);
        using (var view = await SendAsync(HttpMethod.Get, $"/api/cases/{opened.Id}", keeper))
        {
            Assert.Equal([activity.Id], (await ReadAsync<CaseView>(view, HttpStatusCode.OK)).Case.ActivityIds);
        }

        using var removed = await SendAsync(HttpMethod.Delete, $"{path}/{activity.Id}", keeper, new { reason = "a different stall after all" });
        using var removedTwice = await SendAsync(HttpMethod.Delete, $"{path}/{activity.Id}", keeper, new { reason = "again" });
        Assert.Empty((await ReadAsync<EnforcementCase>(removed, HttpStatusCode.OK)).ActivityIds);
        Assert.Equal(HttpStatusCode.NotFound, removedTwice.StatusCode);

        var addedEvents = await AuditAsync(unit, AuditAction.CaseActivityAdded);
        Assert.Equal(activity.Id, Assert.Single(addedEvents, e => e.Outcome == AuditOutcomes.Success).Details["activity"]);
        Assert.Equal("a different stall after all", Assert.Single(await AuditAsync(unit, AuditAction.CaseActivityRemoved), e => e.Outcome == AuditOutcomes.Success).Details["reason"]);
        Assert.DoesNotContain(await AuditAsync(outsider, AuditAction.CaseActivityAdded), e => e.Outcome == AuditOutcomes.Success);
    }

    [Fact]
    public async Task The_case_view_and_a_footage_search_by_case_show_its_footage_holds_requests_and_coverage_but_never_classified_footage_to_those_not_cleared()
    {
        var unit = NewUnit();
        var dock = await CheckedOutDockAsync(unit);
        var keeper = fixture.TokenFor(unit, Roles.Keeper);
        var supervisor = fixture.TokenFor(unit, Roles.Supervisor);
        var opened = await OpenAsync(unit, "WG-2026-600", "Night market stall");
        var activity = await ActivityAsync(unit, 0, 60);
        await AddAsync(unit, opened.Id, activity.Id);
        var open = await DockAsync(dock, 2201, 0, 20, activity.Id);
        var secret = await DockAsync(dock, 2202, 30, 40, activity.Id);
        var outside = await DockAsync(dock, 2203, 200, 210);
        using (var classified = await SendAsync(HttpMethod.Put, $"/api/footage/{secret}/classification", keeper, new { level = "privacy", reason = "a minor is recorded" }))
        {
            Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
        }

        using (var asked = await SendAsync(HttpMethod.Post, "/api/access-requests", fixture.TokenFor(unit, Roles.Reviewer), new
        {
            footageIds = new[] { open }, purpose = "complaint review", caseName = opened.Name, caseNumber = opened.Number, mode = "view", duration = "PT1H",
        }))
        {
            Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        }

        using var bySupervisor = await SendAsync(HttpMethod.Get, $"/api/cases/{opened.Id}", supervisor);
        var view = await ReadAsync<CaseView>(bySupervisor, HttpStatusCode.OK);
        Assert.Equal([open], view.Footage.Select(f => f.Id));
        Assert.Equal(1, view.Withheld);
        Assert.Equal(activity.Id, Assert.Single(view.Activities).Activity.Id);
        Assert.Equal((3600, 1200), (view.Coverage.SpanSeconds, view.Coverage.CoveredSeconds));
        var request = Assert.Single(view.Requests);
        Assert.Equal(("complaint review", Functions.Access.AccessStatus.Pending), (request.Purpose, request.Status));
        using var byKeeper = await SendAsync(HttpMethod.Get, $"/api/cases/{opened.Id}", keeper);
        Assert.Equal(new[] { open, secret }.Order(StringComparer.Ordinal), (await ReadAsync<CaseView>(byKeeper, HttpStatusCode.OK)).Footage.Select(f => f.Id).Order(StringComparer.Ordinal));
        Assert.Contains(await AuditAsync(unit, AuditAction.CaseRead), e => e.Target == $"cases/{opened.Id}" && e.Outcome == AuditOutcomes.Success);

        async Task<IReadOnlyList<string>> SearchAsync(string query, string token)
        {
            using var listed = await SendAsync(HttpMethod.Get, $"/api/footage?case={Uri.EscapeDataString(query)}", token);
            return [.. (await ReadAsync<FootagePage>(listed, HttpStatusCode.OK)).Items.Select(f => f.Id).Order(StringComparer.Ordinal)];
        }

        Assert.Equal(new[] { open, secret }.Order(StringComparer.Ordinal), await SearchAsync("WG-2026-600", keeper));
        Assert.Equal(new[] { open, secret }.Order(StringComparer.Ordinal), await SearchAsync("night market", keeper));
        Assert.Equal([open], await SearchAsync("wg-2026-600", supervisor));
        Assert.Empty(await SearchAsync("WG-9999", keeper));
        Assert.Empty(await SearchAsync("WG-2026-600", fixture.TokenFor(NewUnit(), Roles.Keeper)));
        Assert.DoesNotContain(outside, await SearchAsync("WG", keeper));
        using var withheldByCase = await SendAsync(HttpMethod.Get, "/api/footage?withheld=true&case=WG-2026-600", supervisor);
        Assert.Equal(HttpStatusCode.BadRequest, withheldByCase.StatusCode);
    }

    private BlobClient FootageBlob(FootageRecord record) =>
        new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);

    private BlobClient SecondCopy(FootageRecord record) =>
        new BlobServiceClient(fixture.Cloud.PreservationConnectionString).GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(record.BlobName);

    [Fact]
    public async Task A_case_hold_holds_every_recording_in_it_and_those_linked_later_and_its_release_releases_only_the_holds_it_placed()
    {
        var unit = NewUnit();
        var dock = await CheckedOutDockAsync(unit);
        var keeper = fixture.TokenFor(unit, Roles.Keeper);
        var head = fixture.TokenFor(unit, Roles.Head);
        var opened = await OpenAsync(unit, "WG-2026-700", "Assault on officers");
        var first = await ActivityAsync(unit, 0, 60);
        var second = await ActivityAsync(unit, 100, 130);
        var later = await ActivityAsync(unit, 160, 170);
        await AddAsync(unit, opened.Id, first.Id);
        var before = await DockAsync(dock, 2301, 0, 20, first.Id);
        using (var own = await SendAsync(HttpMethod.Post, $"/api/footage/{before}/holds", keeper,
            new { reason = "dispute", caseName = "complaint", caseNumber = "C-1", requestedBy = "complainant" }))
        {
            Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        }

        var holds = $"/api/cases/{opened.Id}/holds";
        using var byOfficer = await SendAsync(HttpMethod.Post, holds, fixture.TokenFor(unit, Roles.Officer), new { reason = "obstruction", requestedBy = "head" });
        using var otherUnit = await SendAsync(HttpMethod.Post, holds, fixture.TokenFor(NewUnit(), Roles.Keeper), new { reason = "obstruction", requestedBy = "head" });
        using var noWhy = await SendAsync(HttpMethod.Post, holds, keeper, new { reason = "other", requestedBy = "head" });
        Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noWhy.StatusCode);
        Assert.Single((await dock.FootageAsync(before)).Holds);

        using var placed = await SendAsync(HttpMethod.Post, holds, keeper, new { reason = "obstruction", requestedBy = "the unit head" });
        var hold = Assert.Single((await ReadAsync<EnforcementCase>(placed, HttpStatusCode.Created)).Holds);
        var held = await dock.FootageAsync(before);
        var byCase = Assert.Single(held.Holds, h => h.Id == hold.Id);
        Assert.Equal((opened.Id, opened.Name, opened.Number), (byCase.CaseId, byCase.CaseName, byCase.CaseNumber));

        // Linked later while the hold stands: by the rule at cataloguing, by the activity joining the case, by a keeper's relink, by the manifest.
        var byRule = await DockAsync(dock, 2302, 30, 40);
        var joined = await DockAsync(dock, 2303, 105, 115, second.Id);
        await AddAsync(unit, opened.Id, second.Id);
        var relinked = await DockAsync(dock, 2304, 162, 168);
        Assert.Equal(later.Id, (await dock.FootageAsync(relinked)).ActivityId);
        Assert.Empty((await dock.FootageAsync(relinked)).Holds);
        using (var relink = await SendAsync(HttpMethod.Put, $"/api/footage/{relinked}/activity", keeper, new { activityId = first.Id, reason = "the same incident" }))
        {
            Assert.Equal(HttpStatusCode.OK, relink.StatusCode);
        }

        var named = await DockAsync(dock, 2306, 50, 55, first.Id);
        foreach (var id in new[] { byRule, joined, relinked, named })
        {
            var record = await dock.FootageAsync(id);
            Assert.Equal(hold.Id, Assert.Single(record.Holds).Id);
            Assert.True((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
            Assert.True((await SecondCopy(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        }

        // The case's hold on one recording goes only with the case hold.
        using (var alone = await SendAsync(HttpMethod.Delete, $"/api/footage/{byRule}/holds/{hold.Id}", head, new { reason = "just this one" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, alone.StatusCode);
        }

        using var byKeeper = await SendAsync(HttpMethod.Delete, $"{holds}/{hold.Id}", keeper, new { reason = "case closed" });
        using var noReason = await SendAsync(HttpMethod.Delete, $"{holds}/{hold.Id}", head, new { });
        using var otherUnitRelease = await SendAsync(HttpMethod.Delete, $"{holds}/{hold.Id}", fixture.TokenFor(NewUnit(), Roles.Head), new { reason = "r" });
        Assert.Equal(HttpStatusCode.Forbidden, byKeeper.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherUnitRelease.StatusCode);
        Assert.Equal(hold.Id, Assert.Single((await dock.FootageAsync(byRule)).Holds).Id);

        using var released = await SendAsync(HttpMethod.Delete, $"{holds}/{hold.Id}", head, new { reason = "the court has ruled" });
        Assert.Empty((await ReadAsync<EnforcementCase>(released, HttpStatusCode.OK)).Holds);
        foreach (var id in new[] { byRule, joined, relinked, named })
        {
            var record = await dock.FootageAsync(id);
            Assert.Empty(record.Holds);
            Assert.False((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        }

        // The hold placed on the recording itself stays.
        var kept = await dock.FootageAsync(before);
        Assert.Equal("C-1", Assert.Single(kept.Holds).CaseNumber);
        Assert.True((await FootageBlob(kept).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.Equal(5, (await AuditAsync(unit, AuditAction.HoldReleased)).Count(e => e.Outcome == AuditOutcomes.Success && e.Details["reason"] == "the court has ruled"));
        Assert.Single(await AuditAsync(unit, AuditAction.CaseHoldReleased), e => e.Outcome == AuditOutcomes.Success);

        // A recording linked after the release is not held.
        var afterRelease = await DockAsync(dock, 2305, 45, 50);
        Assert.Empty((await dock.FootageAsync(afterRelease)).Holds);
    }

    [Fact]
    public async Task A_case_hold_placed_on_a_recording_after_the_case_let_it_go_is_taken_off_again()
    {
        var unit = NewUnit();
        var dock = await CheckedOutDockAsync(unit);
        var opened = await OpenAsync(unit, "WG-2026-800", "Late release");
        var activity = await ActivityAsync(unit, 0, 60);
        await AddAsync(unit, opened.Id, activity.Id);
        using var placed = await SendAsync(HttpMethod.Post, $"/api/cases/{opened.Id}/holds", fixture.TokenFor(unit, Roles.Keeper), new { reason = "majorCase", requestedBy = "the head" });
        var held = await ReadAsync<EnforcementCase>(placed, HttpStatusCode.Created);
        using (var released = await SendAsync(HttpMethod.Delete, $"/api/cases/{opened.Id}/holds/{held.Holds[0].Id}", fixture.TokenFor(unit, Roles.Head), new { reason = "ruled" }))
        {
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        }

        var id = await DockAsync(dock, 2401, 10, 20, activity.Id);
        Assert.Empty((await dock.FootageAsync(id)).Holds);

        // A writer that read the case while its hold stood, and holds the recording only now: the hold does not stay.
        var caseHolds = fixture.Cloud.Services.GetRequiredService<CaseHolds>();
        await caseHolds.HoldRecordingsAsync(Functions.Footage.ActivityLinker.System(unit), held, held.Holds, [activity.Id], Cancel);

        var record = await dock.FootageAsync(id);
        Assert.Empty(record.Holds);
        Assert.False((await FootageBlob(record).GetPropertiesAsync(cancellationToken: Cancel)).Value.HasLegalHold);
        Assert.Contains(await AuditAsync(unit, AuditAction.HoldReleased), e => e.Target == $"footage/{id}" && e.Details["hold"] == held.Holds[0].Id);
    }
}
