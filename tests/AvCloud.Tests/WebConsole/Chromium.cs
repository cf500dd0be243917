using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// One headless Chromium (<see cref="HeadlessChromium"/>) for a class of the console's browser tests. Each test opens
/// its own context (a fresh profile: no cookies, storage or cache from another test).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private HeadlessChromium? _chromium;

    public IBrowser Browser => _chromium?.Browser ?? throw new InvalidOperationException("Chromium is not started yet.");

    public async ValueTask InitializeAsync() => _chromium = await HeadlessChromium.LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }
}
