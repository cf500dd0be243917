using AvCloud.Console.Client.Models;

namespace AvCloud.Console.Timelines;

/// <summary>What a step of a recording's custody was (Art. 18): the stages the custody timeline shows.</summary>
public enum Stage
{
    Uploaded,
    Catalogued,
    Linked,
    Classified,
    Held,
    Accessed,
    Verified,
    Copied,
    Disposal,
    Other,
}

/// <summary>
/// One step of custody: its stage, when, who (a person, a dock, AvCloud itself), the audit action it comes from (none for
/// facts the record itself keeps), whether it succeeded, and what the event's details say.
/// </summary>
public sealed record CustodyEntry(Stage Stage, DateTimeOffset At, string Actor, string? Action, bool Failed, IReadOnlyDictionary<string, string> Details);

/// <summary>The entries of one day in the person's time zone, oldest first.</summary>
public sealed record CustodyDay(DateOnly Day, IReadOnlyList<CustodyEntry> Entries);

/// <summary>
/// A recording's chain of custody as a timeline (Art. 18): its uploads and second copy as the record keeps them, and
/// every audit event about it, each put in its stage, oldest first, grouped by day in the person's time zone. It shows
/// what the API answered and adds nothing to it.
/// </summary>
public static class CustodyTimeline
{
    // The audit catalogue's actions (Audit/AuditAction.cs in the function app) by the stage they belong to.
    private static readonly (string Prefix, Stage Stage)[] Stages =
    [
        ("upload.", Stage.Uploaded),
        ("footage.catalogued", Stage.Catalogued),
        ("footage.duplicate", Stage.Uploaded),
        ("footage.quarantined", Stage.Verified),
        ("footage.linked", Stage.Linked),
        ("footage.unlinked", Stage.Linked),
        ("footage.link-undecided", Stage.Linked),
        ("footage.classified", Stage.Classified),
        ("footage.categorised", Stage.Classified),
        ("hold.", Stage.Held),
        ("case.hold-", Stage.Held),
        ("preservation.", Stage.Held),
        ("integrity.", Stage.Verified),
        ("access.packaged", Stage.Copied),
        ("share.downloaded", Stage.Copied),
        ("access.", Stage.Accessed),
        ("share.", Stage.Accessed),
        ("footage.read", Stage.Accessed),
        ("footage.custody", Stage.Accessed),
        ("disposal.", Stage.Disposal),
        ("retention.", Stage.Disposal),
        ("footage.purge", Stage.Disposal),
    ];

    /// <summary>The stage of an audit action; <see cref="Stage.Other"/> for any the timeline does not place.</summary>
    public static Stage StageOf(string? action) =>
        action is null ? Stage.Other : Stages.FirstOrDefault(s => action.StartsWith(s.Prefix, StringComparison.Ordinal)) is { Prefix: not null } found ? found.Stage : Stage.Other;

    /// <summary>The custody's steps, oldest first: the record's uploads, second copy and last verification, then its audit events.</summary>
    public static IReadOnlyList<CustodyEntry> Of(Client.Models.Custody custody)
    {
        var entries = new List<CustodyEntry>();
        var record = custody.Record;
        foreach (var upload in record?.Uploads ?? [])
        {
            if ((upload.ReceivedAt ?? upload.DockedAt) is { } at)
            {
                entries.Add(new CustodyEntry(Stage.Uploaded, at, upload.DockId ?? "", null, false, Facts(("file", upload.FileName), ("device", upload.DeviceId), ("officer", upload.OfficerId))));
            }
        }

        if (record?.SecondCopy is { VerifiedAt: { } copied } copy)
        {
            entries.Add(new CustodyEntry(Stage.Copied, copied, "AvCloud", null, false, Facts(("account", copy.Account), ("sha256", copy.Sha256))));
        }

        if (record?.LastVerifiedAt is { } verified)
        {
            entries.Add(new CustodyEntry(Stage.Verified, verified, "AvCloud", null, record.IntegrityFailure is not null, Facts(("sha256", record.Sha256))));
        }

        foreach (var e in custody.Events ?? [])
        {
            if (e.Time is { } at)
            {
                entries.Add(new CustodyEntry(StageOf(e.Action), at, e.Actor ?? "", e.Action, e.Outcome is not null && e.Outcome != "success", DetailsOf(e)));
            }
        }

        // Stable: the record's own facts stay before the events of the same instant, events in the chain's order.
        return [.. entries.OrderBy(e => e.At)];
    }

    /// <summary><paramref name="entries"/> by day in <paramref name="zone"/>, oldest day first.</summary>
    public static IReadOnlyList<CustodyDay> ByDay(IEnumerable<CustodyEntry> entries, TimeZoneInfo zone) =>
        [.. entries.OrderBy(e => e.At).GroupBy(e => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(e.At, zone).DateTime))
            .Select(g => new CustodyDay(g.Key, [.. g]))];

    private static Dictionary<string, string> DetailsOf(AuditEvent e) =>
        e.Details?.AdditionalData.Where(d => d.Value is not null).ToDictionary(d => d.Key, d => d.Value.ToString() ?? "", StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);

    private static Dictionary<string, string> Facts(params (string Key, string? Value)[] facts) =>
        facts.Where(f => !string.IsNullOrEmpty(f.Value)).ToDictionary(f => f.Key, f => f.Value!, StringComparer.Ordinal);
}
