using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Functions.Shares;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Shares;

/// <summary>
/// External shares end to end against the local cloud: a keeper or reviewer shares footage with a named outside
/// recipient, a head who did not make the share approves it, and the recipient, with no token, opens and plays it with
/// the link and the passcode; wrong passcodes lock it, revocation and expiry end it, state-secret footage is never
/// served, and every step is in the audit trail, the custody view and the compliance report.
/// </summary>
public sealed class ShareTests(LocalCloudFixture fixture)
{
    private const string Agent = "CourtViewer/2.0";

    private static readonly string[] PathTrick = ["../../footage"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Recorded = Recent.HoursAgo(5);

    private sealed record Unit(string Id, IReadOnlyList<FootageRecord> Footage, string Keeper, string Reviewer, string Head, string Supervisor);

    private async Task<Unit> UnitAsync(int seed, int count = 2)
    {
        var dock = new Dock(fixture, $"share-{Guid.NewGuid():N}"[..14]);
        var footage = await dock.CataloguedAudioAsync(seed, count, Recorded);
        var unit = dock.Unit;
        return new Unit(unit, footage, fixture.TokenFor(unit, Roles.Keeper), fixture.TokenFor(unit, Roles.Reviewer), fixture.TokenFor(unit, Roles.Head),
            fixture.TokenFor(unit, Roles.Supervisor));
    }

    private static object Share(IEnumerable<FootageRecord> footage, string duration = "P7D", string mode = "view") => new
    {
        recipientName = "Wang Fang",
        recipientKind = "prosecutor",
        recipientOrganisation = "Xuhui District People's Procuratorate",
        footageIds = footage.Select(f => f.Id).ToArray(),
        mode,
        duration,
        purpose = "review of the case file before prosecution",
    };

    private async Task<HttpResponseMessage> PostAsync(string path, string token, object? body = null) =>
        await fixture.SendAsync(HttpMethod.Post, path, token, JsonContent.Create(body ?? new { }));

    private async Task<ExternalShare> CreateAsync(string token, object body)
    {
        using var response = await PostAsync("/api/shares", token, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<ExternalShare>(AvCloudJson.Options, Cancel))!;
    }

    private async Task<ShareApproval> ApproveAsync(string id, string head)
    {
        using var response = await PostAsync($"/api/shares/{id}/approve", head);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<ShareApproval>(AvCloudJson.Options, Cancel))!;
    }

    private async Task<(ExternalShare Share, ShareApproval Approval)> ApprovedAsync(Unit unit, object body)
    {
        var share = await CreateAsync(unit.Keeper, body);
        return (share, await ApproveAsync(share.Id, unit.Head));
    }

    /// <summary>What the recipient's browser sends: no token, the passcode in the header (or the body), its user agent.</summary>
    private async Task<HttpResponseMessage> RecipientAsync(string path, string? passcode, bool inBody = false)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path);
        message.Headers.UserAgent.ParseAdd(Agent);
        if (passcode is not null && !inBody)
        {
            message.Headers.Add(ServeShares.PasscodeHeader, passcode);
        }

        message.Content = inBody ? JsonContent.Create(new { passcode }) : null;
        return await fixture.Http.SendAsync(message, Cancel);
    }

    private async Task<HttpStatusCode> OpenStatusAsync(ShareApproval approval, string? passcode = null)
    {
        using var response = await RecipientAsync(approval.Link.AbsolutePath, passcode ?? approval.Passcode);
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> PlayStatusAsync(ShareApproval approval, string footageId)
    {
        using var response = await RecipientAsync($"{approval.Link.AbsolutePath}/footage/{footageId}/play", approval.Passcode);
        return response.StatusCode;
    }

    private async Task<IReadOnlyList<AuditEvent>> AuditAsync(Unit unit, AuditAction action)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/audit?action={action.Name}&pageSize=200", unit.Head);
        return (await response.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items;
    }

    private async Task ClassifyAsync(Unit unit, FootageRecord footage, string level)
    {
        using var classify = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{footage.Id}/classification", unit.Head,
            JsonContent.Create(new { level, reason = "national security matter" }));
        Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
    }

    [Fact]
    public async Task A_head_approves_a_keepers_share_and_the_recipient_opens_and_plays_it_with_the_passcode()
    {
        var unit = await UnitAsync(2101);
        var (share, approval) = await ApprovedAsync(unit, Share(unit.Footage));

        Assert.Equal($"/api/shared/{share.Id}", approval.Link.AbsolutePath);
        Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", approval.Passcode);
        Assert.Equal(ShareStatus.Approved, approval.Share.Status);
        // The passcode is shown once: staff reading the share see neither it nor its hash.
        using (var read = await fixture.SendAsync(HttpMethod.Get, $"/api/shares/{share.Id}", unit.Head))
        {
            var text = await read.Content.ReadAsStringAsync(Cancel);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.DoesNotContain("\"passcode\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("salt", text, StringComparison.Ordinal);
            Assert.DoesNotContain(approval.Passcode, text, StringComparison.Ordinal);
        }

        SharedContents contents;
        using (var open = await RecipientAsync(approval.Link.AbsolutePath, approval.Passcode))
        {
            Assert.True(open.StatusCode == HttpStatusCode.OK, await open.Content.ReadAsStringAsync(Cancel));
            contents = (await open.Content.ReadFromJsonAsync<SharedContents>(AvCloudJson.Options, Cancel))!;
        }

        Assert.Equal(unit.Footage.Select(f => f.Id).Order(StringComparer.Ordinal), contents.Recordings.Select(r => r.FootageId).Order(StringComparer.Ordinal));
        Assert.Equal("Wang Fang", contents.Recipient.Name);

        // The passcode as a person types it (lower case, no dashes), in the body.
        var typed = approval.Passcode.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var played = DateTimeOffset.UtcNow;
        ReadLink link;
        using (var play = await RecipientAsync($"{approval.Link.AbsolutePath}/footage/{unit.Footage[0].Id}/play", typed, inBody: true))
        {
            Assert.True(play.StatusCode == HttpStatusCode.OK, await play.Content.ReadAsStringAsync(Cancel));
            link = (await play.Content.ReadFromJsonAsync<ReadLink>(AvCloudJson.Options, Cancel))!;
        }

        var download = (await new BlobClient(link.Url).DownloadContentAsync(Cancel)).Value;
        Assert.Equal(unit.Footage[0].Sha256, Dock.Sha256(download.Content.ToArray()));
        Assert.InRange(new BlobUriBuilder(link.Url).Sas.ExpiresOn, played.AddMinutes(4), played.AddMinutes(5).AddSeconds(5));

        // The passcode never goes in the address; without one, or for a recording the share does not hold, nothing is served.
        using (var inQuery = await RecipientAsync($"{approval.Link.AbsolutePath}?passcode={approval.Passcode}", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, inQuery.StatusCode);
            Assert.Equal("application/problem+json", inQuery.Content.Headers.ContentType?.MediaType);
        }

        using (var none = await RecipientAsync(approval.Link.AbsolutePath, null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await PlayStatusAsync(approval, new string('d', 64)));

        // Who (the share and its recipient), from where, with what agent, and what: in the unit's chain.
        var opened = Assert.Single(await AuditAsync(unit, AuditAction.ShareOpened), e => e.Outcome == AuditOutcomes.Success);
        var playedEvent = Assert.Single(await AuditAsync(unit, AuditAction.SharePlayed), e => e.Outcome == AuditOutcomes.Success);
        foreach (var e in new[] { opened, playedEvent })
        {
            Assert.Equal(($"share:{share.Id}", ExternalShare.RecipientRole, "Wang Fang", "127.0.0.1", Agent),
                (e.Actor, e.Role, e.Details["recipient"], e.Details["address"], e.Details["agent"]));
        }

        Assert.Equal($"footage/{unit.Footage[0].Id}", playedEvent.Target);
        Assert.Single(await AuditAsync(unit, AuditAction.ShareCreated), e => e.Outcome == AuditOutcomes.Success);
        Assert.Single(await AuditAsync(unit, AuditAction.ShareApproved), e => e.Outcome == AuditOutcomes.Success);

        // The view log is in the recording's custody and in the compliance report.
        using var custody = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{unit.Footage[0].Id}/custody", unit.Keeper);
        var accesses = (await custody.Content.ReadFromJsonAsync<Custody>(AvCloudJson.Options, Cancel))!.Accesses;
        Assert.Contains(accesses, e => e.Action == AuditAction.SharePlayed.Name && e.Details["share"] == share.Id && e.Details["address"] == "127.0.0.1");

        var today = DateTimeOffset.UtcNow;
        var period = $"from={Uri.EscapeDataString(today.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(today.AddDays(1).ToString("O"))}";
        using var report = await fixture.SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}", unit.Supervisor);
        var line = Assert.Single((await report.Content.ReadFromJsonAsync<Compliance>(AvCloudJson.Options, Cancel))!.Shares);
        Assert.Equal((share.Id, "Wang Fang", "Xuhui District People's Procuratorate", share.CreatedBy, approval.Share.Approval!.By, (string?)null, 1, 1, 1, 0, 0, 0),
            (line.ShareId, line.Recipient, line.Organisation, line.CreatedBy, line.ApprovedBy, line.RevokedBy, line.Opens, line.Plays, line.Recordings, line.Downloads,
                line.WrongPasscodes, line.Locks));
        using var csv = await fixture.SendAsync(HttpMethod.Get, $"/api/reports/compliance?{period}&format=csv", unit.Supervisor);
        Assert.Contains($"external share,{share.Id},Wang Fang,", await csv.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_share_downloads_a_signed_evidence_package_and_a_view_only_share_downloads_nothing()
    {
        var unit = await UnitAsync(2191);
        var (share, approval) = await ApprovedAsync(unit, Share(unit.Footage, mode: "package"));
        var (_, viewOnly) = await ApprovedAsync(unit, Share(unit.Footage));

        byte[] package;
        using (var download = await RecipientAsync($"{approval.Link.AbsolutePath}/package?lang=en", approval.Passcode))
        {
            Assert.True(download.StatusCode == HttpStatusCode.OK, await download.Content.ReadAsStringAsync(Cancel));
            Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
            package = await download.Content.ReadAsByteArrayAsync(Cancel);
        }

        // The package verifies offline, holds exactly the shared recordings, and names the share it was made under.
        var report = AvCloud.Packages.PackageVerifier.Verify(new MemoryStream(package), null);
        Assert.True(report.Valid, string.Join("; ", report.Problems));
        Assert.Equal(2, report.Files);
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(package)))
        {
            await using var entry = await zip.GetEntry(AvCloud.Packages.PackageFormat.Manifest)!.OpenAsync(Cancel);
            var manifest = (await System.Text.Json.JsonSerializer.DeserializeAsync<AvCloud.Packages.PackageManifest>(entry, AvCloud.Packages.PackageFormat.Json, Cancel))!;
            Assert.Equal(unit.Footage.Select(f => f.Id).Order(StringComparer.Ordinal), manifest.Files.Select(f => f.Id).Order(StringComparer.Ordinal));
            Assert.Equal(ExternalShare.TargetOf(share.Id), manifest.Reference);
        }

        using (var fromViewOnly = await RecipientAsync($"{viewOnly.Link.AbsolutePath}/package", viewOnly.Passcode))
        {
            Assert.Equal(HttpStatusCode.Forbidden, fromViewOnly.StatusCode);
        }

        // Each recording's custody shows the download, and the package's own hash is audited against the share.
        var downloads = await AuditAsync(unit, AuditAction.ShareDownloaded);
        Assert.Equal(2, downloads.Count(e => e.Outcome == AuditOutcomes.Success && e.Target.StartsWith("footage/", StringComparison.Ordinal)));
        Assert.Contains(downloads, e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "share is view-only");
        var sent = await Eventually.That(async () => (await AuditAsync(unit, AuditAction.PackageSent)).FirstOrDefault(e => e.Target == ExternalShare.TargetOf(share.Id)),
            "the package to be audited as sent", TimeSpan.FromSeconds(10), Cancel);
        Assert.Equal((Dock.Sha256(package), "127.0.0.1", Agent), (sent.Details["sha256"], sent.Details["address"], sent.Details["agent"]));
        using var custody = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{unit.Footage[1].Id}/custody", unit.Keeper);
        Assert.Contains((await custody.Content.ReadFromJsonAsync<Custody>(AvCloudJson.Options, Cancel))!.Accesses,
            e => e.Action == AuditAction.ShareDownloaded.Name && e.Details["share"] == share.Id);
    }

    [Fact]
    public async Task Nobody_approves_a_share_they_made_whatever_roles_they_hold()
    {
        var unit = await UnitAsync(2111, 1);
        var keeperAndHead = fixture.TokenFor(unit.Id, Roles.Keeper, Roles.Head);
        var share = await CreateAsync(keeperAndHead, Share(unit.Footage));

        using (var own = await PostAsync($"/api/shares/{share.Id}/approve", keeperAndHead))
        {
            Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        }

        using (var byKeeper = await PostAsync($"/api/shares/{share.Id}/approve", unit.Keeper))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byKeeper.StatusCode);
        }

        var approval = await ApproveAsync(share.Id, unit.Head);
        using (var again = await PostAsync($"/api/shares/{share.Id}/approve", fixture.TokenFor(unit.Id, Roles.Head)))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await OpenStatusAsync(approval));
        Assert.Contains(await AuditAsync(unit, AuditAction.ShareApproved), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "own share");
    }

    [Fact]
    public async Task Wrong_passcodes_lock_the_share_even_against_the_right_one_and_guesses_sent_at_once_are_all_counted()
    {
        var unit = await UnitAsync(2121, 1);
        var (share, approval) = await ApprovedAsync(unit, Share(unit.Footage));
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add(await OpenStatusAsync(approval, $"WRNG-CODE-{i:D4}"));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Forbidden, 4), HttpStatusCode.TooManyRequests], codes);
        Assert.Equal(HttpStatusCode.TooManyRequests, await OpenStatusAsync(approval));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PlayStatusAsync(approval, unit.Footage[0].Id));

        Assert.Equal(4, (await AuditAsync(unit, AuditAction.SharePasscodeWrong)).Count(e => e.Outcome == AuditOutcomes.Denied && e.Details["share"] == share.Id));
        var locked = Assert.Single(await AuditAsync(unit, AuditAction.ShareLocked));
        Assert.Equal(("127.0.0.1", Agent), (locked.Details["address"], locked.Details["agent"]));
        Assert.Contains(await AuditAsync(unit, AuditAction.ShareOpened), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "share locked");
        Assert.DoesNotContain(await AuditAsync(unit, AuditAction.ShareOpened), e => e.Outcome == AuditOutcomes.Success);

        // An attacker sending a burst of guesses at once gets no more than the allowance: each is counted on the stored share.
        var (_, burst) = await ApprovedAsync(unit, Share(unit.Footage));
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => OpenStatusAsync(burst, $"GUES-SNOW-{i:D4}")));
        Assert.True(answers.Count(a => a == HttpStatusCode.Forbidden) <= 4, string.Join(", ", answers));
        Assert.Equal(12, answers.Count(a => a is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.TooManyRequests, await OpenStatusAsync(burst));
    }

    [Fact]
    public async Task Expired_and_revoked_shares_serve_nothing_from_the_next_request()
    {
        var unit = await UnitAsync(2131, 1);
        var (revoked, revokedApproval) = await ApprovedAsync(unit, Share(unit.Footage));
        Assert.Equal(HttpStatusCode.OK, await OpenStatusAsync(revokedApproval));

        // Only the head or the share's maker revokes, with a reason.
        using (var noReason = await PostAsync($"/api/shares/{revoked.Id}/revoke", unit.Keeper, new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        }

        using (var byOtherKeeper = await PostAsync($"/api/shares/{revoked.Id}/revoke", fixture.TokenFor(unit.Id, Roles.Keeper), new { reason = "not mine" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byOtherKeeper.StatusCode);
        }

        using (var byMaker = await PostAsync($"/api/shares/{revoked.Id}/revoke", unit.Keeper, new { reason = "charges dropped" }))
        {
            Assert.Equal(HttpStatusCode.OK, byMaker.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Gone, await OpenStatusAsync(revokedApproval));
        Assert.Equal(HttpStatusCode.Gone, await PlayStatusAsync(revokedApproval, unit.Footage[0].Id));

        var (_, expiring) = await ApprovedAsync(unit, Share(unit.Footage, duration: "PT2S"));
        Assert.Equal(HttpStatusCode.OK, await PlayStatusAsync(expiring, unit.Footage[0].Id));
        await Eventually.That(async () => await OpenStatusAsync(expiring) == HttpStatusCode.Gone ? "gone" : null, "the share to expire", TimeSpan.FromSeconds(5), Cancel);

        var refusals = (await AuditAsync(unit, AuditAction.ShareOpened)).Where(e => e.Outcome == AuditOutcomes.Denied).Select(e => e.Details["reason"]).ToList();
        Assert.Contains("share is revoked", refusals);
        Assert.Contains("share is expired", refusals);
        Assert.Contains(await AuditAsync(unit, AuditAction.ShareRevoked), e => e.Outcome == AuditOutcomes.Success && e.Details["reason"] == "charges dropped");
        Assert.Contains(await AuditAsync(unit, AuditAction.ShareRevoked), e => e.Outcome == AuditOutcomes.Denied);
    }

    [Fact]
    public async Task State_secret_footage_is_never_shared_at_creation_or_after_a_later_classification()
    {
        var unit = await UnitAsync(2141);
        var (_, approval) = await ApprovedAsync(unit, Share([unit.Footage[0]]));
        Assert.Equal(HttpStatusCode.OK, await PlayStatusAsync(approval, unit.Footage[0].Id));
        await ClassifyAsync(unit, unit.Footage[1], "stateSecret");

        using (var create = await PostAsync("/api/shares", unit.Keeper, Share([unit.Footage[1]])))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, create.StatusCode);
        }

        await ClassifyAsync(unit, unit.Footage[0], "stateSecret");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await OpenStatusAsync(approval));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await PlayStatusAsync(approval, unit.Footage[0].Id));

        Assert.Contains(await AuditAsync(unit, AuditAction.ShareCreated), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "state-secret footage shared externally");
        Assert.Contains(await AuditAsync(unit, AuditAction.SharePlayed), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "state-secret footage shared externally");
    }

    [Fact]
    public async Task Another_units_footage_shares_and_unknown_links_are_refused()
    {
        var unit = await UnitAsync(2151, 1);
        var other = await UnitAsync(2161, 1);
        var (share, approval) = await ApprovedAsync(unit, Share(unit.Footage));

        using (var foreign = await PostAsync("/api/shares", other.Keeper, Share(unit.Footage)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
            Assert.Equal("application/problem+json", foreign.Content.Headers.ContentType?.MediaType);
        }

        using (var approve = await PostAsync($"/api/shares/{share.Id}/approve", other.Head))
        {
            Assert.Equal(HttpStatusCode.NotFound, approve.StatusCode);
        }

        using (var revoke = await PostAsync($"/api/shares/{share.Id}/revoke", other.Head, new { reason = "not ours" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        }

        // A share serves its own unit's footage only: the other unit's recording is not in it.
        Assert.Equal(HttpStatusCode.NotFound, await PlayStatusAsync(approval, other.Footage[0].Id));
        Assert.Equal(HttpStatusCode.NotFound, await OpenStatusAsync(approval with { Link = new Uri(approval.Link, $"/api/shared/{new string('A', 43)}") }));
        Assert.Equal(HttpStatusCode.NotFound, await OpenStatusAsync(approval with { Link = new Uri(approval.Link, "/api/shared/..%2F..%2Fetc") }));
        Assert.Contains(await AuditAsync(other, AuditAction.ShareCreated), e => e.Outcome == AuditOutcomes.Denied && e.Details["recipient"] == "Wang Fang");
        Assert.Equal(HttpStatusCode.OK, await OpenStatusAsync(approval));
    }

    [Fact]
    public async Task A_reviewer_shares_an_approved_requests_footage_and_never_classified_footage_they_may_not_see()
    {
        var unit = await UnitAsync(2171);
        var asked = await PostAsync("/api/access-requests", unit.Reviewer, new
        {
            footageIds = new[] { unit.Footage[0].Id }, purpose = "court hearing", caseName = "night market", caseNumber = "NM-2026-77", mode = "view", duration = "P2D",
        });
        var request = (await asked.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!;
        var fromRequest = new { recipientName = "Judge Li", recipientKind = "court", recipientOrganisation = "Xuhui District Court", requestId = request.Id, mode = "view", duration = "P1D", purpose = "hearing" };

        using (var pending = await PostAsync("/api/shares", unit.Reviewer, fromRequest))
        {
            Assert.Equal(HttpStatusCode.Conflict, pending.StatusCode);
        }

        using (var approve = await PostAsync($"/api/access-requests/{request.Id}/approve", unit.Keeper))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var share = await CreateAsync(unit.Reviewer, fromRequest);
        Assert.Equal([unit.Footage[0].Id], share.FootageIds);
        Assert.Equal(request.Id, share.RequestId);
        using (var byOtherReviewer = await PostAsync("/api/shares", fixture.TokenFor(unit.Id, Roles.Reviewer), fromRequest))
        {
            Assert.Equal(HttpStatusCode.NotFound, byOtherReviewer.StatusCode);
        }

        await ClassifyAsync(unit, unit.Footage[1], "privacy");
        using (var classified = await PostAsync("/api/shares", unit.Reviewer, Share([unit.Footage[1]])))
        {
            Assert.Equal(HttpStatusCode.Forbidden, classified.StatusCode);
        }

        using (var byOfficer = await PostAsync("/api/shares", fixture.TokenFor(unit.Id, Roles.Officer), Share([unit.Footage[0]])))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byOfficer.StatusCode);
        }

        using var list = await fixture.SendAsync(HttpMethod.Get, "/api/shares", unit.Reviewer);
        Assert.Equal(share.Id, Assert.Single((await list.Content.ReadFromJsonAsync<SharePage>(AvCloudJson.Options, Cancel))!.Items).Id);
    }

    [Fact]
    public async Task Bad_shares_get_clear_errors_and_store_nothing()
    {
        var unit = await UnitAsync(2181, 1);
        var good = (Dictionary<string, object?>)new()
        {
            ["recipientName"] = "Wang Fang", ["recipientKind"] = "lawyer", ["recipientOrganisation"] = "Fangda", ["footageIds"] = new[] { unit.Footage[0].Id },
            ["mode"] = "package", ["duration"] = "P3D", ["purpose"] = "defence",
        };
        Dictionary<string, object?> With(string key, object? value) => new(good) { [key] = value };

        var cases = new (string Name, HttpContent Body)[]
        {
            ("malformed", new StringContent("{\"purpose\": ", System.Text.Encoding.UTF8, "application/json")),
            ("no recipient", JsonContent.Create(With("recipientName", null))),
            ("bad kind", JsonContent.Create(With("recipientKind", "journalist"))),
            ("bad mode", JsonContent.Create(With("mode", "print"))),
            ("too long", JsonContent.Create(With("duration", "P400D"))),
            ("path trick", JsonContent.Create(With("footageIds", PathTrick))),
            ("ids and request", JsonContent.Create(With("requestId", "abc"))),
            ("unknown footage", JsonContent.Create(With("footageIds", new[] { new string('e', 64) }))),
        };
        foreach (var (name, body) in cases)
        {
            using var response = await fixture.SendAsync(HttpMethod.Post, "/api/shares", unit.Keeper, body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var list = await fixture.SendAsync(HttpMethod.Get, "/api/shares", unit.Keeper);
        Assert.Empty((await list.Content.ReadFromJsonAsync<SharePage>(AvCloudJson.Options, Cancel))!.Items);
    }
}
