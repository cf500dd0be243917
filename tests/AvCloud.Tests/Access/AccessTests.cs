using System.Net;
using System.Net.Http.Json;
using Azure;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Access;

/// <summary>
/// Access to footage (调阅) end to end, with real tokens against the local cloud: request, approval by the unit's rules,
/// read links checked by storage itself, classification, revocation, expiry, and the audit of every step.
/// </summary>
public sealed class AccessTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Recorded = Recent.HoursAgo(5);

    /// <summary>A unit with catalogued recordings, and the people who work there.</summary>
    private sealed class Unit(LocalCloudFixture fixture, string id, IReadOnlyList<FootageRecord> footage)
    {
        public string Id { get; } = id;

        public IReadOnlyList<FootageRecord> Footage { get; } = footage;

        public string Reviewer { get; } = fixture.TokenFor(id, Roles.Reviewer);

        public string Keeper { get; } = fixture.TokenFor(id, Roles.Keeper);

        public string OtherKeeper { get; } = fixture.TokenFor(id, Roles.Keeper);

        public string Head { get; } = fixture.TokenFor(id, Roles.Head);

        public string Supervisor { get; } = fixture.TokenFor(id, Roles.Supervisor);
    }

    private async Task<Unit> UnitAsync(int seed, int count = 2)
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        return new Unit(fixture, dock.Unit, await dock.CataloguedAudioAsync(seed, count, Recorded));
    }

    private static object Ask(IEnumerable<FootageRecord> footage, string mode = "view", string duration = "PT8H") => new
    {
        footageIds = footage.Select(f => f.Id).ToArray(),
        purpose = "administrative reconsideration",
        caseName = "street vendor dispute",
        caseNumber = "XZFY-2026-118",
        mode,
        duration,
    };

    private async Task<HttpResponseMessage> PostAsync(string path, string token, object? body = null) =>
        await fixture.SendAsync(HttpMethod.Post, path, token, JsonContent.Create(body ?? new { }));

    private async Task<AccessRequest> RequestAsync(string token, object body)
    {
        using var response = await PostAsync("/api/access-requests", token, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!;
    }

    private async Task<HttpStatusCode> DecideAsync(string id, string verb, string token, object? body = null)
    {
        using var response = await PostAsync($"/api/access-requests/{id}/{verb}", token, body);
        return response.StatusCode;
    }

    /// <summary>One open of a recording under a view request, as a browser makes it: the requester's token and a user agent.</summary>
    private async Task<HttpResponseMessage> OpenAsync(string id, string footageId, string token)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, $"/api/access-requests/{id}/footage/{footageId}/view");
        message.Headers.Authorization = new("Bearer", token);
        message.Headers.UserAgent.ParseAdd("AvCloudViewer/1.0");
        return await fixture.Http.SendAsync(message, Cancel);
    }

    private async Task<ReadLink> ViewAsync(string id, string footageId, string token)
    {
        using var response = await OpenAsync(id, footageId, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<ReadLink>(AvCloudJson.Options, Cancel))!;
    }

    private async Task<HttpStatusCode> ViewStatusAsync(string id, string footageId, string token)
    {
        using var response = await OpenAsync(id, footageId, token);
        return response.StatusCode;
    }

    /// <summary>The expiry storage will enforce on a SAS URL: its <c>se</c>.</summary>
    private static DateTimeOffset SignedExpiry(Uri url) => new BlobUriBuilder(url).Sas.ExpiresOn;

    private async Task<HttpStatusCode> PackageStatusAsync(string id, string token)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/access-requests/{id}/package", token);
        // The whole package is read: its end is written (and audited) only as the caller takes it.
        await response.Content.CopyToAsync(Stream.Null, Cancel);
        return response.StatusCode;
    }

    private async Task<IReadOnlyList<AuditEvent>> AuditAsync(Unit unit, AuditAction action)
    {
        // The head reads the whole trail: a supervisor is not shown events about classified recordings (Art. 14).
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/audit?action={action.Name}", unit.Head);
        return (await response.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items;
    }

    private static string[] Ids(params string[] ids) => ids;

    private static async Task<RequestFailedException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<RequestFailedException>(call);

    [Fact]
    public async Task A_reviewer_asks_the_keeper_approves_and_each_open_plays_exactly_the_footage()
    {
        var unit = await UnitAsync(1201);
        var asked = await RequestAsync(unit.Reviewer, Ask(unit.Footage));
        Assert.Equal(AccessStatus.Pending, asked.Status);
        Assert.Equal(Roles.Keeper, asked.ApproverRole);

        Assert.Equal(HttpStatusCode.OK, await DecideAsync(asked.Id, "approve", unit.Keeper, new { reason = "case file complete" }));
        ReadLink[] links = [await ViewAsync(asked.Id, unit.Footage[0].Id, unit.Reviewer), await ViewAsync(asked.Id, unit.Footage[1].Id, unit.Reviewer)];

        foreach (var link in links)
        {
            var blob = new BlobClient(link.Url);
            var download = (await blob.DownloadContentAsync(Cancel)).Value;
            Assert.Equal(link.Sha256, Dock.Sha256(download.Content.ToArray()));
            Assert.Equal($"inline; filename=\"{link.FileName}\"", download.Details.ContentDisposition);
            Assert.True(link.ExpiresAt <= DateTimeOffset.UtcNow.AddMinutes(5));
        }

        // The link reads that one blob only: not another, not a write, not a listing, not with a changed signature.
        var first = new BlobUriBuilder(links[0].Url);
        var other = new BlobUriBuilder(links[0].Url) { BlobName = unit.Footage[1].BlobName };
        Assert.Equal(403, (await RefusedAsync(() => new BlobClient(other.ToUri()).DownloadContentAsync(Cancel))).Status);
        Assert.Equal(403, (await RefusedAsync(() => new BlobClient(links[0].Url).UploadAsync(new BinaryData([1, 2, 3]), overwrite: true, Cancel))).Status);
        var container = new BlobUriBuilder(links[0].Url) { BlobName = "" };
        Assert.Equal(403, (await RefusedAsync(() => new BlobContainerClient(container.ToUri()).GetBlobsAsync(cancellationToken: Cancel).AsPages().GetAsyncEnumerator(Cancel).MoveNextAsync().AsTask())).Status);
        var tampered = new Uri(links[0].Url.ToString().Replace("sp=r", "sp=rw", StringComparison.Ordinal));
        Assert.Equal(403, (await RefusedAsync(() => new BlobClient(tampered).DownloadContentAsync(Cancel))).Status);
        Assert.Equal(403, (await RefusedAsync(() => new BlobClient(links[0].Url).DeleteAsync(cancellationToken: Cancel))).Status);
        Assert.Equal(403, (await RefusedAsync(() => new BlobClient(new Uri(first.ToUri().ToString().Replace("sig=", "sig=A", StringComparison.Ordinal))).DownloadContentAsync(Cancel))).Status);

        // Every step is in the audit trail, and the custody view shows each access.
        Assert.Single(await AuditAsync(unit, AuditAction.AccessRequested));
        Assert.Single(await AuditAsync(unit, AuditAction.AccessApproved));
        var issued = await AuditAsync(unit, AuditAction.FootageViewed);
        Assert.Equal(2, issued.Count(e => e.Outcome == AuditOutcomes.Success));
        Assert.All(issued, e => Assert.Equal("administrative reconsideration", e.Details["purpose"]));
        Assert.All(issued, e => Assert.Equal(("127.0.0.1", "AvCloudViewer/1.0", asked.RequestedBy), (e.Details["address"], e.Details["agent"], e.Actor)));
        using var custody = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{unit.Footage[0].Id}/custody", unit.Keeper);
        var accesses = (await custody.Content.ReadFromJsonAsync<Custody>(AvCloudJson.Options, Cancel))!.Accesses;
        Assert.Contains(accesses, e => e.Action == AuditAction.FootageViewed.Name && e.Details["request"] == asked.Id && e.Actor == asked.RequestedBy);
    }

    [Fact]
    public async Task A_view_is_opened_by_the_requester_only_and_its_link_lives_minutes()
    {
        var unit = await UnitAsync(1331, 1);
        var asked = await RequestAsync(unit.Reviewer, Ask(unit.Footage));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(asked.Id, "approve", unit.Keeper));

        var opened = DateTimeOffset.UtcNow;
        var link = await ViewAsync(asked.Id, unit.Footage[0].Id, unit.Reviewer);
        // Storage enforces se: five minutes (AvCloud:Access:ViewLinkLifetime), not the request's eight hours.
        var signedExpiry = SignedExpiry(link.Url);
        Assert.InRange(signedExpiry, opened.AddMinutes(4), opened.AddMinutes(5).AddSeconds(5));
        Assert.InRange(link.ExpiresAt, opened.AddMinutes(4), opened.AddMinutes(5).AddSeconds(5));

        // The address forwarded to someone else opens nothing: another reviewer is told "not found", the keeper (who
        // sees every request) is refused as not the requester.
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync(asked.Id, unit.Footage[0].Id, fixture.TokenFor(unit.Id, Roles.Reviewer)));
        Assert.Equal(HttpStatusCode.Forbidden, await ViewStatusAsync(asked.Id, unit.Footage[0].Id, unit.Keeper));
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync(asked.Id, new string('c', 64), unit.Reviewer));

        var views = await AuditAsync(unit, AuditAction.FootageViewed);
        Assert.Single(views, e => e.Outcome == AuditOutcomes.Success);
        Assert.Contains(views, e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "not the requester");
    }

    [Fact]
    public async Task A_copy_needs_the_head_and_is_taken_as_an_evidence_package_not_as_links()
    {
        var unit = await UnitAsync(1211, 1);
        var asked = await RequestAsync(unit.Reviewer, Ask(unit.Footage, "copy"));
        Assert.Equal(Roles.Head, asked.ApproverRole);

        Assert.Equal(HttpStatusCode.Forbidden, await DecideAsync(asked.Id, "approve", unit.Keeper));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(asked.Id, "approve", unit.Head));
        // A copy is a package, not something viewed through AvCloud.
        Assert.Equal(HttpStatusCode.Conflict, await ViewStatusAsync(asked.Id, unit.Footage[0].Id, unit.Reviewer));
        Assert.Equal(HttpStatusCode.OK, await PackageStatusAsync(asked.Id, unit.Reviewer));

        // Art. 18: the supervisors' report shows who took copies, and how many.
        Assert.Equal(HttpStatusCode.OK, await PackageStatusAsync(asked.Id, unit.Reviewer));
        var today = DateTimeOffset.UtcNow;
        var period = $"from={Uri.EscapeDataString(today.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(today.AddDays(1).ToString("O"))}";
        using var report = await fixture.SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", unit.Supervisor);
        var issued = Assert.Single((await report.Content.ReadFromJsonAsync<Functions.Reports.Compliance>(AvCloudJson.Options, Cancel))!.LinksIssued);
        Assert.Equal((asked.RequestedBy, "copy", 2, 1), (issued.Requester, issued.Mode, issued.Links, issued.Recordings));
        Assert.Equal([asked.Id], issued.Requests);
    }

    [Fact]
    public async Task An_approval_can_narrow_footage_mode_and_duration_but_never_widen_them()
    {
        var unit = await UnitAsync(1221);
        var asked = await RequestAsync(unit.Reviewer, Ask(unit.Footage, "copy", "P2D"));

        Assert.Equal(HttpStatusCode.BadRequest, await DecideAsync(asked.Id, "approve", unit.Head, new { duration = "P3D" }));
        Assert.Equal(HttpStatusCode.BadRequest, await DecideAsync(asked.Id, "approve", unit.Head, new { footageIds = new[] { new string('a', 64) } }));
        using var approved = await PostAsync($"/api/access-requests/{asked.Id}/approve", unit.Head,
            new { footageIds = new[] { unit.Footage[0].Id }, mode = "view", duration = "PT1H" });
        var narrowed = (await approved.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!;

        Assert.Equal([unit.Footage[0].Id], narrowed.FootageIds);
        Assert.Equal(AccessMode.View, narrowed.Mode);
        Assert.Equal(TimeSpan.FromHours(1), narrowed.Duration);
        Assert.Equal(unit.Footage[0].Id, (await ViewAsync(asked.Id, unit.Footage[0].Id, unit.Reviewer)).FootageId);
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync(asked.Id, unit.Footage[1].Id, unit.Reviewer));
    }

    [Fact]
    public async Task Rejected_and_revoked_requests_open_nothing_and_revoking_ends_viewing_at_the_next_open()
    {
        var unit = await UnitAsync(1231, 1);
        var rejected = await RequestAsync(unit.Reviewer, Ask(unit.Footage));
        var revoked = await RequestAsync(unit.Reviewer, Ask(unit.Footage));

        Assert.Equal(HttpStatusCode.BadRequest, await DecideAsync(rejected.Id, "reject", unit.Keeper, new { }));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(rejected.Id, "reject", unit.Keeper, new { reason = "no case number on file" }));
        Assert.Equal(HttpStatusCode.Conflict, await DecideAsync(rejected.Id, "approve", unit.Keeper));
        Assert.Equal(HttpStatusCode.Conflict, await ViewStatusAsync(rejected.Id, unit.Footage[0].Id, unit.Reviewer));

        Assert.Equal(HttpStatusCode.OK, await DecideAsync(revoked.Id, "approve", unit.Keeper));
        await ViewAsync(revoked.Id, unit.Footage[0].Id, unit.Reviewer);
        Assert.Equal(HttpStatusCode.Forbidden, await DecideAsync(revoked.Id, "revoke", unit.OtherKeeper, new { reason = "not mine" }));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(revoked.Id, "revoke", unit.Head, new { reason = "case closed" }));
        Assert.Equal(HttpStatusCode.Conflict, await ViewStatusAsync(revoked.Id, unit.Footage[0].Id, unit.Reviewer));

        using var list = await fixture.SendAsync(HttpMethod.Get, "/api/access-requests?status=revoked", unit.Reviewer);
        Assert.Equal(revoked.Id, Assert.Single((await list.Content.ReadFromJsonAsync<AccessRequestPage>(AvCloudJson.Options, Cancel))!.Items).Id);
        Assert.Contains(await AuditAsync(unit, AuditAction.FootageViewed), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "request is revoked");
        Assert.Contains(await AuditAsync(unit, AuditAction.AccessRejected), e => e.Outcome == AuditOutcomes.Success && e.Details["reason"] == "no case number on file");
        var revocations = await AuditAsync(unit, AuditAction.AccessRevoked);
        Assert.Contains(revocations, e => e.Outcome == AuditOutcomes.Success && e.Details["reason"] == "case closed");
        Assert.Contains(revocations, e => e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task When_the_window_ends_the_request_expires_and_storage_refuses_its_links()
    {
        var unit = await UnitAsync(1241, 1);
        var asked = await RequestAsync(unit.Reviewer, Ask(unit.Footage, duration: "PT3S"));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(asked.Id, "approve", unit.Keeper));
        var link = await ViewAsync(asked.Id, unit.Footage[0].Id, unit.Reviewer);
        Assert.True(link.ExpiresAt <= DateTimeOffset.UtcNow.AddSeconds(3));

        // Within the 4 s this test has always allowed. The link expires no later than the request, its expiry cut to the second.
        var page = await Eventually.That(async () =>
        {
            using var list = await fixture.SendAsync(HttpMethod.Get, "/api/access-requests?status=expired", unit.Keeper);
            var listed = (await list.Content.ReadFromJsonAsync<AccessRequestPage>(AvCloudJson.Options, Cancel))!;
            return listed.Items.Count > 0 ? listed : null;
        }, "the request to be listed as expired", TimeSpan.FromSeconds(4), Cancel);

        Assert.Equal(403, (await RefusedAsync(() => new BlobClient(link.Url).DownloadContentAsync(Cancel))).Status);
        Assert.Equal(HttpStatusCode.Conflict, await ViewStatusAsync(asked.Id, unit.Footage[0].Id, unit.Reviewer));
        var expired = Assert.Single(page.Items);
        Assert.Equal(asked.Id, expired.Id);
        Assert.Equal(AccessStatus.Expired, expired.Status);
    }

    [Fact]
    public async Task Nobody_approves_their_own_request_and_a_keepers_request_goes_to_the_head()
    {
        var unit = await UnitAsync(1251, 1);
        var asked = await RequestAsync(unit.Keeper, Ask(unit.Footage));
        Assert.Equal(Roles.Head, asked.ApproverRole);

        Assert.Equal(HttpStatusCode.Forbidden, await DecideAsync(asked.Id, "approve", unit.Keeper));
        Assert.Equal(HttpStatusCode.Forbidden, await DecideAsync(asked.Id, "approve", unit.OtherKeeper));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(asked.Id, "approve", unit.Head));
        Assert.Contains(await AuditAsync(unit, AuditAction.AccessApproved), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "own request");
    }

    [Fact]
    public async Task Classified_footage_is_withheld_from_reviewers_and_needs_the_head()
    {
        var unit = await UnitAsync(1261);
        var secret = unit.Footage[0];
        using (var raise = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{secret.Id}/classification", unit.Keeper,
            JsonContent.Create(new { level = "privacy", reason = "minor recorded" })))
        {
            Assert.Equal(HttpStatusCode.OK, raise.StatusCode);
        }

        using var list = await fixture.SendAsync(HttpMethod.Get, "/api/footage", unit.Reviewer);
        var page = (await list.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options, Cancel))!;
        using var withheldList = await fixture.SendAsync(HttpMethod.Get, "/api/footage?withheld=true", unit.Reviewer);
        var withheld = (await withheldList.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options, Cancel))!;
        using var read = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{secret.Id}", unit.Reviewer);
        using var lower = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{secret.Id}/classification", unit.Keeper,
            JsonContent.Create(new { level = "none", reason = "mistake" }));
        var asked = await RequestAsync(unit.Reviewer, Ask([secret]));

        Assert.Equal(unit.Footage[1].Id, Assert.Single(page.Items).Id);
        Assert.Empty(page.Withheld);
        Assert.Empty(withheld.Items);
        Assert.Equal(new WithheldFootage(secret.Id, Classification.Privacy), Assert.Single(withheld.Withheld));
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, lower.StatusCode);
        Assert.Equal(Roles.Head, asked.ApproverRole);
        Assert.Equal(HttpStatusCode.Forbidden, await DecideAsync(asked.Id, "approve", unit.Keeper));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(asked.Id, "approve", unit.Head));

        var changes = await AuditAsync(unit, AuditAction.FootageClassified);
        Assert.Contains(changes, e => e.Outcome == AuditOutcomes.Success && e.Details["to"] == "privacy");
        Assert.Contains(changes, e => e.Outcome == AuditOutcomes.Denied && e.Details["to"] == "none");
        using var byHead = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{secret.Id}/classification", unit.Head,
            JsonContent.Create(new { level = "none", reason = "reviewed: no minor" }));
        Assert.Equal(HttpStatusCode.OK, byHead.StatusCode);
    }

    [Fact]
    public async Task State_secret_footage_is_never_copied_whoever_approves_and_a_later_classification_stops_links()
    {
        var unit = await UnitAsync(1271);
        var copyFirst = await RequestAsync(unit.Reviewer, Ask([unit.Footage[1]], "copy"));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(copyFirst.Id, "approve", unit.Head));
        var viewByKeeper = await RequestAsync(unit.Reviewer, Ask([unit.Footage[1]]));
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(viewByKeeper.Id, "approve", unit.Keeper));
        foreach (var footage in unit.Footage)
        {
            using var classify = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{footage.Id}/classification", unit.Head,
                JsonContent.Create(new { level = "stateSecret", reason = "national security matter" }));
            Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        }

        using var copy = await PostAsync("/api/access-requests", unit.Reviewer, Ask([unit.Footage[0]], "copy"));
        var view = await RequestAsync(unit.Reviewer, Ask([unit.Footage[0]]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, copy.StatusCode);
        Assert.Equal(Roles.Head, view.ApproverRole);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await PackageStatusAsync(copyFirst.Id, unit.Reviewer));
        Assert.Equal(HttpStatusCode.Conflict, await ViewStatusAsync(viewByKeeper.Id, unit.Footage[1].Id, unit.Reviewer));
    }

    [Fact]
    public async Task A_search_by_case_finds_the_footage_labelled_with_it()
    {
        var unit = await UnitAsync(1281);
        using (var hold = await PostAsync($"/api/footage/{unit.Footage[1].Id}/holds", unit.Keeper,
            new { reason = "dispute", caseName = "night market", caseNumber = "NM-2026-77", requestedBy = "complainant" }))
        {
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        }

        using var search = await fixture.SendAsync(HttpMethod.Get, "/api/footage?q=nm-2026", unit.Reviewer);
        var asked = await RequestAsync(unit.Reviewer, new
        {
            search = new { caseNumber = "NM-2026-77" },
            purpose = "complaint review", caseName = "night market", caseNumber = "NM-2026-77", mode = "view", duration = "P1D",
        });

        Assert.Equal(unit.Footage[1].Id, Assert.Single((await search.Content.ReadFromJsonAsync<FootagePage>(AvCloudJson.Options, Cancel))!.Items).Id);
        Assert.Equal([unit.Footage[1].Id], asked.FootageIds);
    }

    [Fact]
    public async Task Bad_requests_get_clear_errors_and_store_nothing()
    {
        var unit = await UnitAsync(1291, 1);
        var good = (Dictionary<string, object?>)new()
        {
            ["footageIds"] = new[] { unit.Footage[0].Id }, ["purpose"] = "p", ["caseName"] = "c", ["caseNumber"] = "n", ["mode"] = "view", ["duration"] = "PT1H",
        };
        Dictionary<string, object?> With(string key, object? value) => new(good) { [key] = value };

        var cases = new (string Name, HttpContent Body, HttpStatusCode Expected)[]
        {
            ("malformed", new StringContent("{\"purpose\": ", System.Text.Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest),
            ("no purpose", JsonContent.Create(With("purpose", null)), HttpStatusCode.BadRequest),
            ("bad mode", JsonContent.Create(With("mode", "print")), HttpStatusCode.BadRequest),
            ("bad duration", JsonContent.Create(With("duration", "8 hours")), HttpStatusCode.BadRequest),
            ("too long", JsonContent.Create(With("duration", "P400D")), HttpStatusCode.BadRequest),
            ("unknown footage", JsonContent.Create(With("footageIds", Ids(new string('b', 64)))), HttpStatusCode.BadRequest),
            ("path trick", JsonContent.Create(With("footageIds", Ids("../../footage"))), HttpStatusCode.BadRequest),
            ("ids and search", JsonContent.Create(With("search", new { officer = "officer-zhang" })), HttpStatusCode.BadRequest),
            ("oversized", new StringContent($"{{\"purpose\": \"{new string('x', 70_000)}\"}}", System.Text.Encoding.UTF8, "application/json"), HttpStatusCode.RequestEntityTooLarge),
        };
        foreach (var (name, body, expected) in cases)
        {
            using var response = await fixture.SendAsync(HttpMethod.Post, "/api/access-requests", unit.Reviewer, body);
            Assert.True(expected == response.StatusCode, $"{name}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var byDock = await fixture.SendAsync(HttpMethod.Post, "/api/access-requests", fixture.TokenFor(unit.Id, Roles.Dock), JsonContent.Create(good));
        Assert.Equal(HttpStatusCode.Forbidden, byDock.StatusCode);
        using var list = await fixture.SendAsync(HttpMethod.Get, "/api/access-requests", unit.Keeper);
        Assert.Empty((await list.Content.ReadFromJsonAsync<AccessRequestPage>(AvCloudJson.Options, Cancel))!.Items);
    }

    [Fact]
    public async Task Another_units_people_see_not_found()
    {
        var unit = await UnitAsync(1301, 1);
        var asked = await RequestAsync(unit.Reviewer, Ask(unit.Footage));
        var elsewhere = $"unit-{Guid.NewGuid():N}"[..13];

        using var read = await fixture.SendAsync(HttpMethod.Get, $"/api/access-requests/{asked.Id}", fixture.TokenFor(elsewhere, Roles.Reviewer));
        using var ask = await PostAsync("/api/access-requests", fixture.TokenFor(elsewhere, Roles.Reviewer), Ask(unit.Footage));

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, ask.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await DecideAsync(asked.Id, "approve", fixture.TokenFor(elsewhere, Roles.Head)));
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync(asked.Id, unit.Footage[0].Id, fixture.TokenFor(elsewhere, Roles.Reviewer)));
        // Nor does another reviewer of the same unit: requests are their requesters' own.
        Assert.Equal(HttpStatusCode.NotFound, await ViewStatusAsync(asked.Id, unit.Footage[0].Id, fixture.TokenFor(unit.Id, Roles.Reviewer)));
    }

    [Fact]
    public async Task The_approval_rules_are_the_units_data()
    {
        var unit = await UnitAsync(1311, 1);
        var rules = new[]
        {
            new ApprovalRule("*", "*", "*", Roles.Keeper),
            new ApprovalRule("*", "copy", "*", Roles.Head),
            new ApprovalRule("stateSecret", "*", "*", Roles.Head),
            new ApprovalRule("tradeSecret", "*", "*", Roles.Head),
        };
        using (var bad = await fixture.SendAsync(HttpMethod.Put, $"/api/units/{unit.Id}/settings", unit.Head, JsonContent.Create(new
        {
            name = "unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 },
            accessApprovals = new[] { new ApprovalRule("secretish", "*", "*", Roles.Reviewer) },
        })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using (var put = await fixture.SendAsync(HttpMethod.Put, $"/api/units/{unit.Id}/settings", unit.Head, JsonContent.Create(new
        {
            name = "unit", timeZone = "Asia/Shanghai", retentionMonths = new Dictionary<string, int> { ["default"] = 24 }, accessApprovals = rules,
        })))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using (var classify = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{unit.Footage[0].Id}/classification", unit.Keeper,
            JsonContent.Create(new { level = "privacy", reason = "bystanders' faces" })))
        {
            Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        }

        // In this unit the keeper approves viewing privacy footage, and a keeper's own requests need no head.
        var byReviewer = await RequestAsync(unit.Reviewer, Ask(unit.Footage));
        var byKeeper = await RequestAsync(unit.Keeper, Ask(unit.Footage));
        Assert.Equal(Roles.Keeper, byReviewer.ApproverRole);
        Assert.Equal(Roles.Keeper, byKeeper.ApproverRole);
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(byReviewer.Id, "approve", unit.OtherKeeper));
    }

    [Theory]
    [InlineData(Classification.None, AccessMode.View, Roles.Reviewer, Roles.Keeper)]
    [InlineData(Classification.None, AccessMode.Copy, Roles.Reviewer, Roles.Head)]
    [InlineData(Classification.Privacy, AccessMode.View, Roles.Officer, Roles.Head)]
    [InlineData(Classification.TradeSecret, AccessMode.View, Roles.Reviewer, Roles.Head)]
    [InlineData(Classification.StateSecret, AccessMode.View, Roles.Reviewer, Roles.Head)]
    [InlineData(Classification.None, AccessMode.View, Roles.Keeper, Roles.Head)]
    public void The_default_rules_name_the_approver(Classification level, AccessMode mode, string requester, string approver) =>
        Assert.Equal(approver, AccessRules.RequiredApprover(AccessRules.Defaults, [level], mode, new HashSet<string> { requester }));

    [Fact]
    public async Task Requesters_list_their_own_requests_and_the_keeper_lists_all_or_only_theirs()
    {
        var unit = await UnitAsync(1321, 1);
        var byReviewer = await RequestAsync(unit.Reviewer, Ask(unit.Footage));
        var byKeeper = await RequestAsync(unit.Keeper, Ask(unit.Footage));
        var otherReviewer = fixture.TokenFor(unit.Id, Roles.Reviewer);

        async Task<IEnumerable<string>> ListAsync(string token, string query = "")
        {
            using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/access-requests{query}", token);
            return (await response.Content.ReadFromJsonAsync<AccessRequestPage>(AvCloudJson.Options, Cancel))!.Items.Select(r => r.Id).Order(StringComparer.Ordinal);
        }

        Assert.Equal([byReviewer.Id], await ListAsync(unit.Reviewer));
        Assert.Empty(await ListAsync(otherReviewer));
        Assert.Equal(new[] { byReviewer.Id, byKeeper.Id }.Order(StringComparer.Ordinal), await ListAsync(unit.Head));
        Assert.Equal([byKeeper.Id], await ListAsync(unit.Keeper, "?mine=true"));

        // The head may withdraw a request nobody has decided yet.
        Assert.Equal(HttpStatusCode.OK, await DecideAsync(byKeeper.Id, "revoke", unit.Head, new { reason = "asked in error" }));
        Assert.Equal([byReviewer.Id], await ListAsync(unit.Head, "?status=pending"));
    }
}
