using System.Globalization;
using AvCloud.Console.Client.Models;

namespace AvCloud.Console.Reports;

/// <summary>
/// One line of the report's article-by-article table: the article, what the line says (a text key, <c>Article.{What}</c>,
/// formatted with <see cref="Args"/>), and whether it shows the unit failing the obligation (highlighted).
/// </summary>
public sealed record ArticleLine(string Article, string What, IReadOnlyList<string> Args, bool Fails);

/// <summary>
/// The compliance report's <c>articles</c> section as table lines, article by article (Arts. 3 to 18): each finding a
/// line, and an article with nothing found a line saying so, so the table shows every obligation checked. What fails is
/// what the API found wanting; the console judges nothing itself.
/// </summary>
public static class ArticleLines
{
    public static IReadOnlyList<ArticleLine> Of(ArticleFindings? found)
    {
        if (found is null)
        {
            return [];
        }

        var lines = new List<ArticleLine>();
        if (found.Equipment is { } e)
        {
            lines.Add(new("3", "Equipment", [N(e.Devices), N(e.ActiveOfficers), e.DevicesPerOfficer is { } r ? N(r) : "—", N(e.Target)], e.BelowTarget is true));
            lines.AddRange((e.OfficersIssuedNothing ?? []).Select(o => new ArticleLine("3", "IssuedNothing", [o], true)));
            lines.AddRange((e.UnapprovedModels ?? []).Select(d => new ArticleLine("3", "ModelNotApproved", [d.DeviceId ?? "", d.Model ?? ""], true)));
        }

        Each("4", found.DevicesOutOfService, d => new("4", d.FaultOpen is true ? "OutOfServiceFault" : "OutOfService", [d.DeviceId ?? "", d.Status?.ToString() ?? ""], d.FaultOpen is true));
        if (found.FlaggedRecordings is { } flagged)
        {
            var open = flagged.Unresolved?.Count ?? 0;
            lines.Add(new("5", "Flagged", [N(flagged.Flagged), N(flagged.Resolved), N(open)], open > 0));
        }

        Each("7", found.CheckoutExceptions, c => new("7", "CheckoutException", [c.DeviceId ?? "", c.OfficerId ?? "", string.Join("; ", c.Failures ?? []), c.Reason ?? "—"], true));
        Each("8–11", found.ConductMissing, c => c.NoAccount is true
            ? new("8–11", "NoAccount", [c.ActivityId ?? ""], true)
            : new("8–11", "ConductMissing", [c.ActivityId ?? "", string.Join(", ", c.Missing ?? [])], true));
        Each("12", found.LateWorkRecords, w => new("12", "LateWorkRecord", [w.WorkRecordId ?? "", w.OfficerId ?? "", N(w.HoursLate)], true));
        Each("13", found.AwayActivities, a => new("13", a.ReturnedAt is null ? "AwayNotReturned" : "AwayReturned", [a.ActivityId ?? ""], false));
        Each("17", found.ReviewSchedule, y => new("17", y.Overdue is true ? "ReviewOverdue" : y.Completed is { Count: > 0 } ? "ReviewDone" : "ReviewNotDue",
            [N(y.Year), string.Join(", ", y.Completed ?? [])], y.Overdue is true));
        Each("18", found.MisconductCases, c => new("18", "MisconductCase", [c.Case?.Id ?? "", c.Case?.PersonId ?? "", c.Case?.Status?.ToString() ?? ""], false));
        return lines;

        void Each<T>(string article, List<T>? items, Func<T, ArticleLine> line)
        {
            if (items is not { Count: > 0 })
            {
                lines.Add(new(article, "Nothing", [], false));
                return;
            }

            lines.AddRange(items.Select(line));
        }
    }

    private static string N(double? value) => value?.ToString("0.##", CultureInfo.CurrentCulture) ?? "0";
}
