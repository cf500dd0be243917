namespace AvCloud.Console.Layout;

/// <summary>
/// What the navigation offers each role: pages whose API calls the role may make. It hides nothing the API would
/// allow and decides nothing: a page reached another way still gets the API's own answer.
/// </summary>
public static class Menu
{
    public sealed record Item(string Href, string Text);

    public static IReadOnlyList<Item> For(IReadOnlySet<string> roles)
    {
        var items = new List<Item> { new("", "Nav.Inbox") };
        if (roles.Overlaps([Roles.Officer, Roles.Keeper, Roles.Reviewer, Roles.Supervisor, Roles.Head]))
        {
            items.Add(new("footage", "Nav.Footage"));
            items.Add(new("requests", "Nav.Requests"));
        }

        // Arts. 17 and 18: the compliance report and the audit trail are the supervisor's and the head's; reviewers score reviews too.
        if (roles.Overlaps([Roles.Supervisor, Roles.Head]))
        {
            items.Add(new("reports/compliance", "Nav.Report"));
        }

        if (roles.Overlaps([Roles.Reviewer, Roles.Supervisor, Roles.Head]))
        {
            items.Add(new("reviews", "Nav.Reviews"));
        }

        if (roles.Overlaps([Roles.Supervisor, Roles.Head]))
        {
            items.Add(new("audit", "Nav.Audit"));
        }

        return items;
    }
}
