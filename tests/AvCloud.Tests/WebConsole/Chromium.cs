using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// One headless Chromium for the console's browser tests: Debian's own (<c>/usr/bin/chromium</c>, which
/// <c>./avcloud test</c> installs when missing), driven by Playwright, which never downloads a browser of its own.
/// Each test opens its own context (a fresh profile: no cookies, storage or cache from another test).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: ./avcloud test installs Debian's chromium package.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // Nothing but loopback: no updates, sync, QUIC probes or first-run pages.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
