using System.Globalization;
using AvCloud.Console.Client.Models;
using AvCloud.Console.Resources;
using Microsoft.AspNetCore.Components.WebAssembly.Authentication;
using Microsoft.Extensions.Localization;
using Microsoft.Kiota.Abstractions;

namespace AvCloud.Console.Api;

/// <summary>A refusal or failure as the person is shown it: the problem's title in their language where AvCloud has one, the API's detail.</summary>
public sealed record Shown(string Title, string? Detail, int? Status);

/// <summary>
/// Calls the API so that nothing fails silently: a problem answer (RFC 9457) becomes its title, translated where the
/// console knows the title, and the API's own detail; an unreachable API says so; an expired sign-in goes to sign in.
/// </summary>
public sealed class ApiCalls(IStringLocalizer<Text> text)
{
    /// <summary>The call's answer, or default after <paramref name="refused"/> was told why there is none.</summary>
    public async Task<T?> CallAsync<T>(Func<Task<T?>> call, Action<Shown> refused)
    {
        try
        {
            return await call();
        }
        catch (AccessTokenNotAvailableException expired)
        {
            expired.Redirect();
            return default;
        }
        catch (Exception exception) when (Explain(exception) is { } shown)
        {
            refused(shown);
            return default;
        }
    }

    /// <summary>What to show for <paramref name="exception"/>; null for what is no answer of the API (a bug, which the page's error bar shows).</summary>
    public Shown? Explain(Exception exception) => exception switch
    {
        Problem problem => new Shown(TitleOf(problem.Title), problem.Detail, problem.Status ?? problem.ResponseStatusCode),
        ApiException answer => new Shown(text["Problem.Unexpected"], null, answer.ResponseStatusCode),
        HttpRequestException => new Shown(text["Problem.Network"], null, null),
        _ => null,
    };

    /// <summary>The title in the person's language when AvCloud has a translation of it; the API's title otherwise.</summary>
    public string TitleOf(string? title)
    {
        if (string.IsNullOrEmpty(title))
        {
            return text["Problem.Unexpected"];
        }

        var translated = text["ProblemTitle." + title];
        return translated.ResourceNotFound ? title : translated.Value;
    }

    public string StatusOf(int? status) =>
        status is { } code ? string.Format(CultureInfo.CurrentCulture, text["Problem.Status"], code) : "";
}
