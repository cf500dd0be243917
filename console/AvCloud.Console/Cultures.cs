using System.Globalization;
using Microsoft.JSInterop;

namespace AvCloud.Console;

/// <summary>
/// The console's languages: Chinese (zh-CN) first and by default, English second. The choice is remembered in the
/// browser and applied before the app starts, so the right texts (and their satellite assembly) load with it.
/// </summary>
public static class Cultures
{
    public static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    /// <summary>The culture a remembered choice names; anything but English (nothing remembered, an odd value) is Chinese.</summary>
    public static CultureInfo Of(string? remembered) =>
        string.Equals(remembered, English.Name, StringComparison.OrdinalIgnoreCase) ? English : Chinese;

    public static async Task ApplyAsync(IJSRuntime js)
    {
        var culture = Of(await js.InvokeAsync<string?>("avcloud.culture.get"));
        CultureInfo.DefaultThreadCurrentCulture = culture;
        CultureInfo.DefaultThreadCurrentUICulture = culture;
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
        await js.InvokeVoidAsync("avcloud.setDocumentLanguage", culture.Name);
    }

    /// <summary>The console's language as the API names it for the documents it writes (custody reports, packages): en or zh-CN.</summary>
    public static string ForApi => CultureInfo.CurrentUICulture.Name == English.Name ? "en" : "zh-CN";

    /// <summary>Remembers <paramref name="culture"/>; the caller reloads the page, which starts in it.</summary>
    public static ValueTask RememberAsync(IJSRuntime js, CultureInfo culture) => js.InvokeVoidAsync("avcloud.culture.set", culture.Name);
}
