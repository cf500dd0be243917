using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// A page change in the console as the browser sees it: what the person does (a menu link, the next-page button), the
/// API calls it makes, and the frame at which the answer's data is in the page. Times are the page's own clock
/// (<c>performance.now()</c>): the API answers' end from Resource Timing (<c>responseEnd</c>, the last byte received),
/// the data's arrival from a MutationObserver that waits for the next animation frame once the page shows it. The
/// browser tests check what changed; the benchmark (<c>./avcloud bench console</c>) also reads the times.
/// </summary>
internal static class PageChanges
{
    /// <summary>The footage list shows rows (not the inbox's, not "loading").</summary>
    public const string FootageShown = "document.querySelector('[data-testid=footage-table] tr[data-footage]') !== null";

    /// <summary>The inbox shows what waits for a keeper: requests to decide, and no section still loading.</summary>
    public const string InboxShown =
        "document.querySelector('[data-testid=inbox-decide] tr[data-request]') !== null && document.querySelector('main .loading') === null";

    /// <summary>One change: the API answers it waited for (bytes of their bodies as sent), and when its data was shown.</summary>
    /// <param name="Answers">The API answers the change waited for, in the order they ended.</param>
    /// <param name="AnswerToShownMs">From the end of the last API answer to the frame showing its data.</param>
    /// <param name="ActionToShownMs">From the person's action (the click) to that frame.</param>
    /// <param name="ApiMs">From the first API request's start to the last answer's end.</param>
    public sealed record Change(IReadOnlyList<Answer> Answers, double AnswerToShownMs, double ActionToShownMs, double ApiMs);

    /// <param name="Url">The call.</param>
    /// <param name="Status">Its HTTP status.</param>
    /// <param name="BodyBytes">The answer's body as sent (before decompression), Playwright's <c>responseBodySize</c>.</param>
    /// <param name="Json">The answer's JSON body, if it had one.</param>
    public sealed record Answer(string Url, int Status, long BodyBytes, JsonElement? Json);

    /// <summary>
    /// Does <paramref name="act"/> and waits until <paramref name="shown"/> (a JavaScript expression) holds at a frame and
    /// the <paramref name="answers"/> API answers whose path starts with <paramref name="apiPath"/> have ended.
    /// </summary>
    public static async Task<Change> MeasureAsync(IPage page, Func<Task> act, string shown, string apiPath, int answers = 1)
    {
        var ended = new List<IResponse>();
        var all = new TaskCompletionSource();
        void Listen(object? sender, IResponse response)
        {
            if (new Uri(response.Url).AbsolutePath.StartsWith(apiPath, StringComparison.Ordinal))
            {
                lock (ended)
                {
                    ended.Add(response);
                    if (ended.Count == answers)
                    {
                        all.TrySetResult();
                    }
                }
            }
        }

        await page.EvaluateAsync(
            """
            () => {
              performance.clearResourceTimings();
              window.__avActedAt = undefined;
              window.__avShown = new Promise(resolve => {
                let done = false;
                const check = () => {
                  if (done || !(
            """ + shown + """
                  )) return;
                  done = true;
                  observer.disconnect();
                  requestAnimationFrame(() => resolve(performance.now()));
                };
                const observer = new MutationObserver(check);
                observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
              });
              document.addEventListener('click', () => window.__avActedAt ??= performance.now(), { capture: true, once: true });
            }
            """);
        page.Response += Listen;
        try
        {
            await act();
            var shownAt = await page.EvaluateAsync<double>("() => window.__avShown");
            await all.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var timing = await page.EvaluateAsync<double[]>(
                """
                path => {
                  const calls = performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname.startsWith(path));
                  return [window.__avActedAt ?? 0, Math.max(...calls.map(e => e.responseEnd)), Math.min(...calls.map(e => e.startTime))];
                }
                """,
                apiPath);
            var read = new List<Answer>();
            foreach (var response in ended)
            {
                await response.FinishedAsync();
                var sizes = await response.Request.SizesAsync();
                var json = response.Headers.TryGetValue("content-type", out var type) && type.Contains("json", StringComparison.Ordinal)
                    ? await response.JsonAsync() : null;
                read.Add(new Answer(response.Url, response.Status, sizes.ResponseBodySize, json));
            }

            if (!double.IsFinite(timing[1]))
            {
                throw new InvalidOperationException($"No API answer under {apiPath} in the page's resource timing.");
            }

            return new Change(read, shownAt - timing[1], shownAt - timing[0], timing[1] - timing[2]);
        }
        finally
        {
            page.Response -= Listen;
        }
    }

    /// <summary>The footage list's next page: the next-page button, the one API answer, the rows that replaced the last page's.</summary>
    public static async Task<(Change Change, IReadOnlyList<string> Rows)> NextFootagePageAsync(IPage page)
    {
        var first = await page.GetAttributeAsync("[data-testid=footage-table] tr[data-footage]", "data-footage");
        var change = await MeasureAsync(page, () => page.ClickAsync("[data-testid=next-page]"),
            $"document.querySelector('[data-testid=footage-table] tr[data-footage]')?.dataset.footage !== {JsonSerializer.Serialize(first)}", "/api/footage");
        return (change, await FootageRowsAsync(page));
    }

    /// <summary>The ids of the footage rows in the page, in order.</summary>
    public static async Task<IReadOnlyList<string>> FootageRowsAsync(IPage page) =>
        await page.EvalOnSelectorAllAsync<string[]>("[data-testid=footage-table] tr[data-footage]", "rows => rows.map(r => r.dataset.footage)");

    /// <summary>The items of a footage page as the API sent it, and its continuation token.</summary>
    public static (int Items, string? Continuation) FootagePage(Answer answer) =>
        answer.Json is { } json
            ? (json.GetProperty("items").GetArrayLength(),
                json.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null)
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{answer.Url} answered {answer.Status} without JSON."));
}
