using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Campaign;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.WebConsole;

/// <summary>
/// The footage list of a unit holding far more records than a page, in the browser: the console asks the API for one
/// page at a time, shows that page only, and the continuation leads to the next records in order, none shown twice.
/// How long it takes is the benchmark's business (<c>./avcloud bench console</c>, docs/performance.md), not a test's.
/// </summary>
public sealed class ConsoleBudgetTests(LocalCloudFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    private const int Records = 2000;
    private const int PageSize = 50;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_footage_list_of_2000_records_pages_fifty_at_a_time_newest_first_and_keeps_one_page_in_the_page()
    {
        var unit = $"budget-{Guid.NewGuid():N}"[..14];
        var footage = fixture.Cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Footage);
        var seeded = await SeededFootage.SeedAsync(footage, Records, _ => unit, Cancel);
        var newestFirst = seeded.OrderByDescending(r => r.CorrectedStart).Select(r => r.Id).ToList();
        await using var keeper = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await keeper.SignInAsync("keeper-budget", unit, Roles.Keeper);

        var opened = await PageChanges.MeasureAsync(keeper.Page, () => keeper.Page.ClickAsync("nav a[href='footage']"), PageChanges.FootageShown, "/api/footage");
        var shown = new List<string>(await PageChanges.FootageRowsAsync(keeper.Page));
        var answers = new List<PageChanges.Answer>(opened.Answers);
        for (var page = 2; page <= 4; page++)
        {
            var (change, rows) = await PageChanges.NextFootagePageAsync(keeper.Page);
            // The page holds the new page's rows only: the list never grows towards the whole unit.
            Assert.Equal(newestFirst.Skip((page - 1) * PageSize).Take(PageSize), rows);
            shown.AddRange(rows);
            answers.AddRange(change.Answers);
        }

        // One call per page, each answering one page with a continuation, in order, newest first, none twice.
        Assert.Equal(4, answers.Count);
        Assert.All(answers, answer =>
        {
            Assert.Equal(200, answer.Status);
            var (items, next) = PageChanges.FootagePage(answer);
            Assert.Equal(PageSize, items);
            Assert.NotNull(next);
        });
        Assert.Equal(newestFirst.Take(4 * PageSize), shown);
        Assert.Contains("pageSize=50", opened.Answers[0].Url, StringComparison.Ordinal);
        Assert.Equal("第 4 页", (await keeper.Page.TextContentAsync(".pager span"))?.Trim());
    }

    [Fact]
    public async Task The_first_page_button_goes_back_to_the_newest_records_without_the_pages_between()
    {
        var unit = $"budget-{Guid.NewGuid():N}"[..14];
        var footage = fixture.Cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Footage);
        var seeded = await SeededFootage.SeedAsync(footage, 3 * PageSize, _ => unit, Cancel);
        var newestFirst = seeded.OrderByDescending(r => r.CorrectedStart).Select(r => r.Id).ToList();
        await using var keeper = await ConsoleSession.OpenAsync(chromium.Browser, fixture);
        await keeper.SignInAsync("keeper-budget", unit, Roles.Keeper);
        await keeper.GoAsync("footage");
        await keeper.Page.WaitForSelectorAsync("[data-testid=footage-table] tr[data-footage]");
        await PageChanges.NextFootagePageAsync(keeper.Page);
        var (_, rows) = await PageChanges.NextFootagePageAsync(keeper.Page);
        Assert.Equal(newestFirst.Skip(2 * PageSize), rows);

        var first = await PageChanges.MeasureAsync(keeper.Page, () => keeper.Page.ClickAsync(".pager button:first-of-type"),
            $"document.querySelector('[data-testid=footage-table] tr[data-footage]')?.dataset.footage === '{newestFirst[0]}'", "/api/footage");

        Assert.Single(first.Answers);
        Assert.DoesNotContain("continuationToken", first.Answers[0].Url, StringComparison.Ordinal);
        Assert.Equal(newestFirst.Take(PageSize), await PageChanges.FootageRowsAsync(keeper.Page));
    }
}
