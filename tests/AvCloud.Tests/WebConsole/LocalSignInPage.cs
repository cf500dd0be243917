using AvCloud.Local.Identity;
using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>The local issuer's sign-in page as a person uses it: the console sends them there, they pick the user, unit and roles.</summary>
internal static class LocalSignInPage
{
    /// <summary>Opens the console, which sends the browser to sign in; picks the user, unit and roles there; waits until the console says who signed in.</summary>
    public static async Task SignInAsync(IPage page, Uri console, string user, string unit, IReadOnlyCollection<string> roles)
    {
        await OpenAsync(page, console);
        await PickAsync(page, user, unit, roles);
        await SubmitAsync(page);
    }

    /// <summary>Opens the console and waits for the sign-in page it sends the browser to.</summary>
    public static async Task OpenAsync(IPage page, Uri console)
    {
        await page.GotoAsync(console.ToString());
        await page.WaitForURLAsync(url => url.Contains(LocalSignIn.AuthorizePath, StringComparison.Ordinal));
        await page.WaitForSelectorAsync("#user");
    }

    /// <summary>On the sign-in page: the user, unit and roles.</summary>
    public static async Task PickAsync(IPage page, string user, string unit, IReadOnlyCollection<string> roles)
    {
        await page.FillAsync("#user", user);
        await page.FillAsync("#unit", unit);
        foreach (var box in await page.QuerySelectorAllAsync("input[name=role]"))
        {
            var role = await box.GetAttributeAsync("value");
            await box.SetCheckedAsync(role is not null && roles.Contains(role));
        }
    }

    /// <summary>Signs in with what was picked; waits until the console says who signed in.</summary>
    public static async Task SubmitAsync(IPage page)
    {
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=who]");
    }
}
