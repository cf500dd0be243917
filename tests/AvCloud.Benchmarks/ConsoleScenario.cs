using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Identity;
using AvCloud.Functions.WebConsole;
using AvCloud.Local;
using AvCloud.Tests.Campaign;
using AvCloud.Tests.WebConsole;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AvCloud.Benchmarks;

/// <summary>
/// The web console's budgets in Debian's headless Chromium against one local cloud serving the published console
/// (trimmed, precompressed), as <c>./avcloud up</c> does: the first load with an empty cache (bytes and time until the
/// signed-in inbox shows its data), a signed-in start with an empty and with a warm cache, page changes from the API's
/// answer to the data on screen, and the footage list of one unit holding many records paged forward.
/// </summary>
internal static class ConsoleScenario
{
    private const string Unit = "unit-console";
    private const string LargeUnit = "unit-console-large";

    /// <summary>
    /// One load of the console until the inbox shows a keeper's requests: the time from the navigation to the frame
    /// showing the inbox's data (the first visit: without the time the person spends on the sign-in page); the
    /// responses, how many of them the browser's cache answered, and the sum of the bodies sent over the network
    /// (compressed where they were, Playwright's <c>responseBodySize</c>), of which the runtime and assemblies under
    /// <c>_framework/</c>, and for one document's load the same bodies decompressed (Resource Timing's
    /// <c>decodedBodySize</c>); how many responses came
    /// with each <c>Content-Encoding</c> ("identity": none).
    /// </summary>
    public sealed record Load(string Name, double Ms, int Responses, int FromCache, long SentBytes, long? DecodedBytes, long FrameworkSentBytes,
        IReadOnlyDictionary<string, int> Encodings)
    {
        /// <summary>Which console was loaded: this build, or the earlier one it is compared with.</summary>
        public string Build { get; init; } = "this build";
    }

    public sealed record Pages(int Records, double OpenMs, IReadOnlyList<Step> Steps);

    /// <summary>
    /// One page of the list: the items and bytes of the API's answer, whether it continues, the rows and all elements in
    /// the page once shown, the API call's time, from its answer's end and from the click to the frame showing the
    /// rows, and whether any row had been shown on an earlier page.
    /// </summary>
    public sealed record Step(int Page, int Items, bool Continues, long BodyBytes, int Rows, int Elements, double ApiMs, double AnswerToShownMs,
        double ClickToShownMs, bool Overlaps);

    public sealed record Result(IReadOnlyList<Load> Loads, IReadOnlyList<PageChanges.Change> FootageChanges, IReadOnlyList<PageChanges.Change> InboxChanges,
        Pages Paging);

    /// <summary>
    /// Runs the scenario against the console as built now; with <paramref name="earlier"/> (the <c>wwwroot</c> of an
    /// earlier publish), its loads are measured too, served by a second local cloud, round by round in turn.
    /// </summary>
    public static async Task<Result> RunAsync(int rounds, int changes, int records, int pages, string? earlier)
    {
        await using var cloud = await StartAsync(null);
        await using var before = earlier is null ? null : await StartAsync(earlier);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var loads = new List<Load>();
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (host, build) in new[] { (cloud, "this build"), (before, "earlier build") })
            {
                if (host is null)
                {
                    continue;
                }

                // Round 0 warms the host (its first requests JIT the function app); it is not reported.
                var measured = await LoadsAsync(chromium.Browser, new Uri(host.BaseAddress, LocalCloud.ConsolePath));
                if (round > 0)
                {
                    loads.AddRange(measured.Select(l => l with { Build = build }));
                }
            }
        }

        var console = new Uri(cloud.BaseAddress, LocalCloud.ConsolePath);
        Console.WriteLine($"{loads.Count} loads measured");
        var (footageChanges, inboxChanges) = await ChangesAsync(chromium.Browser, console, changes);
        Console.WriteLine($"{footageChanges.Count + inboxChanges.Count} page changes measured");

        // The large unit is seeded only now: the Cosmos stand-in has no index and scans every document of the
        // container for a query, so 100,000 more documents would slow the API's answers in the loads above too.
        var footage = cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Footage);
        var clock = Stopwatch.StartNew();
        await SeededFootage.SeedAsync(footage, records, _ => LargeUnit, CancellationToken.None);
        Console.WriteLine($"seeded {records} records into {LargeUnit} in {clock.Elapsed.TotalSeconds:F0} s");
        var paging = await PagingAsync(chromium.Browser, console, records, pages);
        return new Result(loads, footageChanges, inboxChanges, paging);
    }

    /// <summary>A local cloud serving the console in <paramref name="console"/> (null: the one published now) with the keeper's unit seeded.</summary>
    private static async Task<LocalCloud> StartAsync(string? console)
    {
        var options = IngestScenario.Options(TimeSpan.FromSeconds(5));
        var cloud = await LocalCloud.StartAsync(console is null ? options : new LocalCloudOptions
        {
            Port = options.Port, AzuritePort = options.AzuritePort, CosmosPort = options.CosmosPort, RunTimerSchedules = options.RunTimerSchedules,
            BlobWatchInterval = options.BlobWatchInterval, MinimumLogLevel = options.MinimumLogLevel,
            Settings = new Dictionary<string, string?> { [$"{ConsoleOptions.Section}:Directory"] = Path.GetFullPath(console) },
        });
        var footage = cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Footage);
        await AskAsync(cloud, await SeededFootage.SeedAsync(footage, 1000, _ => Unit, CancellationToken.None));
        return cloud;
    }

    /// <summary>Five pending requests by the keeper, so the inbox shows data to decide and data of their own.</summary>
    private static async Task AskAsync(LocalCloud cloud, IReadOnlyList<AvCloud.Functions.Footage.FootageRecord> seeded)
    {
        using var http = new HttpClient { BaseAddress = cloud.BaseAddress };
        var keeper = cloud.Issuer.Mint("keeper-console", Unit, [Roles.Keeper], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        for (var i = 0; i < 5; i++)
        {
            using var ask = new HttpRequestMessage(HttpMethod.Post, "/api/access-requests")
            {
                Content = JsonContent.Create(new
                {
                    footageIds = new[] { seeded[i].Id }, purpose = "complaint review", caseName = $"complaint {i}", caseNumber = $"TS-2026-{i}",
                    mode = "view", duration = "PT8H",
                }),
            };
            ask.Headers.Authorization = new("Bearer", keeper);
            using var asked = await http.SendAsync(ask);
            if (!asked.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Asking for access answered {(int)asked.StatusCode}: {await asked.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static async Task<IBrowserContext> ContextAsync(IBrowser browser)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "zh-CN", TimezoneId = "Asia/Shanghai", ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(60_000);
        return context;
    }

    /// <summary>
    /// A fresh profile: the first visit (console, sign-in page, back to the console, inbox with data); then the signed-in
    /// console started again with its HTTP and Cache Storage caches emptied, and once more with them warm.
    /// </summary>
    private static async Task<IReadOnlyList<Load>> LoadsAsync(IBrowser browser, Uri console)
    {
        await using var context = await ContextAsync(browser);
        var page = await context.NewPageAsync();
        var responses = new List<IResponse>();
        context.Response += (_, response) => responses.Add(response);
        var cdp = await context.NewCDPSessionAsync(page);

        // The person's own time on the sign-in page (typing, choosing) is not the console's: the clock stops there.
        var toSignIn = Stopwatch.StartNew();
        await LocalSignInPage.OpenAsync(page, console);
        toSignIn.Stop();
        var first = await TotalAsync("first visit, empty cache: to the sign-in page", toSignIn.Elapsed.TotalMilliseconds, responses, null);
        await LocalSignInPage.PickAsync(page, "keeper-console", Unit, [Roles.Keeper]);
        var toInbox = Stopwatch.StartNew();
        await LocalSignInPage.SubmitAsync(page);
        await page.WaitForFunctionAsync($"() => {PageChanges.InboxShown}");
        toInbox.Stop();
        var back = await TotalAsync("first visit: signed in, back to the inbox", toInbox.Elapsed.TotalMilliseconds, responses, null);
        var whole = first with
        {
            Name = "first visit, empty cache, through the sign-in page (sum)", Ms = first.Ms + back.Ms, Responses = first.Responses + back.Responses,
            FromCache = first.FromCache + back.FromCache, SentBytes = first.SentBytes + back.SentBytes,
            FrameworkSentBytes = first.FrameworkSentBytes + back.FrameworkSentBytes,
            Encodings = first.Encodings.Concat(back.Encodings).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value)),
        };

        await cdp.SendAsync("Network.clearBrowserCache");
        await page.EvaluateAsync("async () => { for (const key of await caches.keys()) await caches.delete(key); }");
        var empty = await TotalAsync("signed in, empty cache", await ReloadAsync(page), responses, page);
        var warm = await TotalAsync("signed in, warm cache", await ReloadAsync(page), responses, page);
        return [whole, first, back, empty, warm];
    }

    /// <summary>Reloads the page; the page's own time from the navigation to the frame showing the inbox's data.</summary>
    private static async Task<double> ReloadAsync(IPage page)
    {
        await page.ReloadAsync(new PageReloadOptions { WaitUntil = WaitUntilState.Commit });
        var shown = await page.WaitForFunctionAsync($"() => ({PageChanges.InboxShown}) && performance.now()");
        return await shown.JsonValueAsync<double>();
    }

    /// <summary>What <paramref name="responses"/> transferred; decompressed, from the Resource Timing of <paramref name="page"/> when it is one document's load.</summary>
    private static async Task<Load> TotalAsync(string name, double ms, List<IResponse> responses, IPage? page)
    {
        long sent = 0, framework = 0;
        var fromCache = 0;
        var encodings = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var response in responses.ToList())
        {
            await response.FinishedAsync();
            // What the cache answered took nothing from the network (Playwright gives it a negative size: no bytes received but its headers).
            var body = (await response.Request.SizesAsync()).ResponseBodySize;
            if (body < 0)
            {
                fromCache++;
                body = 0;
            }

            sent += body;
            if (new Uri(response.Url).AbsolutePath.StartsWith("/_framework/", StringComparison.Ordinal))
            {
                framework += body;
            }

            var encoding = (await response.HeaderValueAsync("content-encoding")) ?? "identity";
            encodings[encoding] = encodings.GetValueOrDefault(encoding) + 1;
        }

        var decoded = page is null ? (long?)null : await page.EvaluateAsync<long>(
            "() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].reduce((sum, e) => sum + e.decodedBodySize, 0)");
        var load = new Load(name, ms, responses.Count, fromCache, sent, decoded, framework, encodings);
        responses.Clear();
        return load;
    }

    /// <summary>A signed-in keeper moves between the footage list and the inbox by the menu, again and again.</summary>
    private static async Task<(IReadOnlyList<PageChanges.Change> Footage, IReadOnlyList<PageChanges.Change> Inbox)> ChangesAsync(
        IBrowser browser, Uri console, int changes)
    {
        await using var context = await ContextAsync(browser);
        var page = await context.NewPageAsync();
        await LocalSignInPage.SignInAsync(page, console, "keeper-console", Unit, [Roles.Keeper]);
        await page.WaitForFunctionAsync($"() => {PageChanges.InboxShown}");
        var (toFootage, toInbox) = (new List<PageChanges.Change>(), new List<PageChanges.Change>());
        for (var i = -3; i < changes; i++)
        {
            // The first three of each are a warm-up (the first render of a page JITs nothing in the interpreter, but fills caches).
            var footage = await PageChanges.MeasureAsync(page, () => page.ClickAsync("nav a[href='footage']"), PageChanges.FootageShown, "/api/footage");
            var inbox = await PageChanges.MeasureAsync(page, () => page.ClickAsync("nav a[href='']"), PageChanges.InboxShown, "/api/", answers: 3);
            if (i >= 0)
            {
                toFootage.Add(footage);
                toInbox.Add(inbox);
            }
        }

        return (toFootage, toInbox);
    }

    /// <summary>The keeper of the large unit opens the footage list and pages forward.</summary>
    private static async Task<Pages> PagingAsync(IBrowser browser, Uri console, int records, int pages)
    {
        await using var context = await ContextAsync(browser);
        var page = await context.NewPageAsync();
        await LocalSignInPage.SignInAsync(page, console, "keeper-large", LargeUnit, [Roles.Keeper]);
        var opened = await PageChanges.MeasureAsync(page, () => page.ClickAsync("nav a[href='footage']"), PageChanges.FootageShown, "/api/footage");
        var seen = new HashSet<string>(await PageChanges.FootageRowsAsync(page), StringComparer.Ordinal);
        var (items, next) = PageChanges.FootagePage(opened.Answers[0]);
        var steps = new List<Step>
        {
            new(1, items, next is not null, opened.Answers[0].BodyBytes, seen.Count, await ElementsAsync(page), opened.ApiMs, opened.AnswerToShownMs,
                opened.ActionToShownMs, false),
        };
        for (var number = 2; number <= pages; number++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"page {number - 1}: {steps[^1].ApiMs:F0} ms in the API"));
            var (change, rows) = await PageChanges.NextFootagePageAsync(page);
            (items, next) = PageChanges.FootagePage(change.Answers[0]);
            var overlaps = rows.Any(seen.Contains);
            seen.UnionWith(rows);
            steps.Add(new Step(number, items, next is not null, change.Answers[0].BodyBytes, rows.Count, await ElementsAsync(page), change.ApiMs,
                change.AnswerToShownMs, change.ActionToShownMs, overlaps));
        }

        return new Pages(records, opened.ActionToShownMs, steps);
    }

    private static Task<int> ElementsAsync(IPage page) => page.EvaluateAsync<int>("() => document.getElementsByTagName('*').length");
}
