using AvCloud.Local;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>One person at the console in the browser: signs in on the local issuer's page, moves around, looks.</summary>
internal sealed class ConsoleSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _log = [];

    private ConsoleSession(IBrowserContext context, IPage page, Uri console)
    {
        _context = context;
        Page = page;
        Console = console;
        // What the page said (its console, its errors, failed requests) goes to tests/TestResults/browser/ for a failing test.
        page.Console += (_, message) => _log.Add($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => _log.Add($"page error: {error}");
        page.RequestFailed += (_, request) => _log.Add($"request failed: {request.Method} {request.Url} {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                _log.Add($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    public Uri Console { get; }

    public static string Screenshots => Path.Combine(Repository.Root, "tests", "TestResults", "screenshots");

    public static Task<ConsoleSession> OpenAsync(IBrowser browser, LocalCloudFixture fixture) => OpenAsync(browser, fixture.Cloud);

    /// <summary>At the console of <paramref name="cloud"/> (a test's own, say one whose clock it shifts).</summary>
    public static async Task<ConsoleSession> OpenAsync(IBrowser browser, LocalCloud cloud)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(20_000);
        return new ConsoleSession(context, await context.NewPageAsync(), new Uri(cloud.BaseAddress, LocalCloud.ConsolePath));
    }

    /// <summary>Opens the console, which sends the browser to sign in; picks the user, unit and roles there.</summary>
    public Task SignInAsync(string user, string unit, params string[] roles) => LocalSignInPage.SignInAsync(Page, Console, user, unit, roles);

    public async Task GoAsync(string route)
    {
        await Page.GotoAsync(new Uri(Console, route).ToString());
        await Page.WaitForSelectorAsync("main h1");
    }

    /// <summary>On the page asking for access: fills the purpose and case, submits, and gives the new request's id.</summary>
    public async Task<string> AskAsync(string purpose, string caseName, string caseNumber)
    {
        await Page.FillAsync("[data-testid=ask-purpose]", purpose);
        await Page.FillAsync("[data-testid=ask-case-name]", caseName);
        await Page.FillAsync("[data-testid=ask-case-number]", caseNumber);
        await Page.ClickAsync("[data-testid=ask-submit]");
        await Page.WaitForSelectorAsync("[data-testid=request-state]");
        return Page.Url.Split("/requests/")[1].Split('?')[0];
    }

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(Screenshots);
        var language = await Page.EvaluateAsync<string>("document.documentElement.lang");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.{language}.png"), FullPage = true });
    }

    /// <summary>axe-core on the page as it is: the serious and critical violations, with what they concern.</summary>
    public async Task<IReadOnlyList<string>> SeriousViolationsAsync()
    {
        var result = await Page.RunAxe();
        return [.. result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {string.Join("; ", v.Nodes.Select(n => n.Html))}")];
    }

    public async ValueTask DisposeAsync()
    {
        var folder = Path.Combine(Repository.Root, "tests", "TestResults", "browser");
        Directory.CreateDirectory(folder);
        var test = TestContext.Current.Test?.TestDisplayName.Split('(')[0].Split('.')[^1] ?? "test";
        await File.WriteAllLinesAsync(Path.Combine(folder, $"{test[..Math.Min(48, test.Length)]}-{Guid.NewGuid():N}.log"), [Page.Url, .. _log]);
        await _context.CloseAsync();
    }
}
