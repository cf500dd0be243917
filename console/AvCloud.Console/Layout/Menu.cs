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

        // The keeper's records work; the head may do it too (the API lets both), though only a keeper hands devices over.
        if (Roles.Keeps(roles))
        {
            items.Add(new("devices", "Nav.Devices"));
            items.Add(new("activities", "Nav.Activities"));
            items.Add(new("linking", "Nav.Linking"));
            items.Add(new("cases", "Nav.Cases"));
        }

        // Each as the API's roles for its listing allow (ListDisposals, ListWorkRecords, ListShares, GetUnitSettings).
        if (roles.Overlaps([Roles.Keeper, Roles.Head]))
        {
            items.Add(new("disposals", "Nav.Disposals"));
        }

        if (roles.Overlaps([Roles.Keeper, Roles.Supervisor, Roles.Head]))
        {
            items.Add(new("work-records", "Nav.WorkRecords"));
        }

        if (roles.Overlaps([Roles.Keeper, Roles.Reviewer, Roles.Supervisor, Roles.Head]))
        {
            items.Add(new("shares", "Nav.Shares"));
        }

        if (roles.Overlaps([Roles.Keeper, Roles.Supervisor, Roles.Head]))
        {
            items.Add(new("settings", "Nav.Settings"));
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
