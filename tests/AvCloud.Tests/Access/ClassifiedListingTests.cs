using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Reports;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Access;

/// <summary>
/// Art. 14: someone who may not see a classification level learns nothing about footage at that level from any listing
/// or filter. One unit is asked the same questions twice, before and after classified footage that matches every
/// filter arrives: the reviewer's, officer's and supervisor's answers are the same, byte for byte (an activity's count
/// of withheld recordings aside), while the keeper and the head see the new footage.
/// </summary>
public sealed class ClassifiedListingTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Every recording starts after this; 30 hours ago, so that all of them are handed over late.</summary>
    private static readonly DateTimeOffset T0 = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks - DateTimeOffset.UtcNow.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddHours(-30);

    private const string Officer = "officer-zhang";

    private const string CaseNumber = "NM-2026-77";

    private const string CaseQuery = "nm-2026-77";

    private static readonly SemaphoreSlim Once = new(1, 1);

    private static Scene? _scene;

    /// <summary>A question somebody asks, and how its answer is compared (paged through to the end for listings).</summary>
    private sealed record Probe(string Name, string Token, string Path, object? Body = null, bool Revoke = false);

    /// <summary>The unit, its people, the recordings, and every probe's answer before and after the classified footage arrived.</summary>
    private sealed record Scene(
        string Unit,
        string Activity,
        IReadOnlyList<string> Visible,
        IReadOnlyList<string> Secret,
        IReadOnlyDictionary<string, string> Before,
        IReadOnlyDictionary<string, string> After);

    private static object Entry(string name, byte[] content, int fromMinute, int toMinute, string? activityId) => new
    {
        name, kind = "audio", size = content.Length, sha256 = Dock.Sha256(content),
        recordedStart = T0.AddMinutes(fromMinute), recordedEnd = T0.AddMinutes(toMinute), activityId,
    };

    private static string Period(DateTimeOffset from, DateTimeOffset to) =>
        $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        await fixture.SendAsync(method, path, token, body is null ? null : JsonContent.Create(body));

    private async Task OkAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var response = await SendAsync(method, path, token, body);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
    }

    private async Task<JsonNode> JsonAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var response = await SendAsync(method, path, token, body);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>
    /// The answer to <paramref name="probe"/> as text to compare: a listing's pages one after another (continuation tokens
    /// included), a created request's footage and approver, a review's population and sample, a problem's status and body.
    /// </summary>
    private async Task<string> AnswerAsync(Probe probe, string head)
    {
        if (probe.Body is not null)
        {
            using var response = await SendAsync(HttpMethod.Post, probe.Path, probe.Token, probe.Body);
            var node = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
            if (!response.IsSuccessStatusCode)
            {
                // The invocation id names the call, not the answer.
                node.AsObject().Remove("invocationId");
                return $"{(int)response.StatusCode} {node.ToJsonString()}";
            }

            if (probe.Revoke)
            {
                // Withdrawn at once, so that the pending requests the supervisors' report counts are the same in both rounds.
                await OkAsync(HttpMethod.Post, $"/api/access-requests/{node["id"]}/revoke", head, new { reason = "probe" });
                return $"{node["approverRole"]} {string.Join(",", node["footageIds"]!.AsArray().Select(i => (string)i!).Order(StringComparer.Ordinal))}";
            }

            var review = node["review"]!;
            return $"{review["population"]} {string.Join(",", review["footageIds"]!.AsArray().Select(i => (string)i!).Order(StringComparer.Ordinal))}";
        }

        var pages = new List<string>();
        var path = probe.Path;
        while (true)
        {
            var page = await JsonAsync(HttpMethod.Get, path, probe.Token);
            if (page is JsonObject answer)
            {
                answer.Remove("generatedAt");
            }

            pages.Add(page.ToJsonString());
            if (page["continuationToken"]?.GetValue<string>() is not { } token || pages.Count > 20)
            {
                return string.Join("\n", pages);
            }

            path = $"{probe.Path}{(probe.Path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}continuationToken={Uri.EscapeDataString(token)}";
        }
    }

    /// <summary>Each footage filter, alone, with a page of one so that paging is asked too.</summary>
    private static IEnumerable<string> FootageQueries(string activity) =>
    [
        "",
        $"officer={Officer}",
        $"device={Dock.DeviceId}",
        $"activity={activity}",
        "kind=audio",
        "status=available",
        $"recordedFrom={Uri.EscapeDataString(T0.ToString("O"))}&recordedTo={Uri.EscapeDataString(T0.AddHours(1).ToString("O"))}",
        $"recordedFrom={Uri.EscapeDataString(T0.AddMinutes(24).ToString("O"))}&recordedTo={Uri.EscapeDataString(T0.AddMinutes(45).ToString("O"))}",
        $"q={CaseQuery}",
        $"q={activity}",
        "uploadedLate=true",
    ];

    private static List<Probe> Probes(string activity, Dictionary<string, string> tokens)
    {
        var probes = new List<Probe>();
        foreach (var role in new[] { Roles.Reviewer, Roles.Officer, Roles.Supervisor, Roles.Keeper })
        {
            probes.AddRange(FootageQueries(activity).Select(q => new Probe($"footage {role} {q}", tokens[role], $"/api/footage?pageSize=1{(q.Length > 0 ? "&" : "")}{q}")));
            probes.Add(new Probe($"withheld {role}", tokens[role], "/api/footage?withheld=true&pageSize=1"));
        }

        object Search(object search) => new { search, purpose = "complaint review", caseName = "night market", caseNumber = CaseNumber, mode = "view", duration = "P1D" };
        foreach (var role in new[] { Roles.Reviewer, Roles.Keeper })
        {
            probes.Add(new Probe($"search {role} officer", tokens[role], "/api/access-requests", Search(new { officer = Officer }), Revoke: true));
            probes.Add(new Probe($"search {role} activity", tokens[role], "/api/access-requests", Search(new { activity }), Revoke: true));
            probes.Add(new Probe($"search {role} case", tokens[role], "/api/access-requests", Search(new { caseNumber = CaseNumber }), Revoke: true));
            probes.Add(new Probe($"search {role} period", tokens[role], "/api/access-requests", Search(new { from = T0, to = T0.AddHours(1) }), Revoke: true));
            probes.Add(new Probe($"search {role} secret period", tokens[role], "/api/access-requests", Search(new { from = T0.AddMinutes(39), to = T0.AddMinutes(51) }), Revoke: true));
        }

        foreach (var role in new[] { Roles.Officer, Roles.Supervisor, Roles.Keeper })
        {
            probes.Add(new Probe($"activity {role}", tokens[role], $"/api/activities/{activity}"));
        }

        foreach (var role in new[] { Roles.Supervisor, Roles.Keeper })
        {
            probes.Add(new Probe($"ledger {role}", tokens[role], $"/api/devices/{Dock.DeviceId}/ledger"));
            probes.Add(new Probe($"ledger {role} period", tokens[role], $"/api/devices/{Dock.DeviceId}/ledger?{Period(T0.AddMinutes(24), T0.AddMinutes(45))}"));
        }

        foreach (var role in new[] { Roles.Supervisor, Roles.Head })
        {
            probes.Add(new Probe($"report {role}", tokens[role], $"/api/reports/compliance?{Period(T0.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1))}&gapSeconds=0"));
            probes.Add(new Probe($"report {role} secret period", tokens[role], $"/api/reports/compliance?{Period(T0.AddMinutes(39), T0.AddMinutes(51))}&gapSeconds=0"));
            probes.Add(new Probe($"review {role}", tokens[role], "/api/reviews", new { from = T0.AddHours(-1), to = T0.AddHours(2), size = 500 }));
        }

        return probes;
    }

    private async Task<Dictionary<string, string>> AskAllAsync(List<Probe> probes, string head)
    {
        var answers = new Dictionary<string, string>();
        foreach (var probe in probes)
        {
            answers[probe.Name] = await AnswerAsync(probe, head);
        }

        return answers;
    }

    /// <summary>
    /// The unit: a recorder checked out to officer Zhang, a hearing, two unclassified recordings (one linked to the
    /// hearing, one held for a case); the questions asked; then two classified recordings that match every filter the
    /// others match (same officer, device, kind, status, lateness, time span, hearing and case), one of them held, with
    /// read links issued for the other; and the questions asked again.
    /// </summary>
    private async Task<Scene> SceneAsync()
    {
        await Once.WaitAsync(Cancel);
        try
        {
            return _scene ??= await BuildAsync();
        }
        finally
        {
            Once.Release();
        }
    }

    private async Task<Scene> BuildAsync()
    {
        var dock = new Dock(fixture, $"unit-{Guid.NewGuid():N}"[..13]);
        var unit = dock.Unit;
        var tokens = new Dictionary<string, string>
        {
            [Roles.Reviewer] = fixture.TokenFor(unit, Roles.Reviewer),
            [Roles.Officer] = fixture.Cloud.Issuer.Mint(Officer, unit, [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow),
            [Roles.Supervisor] = fixture.TokenFor(unit, Roles.Supervisor),
            [Roles.Keeper] = fixture.TokenFor(unit, Roles.Keeper),
            [Roles.Head] = fixture.TokenFor(unit, Roles.Head),
        };
        var (keeper, head) = (tokens[Roles.Keeper], tokens[Roles.Head]);

        await dock.RegisterDeviceAsync();
        await OkAsync(HttpMethod.Post, $"/api/devices/{Dock.DeviceId}/checkouts", keeper, new { officerId = Officer, condition = "charged", at = T0.AddHours(-1), check = Checks.Passing });
        var activity = (string)(await JsonAsync(HttpMethod.Post, "/api/activities", tokens[Roles.Officer], new
        {
            kind = "hearing", officers = new[] { Officer }, place = "No. 3 market", start = T0, end = T0.AddMinutes(60),
            caseName = "unlicensed stall", caseNumber = "WG-2026-311",
        }))["id"]!;

        async Task<IReadOnlyList<string>> DockAsync(int seed, params (int From, int To, bool Linked)[] recordings)
        {
            var contents = recordings.Select((_, i) => SyntheticWav.Create(seed + i, 8000)).ToList();
            var session = await dock.OpenAsync(Dock.Manifest(DateTimeOffset.UtcNow, TimeSpan.Zero,
                [.. recordings.Select((r, i) => Entry($"a{i}.wav", contents[i], r.From, r.To, r.Linked ? activity : null))]));
            for (var i = 0; i < contents.Count; i++)
            {
                await Dock.UploadAsync(session, $"a{i}.wav", contents[i]);
            }

            await dock.SettledAsync(session.SessionId);
            // The rule links a recording of the activity's officer made during it; the keeper decides these belong to none (Art. 5).
            foreach (var (content, _) in contents.Zip(recordings).Where(r => !r.Second.Linked))
            {
                await OkAsync(HttpMethod.Delete, $"/api/footage/{Dock.Sha256(content)}/activity", keeper, new { reason = "recorded between two steps of the hearing" });
            }

            return [.. contents.Select(Dock.Sha256)];
        }

        object Hold() => new { reason = "dispute", caseName = "night market", caseNumber = CaseNumber, requestedBy = "complainant" };

        var visible = await DockAsync(1701, (0, 10, true), (20, 30, false));
        await OkAsync(HttpMethod.Post, $"/api/footage/{visible[1]}/holds", keeper, Hold());
        var probes = Probes(activity, tokens);
        var before = await AskAllAsync(probes, head);

        var secret = await DockAsync(1711, (40, 50, true), (25, 35, false));
        await OkAsync(HttpMethod.Put, $"/api/footage/{secret[0]}/classification", keeper, new { level = "privacy", reason = "a minor is recorded" });
        await OkAsync(HttpMethod.Put, $"/api/footage/{secret[1]}/classification", keeper, new { level = "stateSecret", reason = "national security matter" });
        await OkAsync(HttpMethod.Post, $"/api/footage/{secret[1]}/holds", keeper, Hold());
        var asked = await JsonAsync(HttpMethod.Post, "/api/access-requests", keeper, new
        {
            footageIds = new[] { secret[0] }, purpose = "internal review", caseName = "night market", caseNumber = CaseNumber, mode = "view", duration = "PT8H",
        });
        await OkAsync(HttpMethod.Post, $"/api/access-requests/{asked["id"]}/approve", head, new { reason = "review board" });
        await OkAsync(HttpMethod.Get, $"/api/access-requests/{asked["id"]}/footage/{secret[0]}/view", keeper);
        var after = await AskAllAsync(probes, head);
        return new Scene(unit, activity, visible, secret, before, after);
    }

    private static void SameAnswers(Scene scene, string prefix)
    {
        var names = scene.Before.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(scene.Before[name] == scene.After[name], $"{name}:\nbefore {scene.Before[name]}\nafter  {scene.After[name]}"));
    }

    private static T Parse<T>(string answer) => System.Text.Json.JsonSerializer.Deserialize<T>(answer.Split('\n')[0], AvCloudJson.Options)!;

    private static IEnumerable<string> ListedIds(string answer) =>
        answer.Split('\n').SelectMany(page => System.Text.Json.JsonSerializer.Deserialize<FootagePage>(page, AvCloudJson.Options)!.Items.Select(i => i.Id));

    [Fact]
    public async Task Footage_filters_answer_a_reviewer_officer_or_supervisor_the_same_whether_or_not_classified_footage_matches()
    {
        var scene = await SceneAsync();

        foreach (var role in new[] { Roles.Reviewer, Roles.Officer, Roles.Supervisor })
        {
            SameAnswers(scene, $"footage {role} ");
            Assert.Equal(scene.Visible.Order(StringComparer.Ordinal), ListedIds(scene.After[$"footage {role} officer={Officer}"]).Order(StringComparer.Ordinal));
        }

        // The keeper sees the classified recordings under every filter they match (the second is linked to no activity).
        foreach (var query in FootageQueries(scene.Activity).Where(q => !q.Contains(scene.Activity, StringComparison.Ordinal) && !q.StartsWith("q=", StringComparison.Ordinal)))
        {
            Assert.Superset(scene.Secret.ToHashSet(), ListedIds(scene.After[$"footage {Roles.Keeper} {query}"]).ToHashSet());
        }

        Assert.Contains(scene.Secret[0], ListedIds(scene.After[$"footage {Roles.Keeper} activity={scene.Activity}"]));
        Assert.Contains(scene.Secret[1], ListedIds(scene.After[$"footage {Roles.Keeper} q={CaseQuery}"]));
        Assert.Contains(scene.Secret[0], ListedIds(scene.After[$"footage {Roles.Keeper} q={scene.Activity}"]));
    }

    [Fact]
    public async Task Classified_footage_is_listed_by_id_and_level_only_in_the_withheld_listing_which_takes_no_filter()
    {
        var scene = await SceneAsync();
        var reviewer = fixture.TokenFor(scene.Unit, Roles.Reviewer);

        IEnumerable<WithheldFootage> Withheld(string answer) =>
            answer.Split('\n').SelectMany(page => System.Text.Json.JsonSerializer.Deserialize<FootagePage>(page, AvCloudJson.Options)!.Withheld);
        var expected = new[] { new WithheldFootage(scene.Secret[0], Classification.Privacy), new WithheldFootage(scene.Secret[1], Classification.StateSecret) }
            .OrderBy(w => w.Id, StringComparer.Ordinal);

        Assert.Empty(Withheld(scene.Before[$"withheld {Roles.Reviewer}"]));
        Assert.Equal(expected, Withheld(scene.After[$"withheld {Roles.Reviewer}"]));
        Assert.Equal(expected, Withheld(scene.After[$"withheld {Roles.Officer}"]));
        Assert.Equal(expected, Withheld(scene.After[$"withheld {Roles.Supervisor}"]));
        Assert.Empty(Withheld(scene.After[$"withheld {Roles.Keeper}"]));
        Assert.All(scene.After[$"withheld {Roles.Reviewer}"].Split('\n'), page => Assert.Empty(Parse<FootagePage>(page).Items));
        foreach (var filter in new[] { $"officer={Officer}", $"device={Dock.DeviceId}", "q=nm", "uploadedLate=true", "recordedFrom=2026-01-01T00:00:00Z" })
        {
            using var filtered = await fixture.SendAsync(HttpMethod.Get, $"/api/footage?withheld=true&{filter}", reviewer);
            Assert.Equal(HttpStatusCode.BadRequest, filtered.StatusCode);
        }

        // Asked for by id, it is refused as classified: the id is what the withheld listing gave.
        using var read = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{scene.Secret[0]}", reviewer);
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }

    [Fact]
    public async Task An_access_request_search_finds_only_footage_its_requester_may_see()
    {
        var scene = await SceneAsync();

        SameAnswers(scene, $"search {Roles.Reviewer} ");
        Assert.Equal($"{Roles.Keeper} {string.Join(",", scene.Visible.Order(StringComparer.Ordinal))}", scene.After[$"search {Roles.Reviewer} period"]);
        Assert.StartsWith("400 ", scene.After[$"search {Roles.Reviewer} secret period"], StringComparison.Ordinal);

        // The keeper's search finds the classified recordings too, and so needs the head.
        Assert.Equal($"{Roles.Head} {string.Join(",", scene.Visible.Concat(scene.Secret).Order(StringComparer.Ordinal))}", scene.After[$"search {Roles.Keeper} period"]);
        Assert.Equal($"{Roles.Head} {scene.Secret[0]}", scene.After[$"search {Roles.Keeper} secret period"]);
    }

    [Fact]
    public async Task An_activity_shows_those_without_clearance_only_a_count_of_its_classified_recordings()
    {
        var scene = await SceneAsync();

        foreach (var role in new[] { Roles.Officer, Roles.Supervisor })
        {
            var before = JsonNode.Parse(scene.Before[$"activity {role}"])!.AsObject();
            var after = JsonNode.Parse(scene.After[$"activity {role}"])!.AsObject();
            Assert.Equal(0, (int)before["withheld"]!);
            Assert.Equal(1, (int)after["withheld"]!);
            before.Remove("withheld");
            after.Remove("withheld");
            Assert.Equal(before.ToJsonString(), after.ToJsonString());

            // The coverage is that of the recordings they may see: no gap closes where the classified one was made.
            var view = Parse<ActivityView>(scene.After[$"activity {role}"]);
            Assert.Equal([scene.Visible[0]], view.Recordings.Select(r => r.FootageId));
            Assert.Contains(view.Coverage.Gaps, g => g.From <= T0.AddMinutes(40) && g.To >= T0.AddMinutes(50));
        }

        var keeper = Parse<ActivityView>(scene.After[$"activity {Roles.Keeper}"]);
        Assert.Equal(0, keeper.Withheld);
        Assert.Equal(new[] { scene.Visible[0], scene.Secret[0] }.Order(StringComparer.Ordinal), keeper.Recordings.Select(r => r.FootageId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_device_ledger_shows_a_supervisor_nothing_of_classified_recordings()
    {
        var scene = await SceneAsync();

        SameAnswers(scene, $"ledger {Roles.Supervisor}");
        var ledger = Parse<DeviceLedger>(scene.After[$"ledger {Roles.Supervisor}"]);
        Assert.Equal(scene.Visible.Order(StringComparer.Ordinal), ledger.Uses.SelectMany(u => u.Recordings).Select(r => r.FootageId).Order(StringComparer.Ordinal));

        var keeper = Parse<DeviceLedger>(scene.After[$"ledger {Roles.Keeper}"]);
        Assert.Superset(scene.Secret.ToHashSet(), keeper.Uses.SelectMany(u => u.Recordings).Select(r => r.FootageId).ToHashSet());
        Assert.Empty(Parse<DeviceLedger>(scene.After[$"ledger {Roles.Supervisor} period"]).Uses.SelectMany(u => u.Recordings));
        Assert.Equal(scene.Secret.Order(StringComparer.Ordinal),
            Parse<DeviceLedger>(scene.After[$"ledger {Roles.Keeper} period"]).Uses.SelectMany(u => u.Recordings).Select(r => r.FootageId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_compliance_report_and_the_review_sample_draw_a_supervisor_only_on_footage_they_may_see()
    {
        var scene = await SceneAsync();

        // Alike but for the count of withheld recordings on the activity the report names (as its view counts them).
        static string WithoutCounts(string answer, int expected)
        {
            var report = JsonNode.Parse(answer)!;
            foreach (var finding in report["coverageGaps"]!.AsArray().Concat(report["missingRecordings"]!.AsArray()))
            {
                Assert.Equal(expected, (int)finding!["withheld"]!);
                finding.AsObject().Remove("withheld");
            }

            // The probes themselves draw reviews between the two rounds; the report lists them (no footage in them).
            report["articles"]!.AsObject().Remove("reviews");
            return report.ToJsonString();
        }

        Assert.Equal(WithoutCounts(scene.Before[$"report {Roles.Supervisor}"], 0), WithoutCounts(scene.After[$"report {Roles.Supervisor}"], 1));
        SameAnswers(scene, $"report {Roles.Supervisor} secret period");
        SameAnswers(scene, $"review {Roles.Supervisor}");
        var report = Parse<Compliance>(scene.After[$"report {Roles.Supervisor}"]);
        Assert.Equal([Classification.None], report.Levels);
        Assert.Equal(scene.Visible.Order(StringComparer.Ordinal), report.LateUploads.SelectMany(l => l.FootageIds).Order(StringComparer.Ordinal));
        Assert.Equal(1, report.Pending.FootageHeld);
        Assert.Empty(report.LinksIssued);
        Assert.Equal(1, Assert.Single(report.CoverageGaps).Withheld);

        using var csv = await fixture.SendAsync(HttpMethod.Get,
            $"/api/reports/compliance?{Period(T0.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1))}&gapSeconds=0&format=csv", fixture.TokenFor(scene.Unit, Roles.Supervisor));
        var rows = await csv.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("1 classified recordings not shown", rows, StringComparison.Ordinal);
        Assert.All(scene.Secret, id => Assert.DoesNotContain(id, rows, StringComparison.Ordinal));

        // The head's report and sample take in everything.
        var full = Parse<Compliance>(scene.After[$"report {Roles.Head}"]);
        Assert.Equal(scene.Visible.Concat(scene.Secret).Order(StringComparer.Ordinal), full.LateUploads.SelectMany(l => l.FootageIds).Order(StringComparer.Ordinal));
        Assert.Equal(2, full.Pending.FootageHeld);
        Assert.Equal(1, Assert.Single(full.LinksIssued).Recordings);
        Assert.Contains(scene.Secret[1], full.Unlinked.Select(f => f.FootageId));
        Assert.Equal($"4 {string.Join(",", scene.Visible.Concat(scene.Secret).Order(StringComparer.Ordinal))}", scene.After[$"review {Roles.Head}"]);
    }
}
