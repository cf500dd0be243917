using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// Debian's own headless Chromium (<c>/usr/bin/chromium</c>, which <c>./avcloud test</c> installs when missing), driven
/// by Playwright, which never downloads a browser of its own. The console's browser tests (<c>Chromium</c>) and
/// its benchmark (<c>./avcloud bench console</c>) launch it the same way.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: ./avcloud test installs Debian's chromium package.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // Nothing but loopback: no updates, sync, QUIC probes or first-run pages.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
        });
        return new HeadlessChromium(playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
