using System.Net;
using AvCloud.Functions.Accountability;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Accountability;

/// <summary>Art. 18: misconduct cases opened by a supervisor or the head, holding the recordings involved, closed by someone other than the person concerned; shown in the report.</summary>
public sealed class MisconductCaseTests(LocalCloudFixture fixture)
{
    private static readonly DateTimeOffset Day = Recent.HoursAgo(15);

    private static readonly long[] NoSuchEvent = [1_000_000];

    private Task<IReadOnlyList<AuditEvent>> AuditAsync(string unit, AuditAction action) => fixture.AuditAsync(fixture.TokenFor(unit, Roles.Head), action);

    [Fact]
    public async Task A_case_holds_its_recordings_is_closed_by_someone_else_than_its_subject_and_shows_in_the_report()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var supervisor = fixture.Cloud.Issuer.Mint("supervisor-liu", dock.Unit, [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var subjectAsHead = fixture.Cloud.Issuer.Mint("officer-zhang", dock.Unit, [Roles.Head, Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var head = fixture.TokenFor(dock.Unit, Roles.Head);
        var contents = new[] { SyntheticWav.Create(2301, 8000), SyntheticWav.Create(2302, 8000) };
        var ids = contents.Select(Dock.Sha256).ToArray();
        var session = await dock.OpenAsync(Dock.Manifest(Day.AddHours(2), TimeSpan.Zero,
            Dock.FileEntry("a.wav", "audio", contents[0], Day, TimeSpan.FromSeconds(1)), Dock.FileEntry("b.wav", "audio", contents[1], Day.AddMinutes(3), TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "a.wav", contents[0]);
        await Dock.UploadAsync(session, "b.wav", contents[1]);
        await dock.SettledAsync(session.SessionId);
        var catalogued = (await AuditAsync(dock.Unit, AuditAction.FootageCatalogued)).Select(e => e.Sequence).ToArray();

        var body = new { personId = "officer-zhang", item = "misuseOrLending", description = "recorded a family dinner", footageIds = ids, auditEvents = catalogued, hold = true };
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Post, "/api/misconduct-cases", fixture.TokenFor(dock.Unit, Roles.Keeper), body));
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Post, "/api/misconduct-cases", subjectAsHead, body));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, "/api/misconduct-cases", supervisor, body with { item = "gossip" }));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, "/api/misconduct-cases", supervisor, body with { footageIds = new[] { new string('0', 64) } }));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, "/api/misconduct-cases", supervisor, body with { auditEvents = NoSuchEvent }));
        Assert.Empty((await dock.FootageAsync(ids[0])).Holds);

        var opened = (await fixture.OkAsync<MisconductCaseView>(HttpMethod.Post, "/api/misconduct-cases", supervisor, body)).Case;
        Assert.Equal((MisconductItem.MisuseOrLending, MisconductCaseStatus.Open, "supervisor-liu"), (opened.Item, opened.Status, opened.OpenedBy));
        foreach (var id in ids)
        {
            var hold = Assert.Single((await dock.FootageAsync(id)).Holds);
            Assert.Equal(opened.Id, hold.CaseNumber);
        }

        Assert.Equal(2, (await AuditAsync(dock.Unit, AuditAction.HoldPlaced)).Count(e => e.Outcome == AuditOutcomes.Success && e.Details["case"].Contains(opened.Id, StringComparison.Ordinal)));

        // Art. 14: once one recording is classified, a supervisor sees the case with that one counted, not named.
        await fixture.OkAsync<object>(HttpMethod.Put, $"/api/footage/{ids[1]}/classification", fixture.TokenFor(dock.Unit, Roles.Keeper), new { level = "privacy", reason = "bystander" });
        var seen = await fixture.OkAsync<MisconductCaseView>(HttpMethod.Get, $"/api/misconduct-cases/{opened.Id}", supervisor);
        Assert.Equal([ids[0]], seen.Case.FootageIds);
        Assert.Equal(1, seen.Withheld);

        var close = new { finding = "the recorder was used at a private event", outcome = "criticismAndEducation" };
        Assert.Equal(HttpStatusCode.Forbidden, await fixture.StatusAsync(HttpMethod.Post, $"/api/misconduct-cases/{opened.Id}/close", subjectAsHead, close));
        Assert.Equal(HttpStatusCode.NotFound, await fixture.StatusAsync(HttpMethod.Post, $"/api/misconduct-cases/{opened.Id}/close", fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], Roles.Head), close));
        Assert.Equal(HttpStatusCode.BadRequest, await fixture.StatusAsync(HttpMethod.Post, $"/api/misconduct-cases/{opened.Id}/close", head, new { finding = "x", outcome = "fired" }));
        // Art. 5: a flagged recording (its device was never checked out) is referred to the case.
        var referred = await fixture.OkAsync<FlagResolution>(HttpMethod.Post, $"/api/footage/{ids[0]}/resolution", fixture.TokenFor(dock.Unit, Roles.Keeper),
            new { resolution = "referredForMisconduct", reason = "the dinner recording", misconductCaseId = opened.Id });
        Assert.Equal((FlagResolutionKind.ReferredForMisconduct, opened.Id), (referred.Resolution, referred.MisconductCaseId));

        var closed = (await fixture.OkAsync<MisconductCaseView>(HttpMethod.Post, $"/api/misconduct-cases/{opened.Id}/close", head, close)).Case;
        Assert.Equal((MisconductCaseStatus.Closed, MisconductOutcome.CriticismAndEducation), (closed.Status, closed.Outcome));
        Assert.Equal(HttpStatusCode.Conflict, await fixture.StatusAsync(HttpMethod.Post, $"/api/misconduct-cases/{opened.Id}/close", head, close));
        Assert.Contains(await AuditAsync(dock.Unit, AuditAction.MisconductCaseClosed), e => e.Outcome == AuditOutcomes.Denied && e.Details["reason"] == "own case");

        var report = await fixture.ComplianceAsync(supervisor, Day.AddHours(-1), DateTimeOffset.UtcNow);
        var line = Assert.Single(report.Articles!.MisconductCases);
        Assert.Equal((opened.Id, "officer-zhang", MisconductOutcome.CriticismAndEducation, 1), (line.Case.Id, line.Case.PersonId, line.Case.Outcome, line.Withheld));
        Assert.DoesNotContain(ids[1], line.Case.FootageIds);
        Assert.Single((await fixture.OkAsync<MisconductCaseList>(HttpMethod.Get, "/api/misconduct-cases", head)).Items, c => c.Case.Id == opened.Id && c.Withheld == 0);
    }
}
