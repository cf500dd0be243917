using AvCloud.Functions.Cosmos;

namespace AvCloud.Functions.Audit;

/// <summary>
/// An audit event not yet in the chain, kept on the record whose change it tells of: written in the same document
/// write as the change, so the change and its event cannot diverge. The writer appends it to the unit's chain right
/// after, then takes it off; the <c>CompleteAuditOutbox</c> timer finishes any a crash left behind.
/// </summary>
public sealed record PendingAudit(string Id, string Actor, string Role, string Action, string Target, string Outcome,
    IReadOnlyDictionary<string, string>? Details, DateTimeOffset At)
{
    /// <summary>The detail that ties a chain event to the pending entry it came from (so it is never appended twice).</summary>
    public const string OutboxDetail = "outbox";

    public static PendingAudit Of(AuditEntry entry, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), entry.Actor, entry.Role, entry.Action.Name, entry.Target, entry.Outcome, entry.Details, at);

    /// <summary>The entry to append to <paramref name="unitId"/>'s chain.</summary>
    public AuditEntry ToEntry(string unitId) =>
        new(unitId, Actor, Role, AuditAction.Named(Action), Target, Outcome,
            new Dictionary<string, string>(Details ?? new Dictionary<string, string>()) { [OutboxDetail] = Id });
}

/// <summary>What callers of the API are shown of audited records.</summary>
public static class AuditedRecords
{
    /// <summary>
    /// Leaves a record's <see cref="IAudited{T}.Outbox"/> out of what callers are sent and described: it is the audit
    /// trail's business (who did what, with what reason) until the chain holds it, and the chain has its own readers.
    /// </summary>
    public static void HideOutbox(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && typeof(IAudited<object>).IsAssignableFrom(info.Type))
        {
            for (var i = info.Properties.Count - 1; i >= 0; i--)
            {
                if (info.Properties[i].Name == "outbox")
                {
                    info.Properties.RemoveAt(i);
                }
            }
        }
    }
}

/// <summary>A record whose changes carry their audit events until the chain has them.</summary>
public interface IAudited<out T> : IUnitDocument
{
    IReadOnlyList<PendingAudit> Outbox { get; }

    /// <summary>This record with <paramref name="outbox"/> as its pending events.</summary>
    T WithOutbox(IReadOnlyList<PendingAudit> outbox);
}
