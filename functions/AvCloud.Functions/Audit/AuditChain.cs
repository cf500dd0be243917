using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace AvCloud.Functions.Audit;

/// <summary>
/// The hash chain, as pure functions: sealing an event (its hash over a canonical serialisation that includes the
/// previous event's hash) and walking a unit's events to find the first broken link.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of a unit's first event.</summary>
    public static readonly string Genesis = new('0', 64);

    public static AuditEvent Seal(AuditEntry entry, long sequence, string previousHash, DateTimeOffset time)
    {
        var unsealed = new AuditEvent
        {
            Id = AuditEvent.IdFor(sequence),
            UnitId = entry.UnitId,
            Sequence = sequence,
            // Whole microseconds survive every JSON round trip, so the hash can be recomputed from the stored document.
            Time = new DateTimeOffset(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero),
            Actor = entry.Actor,
            Role = entry.Role,
            Action = entry.Action.Name,
            Target = entry.Target,
            Outcome = entry.Outcome,
            Details = entry.Details ?? new Dictionary<string, string>(),
            PreviousHash = previousHash,
            Hash = "",
        };
        return unsealed with { Hash = HashOf(unsealed) };
    }

    /// <summary>
    /// SHA-256 (hex) of the event's canonical form: a JSON object with fixed property order, UTC time in ISO 8601
    /// with seven fractional digits, details sorted by key. The id, hash and storage fields are not part of it.
    /// </summary>
    public static string HashOf(AuditEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("action", e.Action);
            json.WriteString("actor", e.Actor);
            json.WriteStartObject("details");
            foreach (var (key, value) in e.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            json.WriteString("outcome", e.Outcome);
            json.WriteString("previousHash", e.PreviousHash);
            json.WriteString("role", e.Role);
            json.WriteNumber("schemaVersion", e.SchemaVersion);
            json.WriteNumber("sequence", e.Sequence);
            json.WriteString("target", e.Target);
            json.WriteString("time", e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("unitId", e.UnitId);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    /// <summary>
    /// Walks events in sequence order and reports the first break: a gap in the numbering (a deleted event), a hash
    /// that does not match the event's content (an edit), or a previous-hash that does not match the event before
    /// (a reordering or an edit upstream). The head, when known, must point at the last event (a deleted tail).
    /// Each anchor (<see cref="AuditAnchors"/>) must find its event in the chain with the hash it recorded: the head
    /// can be rewound along with a deleted tail, an anchor in immutable storage cannot, and since every event carries
    /// the hash of the one before, one matching anchor vouches for the whole chain up to it.
    /// </summary>
    public static ChainReport Verify(IEnumerable<AuditEvent> eventsInOrder, AuditHead? head, IReadOnlyList<AuditAnchor>? anchors = null)
    {
        anchors ??= [];
        return Walk(eventsInOrder, head, anchors) with { AnchorsChecked = anchors.Count };
    }

    private static ChainReport Walk(IEnumerable<AuditEvent> eventsInOrder, AuditHead? head, IReadOnlyList<AuditAnchor> anchors)
    {
        var anchoredAt = anchors.Where(a => a.Problem is null).ToLookup(a => a.Sequence);
        long expected = 1;
        var previousHash = Genesis;
        long count = 0;
        foreach (var e in eventsInOrder)
        {
            count++;
            if (e.Sequence != expected)
            {
                return ChainReport.Broken(count - 1, expected, e.Sequence > expected
                    ? $"Event {expected} is missing: the next event is number {e.Sequence}."
                    : $"Event {e.Sequence} appears where event {expected} belongs.");
            }

            if (HashOf(e) != e.Hash)
            {
                return ChainReport.Broken(count - 1, e.Sequence, $"Event {e.Sequence} does not match its hash: its content was changed.");
            }

            if (e.PreviousHash != previousHash)
            {
                return ChainReport.Broken(count - 1, e.Sequence, $"Event {e.Sequence} does not follow event {e.Sequence - 1}: the chain was reordered or rewritten.");
            }

            if (anchoredAt[e.Sequence].FirstOrDefault(a => a.Hash != e.Hash) is { } differs)
            {
                return ChainReport.Broken(count - 1, e.Sequence,
                    $"Event {e.Sequence} is not the event anchored on {differs.DayName}: the chain was truncated or rewritten after anchor of {differs.DayName}.");
            }

            previousHash = e.Hash;
            expected++;
        }

        if (anchors.Where(a => a.Problem is null && a.Sequence >= expected).MinBy(a => a.Sequence) is { } beyond)
        {
            return ChainReport.Broken(count, expected,
                $"The chain ends at event {expected - 1} but event {beyond.Sequence} was anchored on {beyond.DayName}: the chain was truncated or rewritten after anchor of {beyond.DayName}.");
        }

        if (head is not null && head.Sequence > expected - 1)
        {
            return ChainReport.Broken(count, expected, $"The chain ends at event {expected - 1} but its head records event {head.Sequence}: events were removed from the end.");
        }

        // Anchors are written once into immutable storage; one that cannot be read was tampered with there.
        if (anchors.FirstOrDefault(a => a.Problem is not null) is { } unusable)
        {
            return ChainReport.Broken(count, 0, unusable.Problem!);
        }

        return new ChainReport(true, count, null);
    }
}

/// <summary>What <c>verify</c> found; <paramref name="AnchorsChecked"/> counts the unit's anchors held against the chain.</summary>
public sealed record ChainReport(bool Intact, long EventsChecked, ChainBreak? FirstBreak, int AnchorsChecked = 0)
{
    public static ChainReport Broken(long checkedBefore, long sequence, string reason) => new(false, checkedBefore, new ChainBreak(sequence, reason));
}

public sealed record ChainBreak(long Sequence, string Reason);
