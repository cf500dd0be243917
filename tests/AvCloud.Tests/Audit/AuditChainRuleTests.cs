using AvCloud.Functions.Audit;

namespace AvCloud.Tests.Audit;

/// <summary>The chain's rules on their own, no storage involved.</summary>
public sealed class AuditChainRuleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static List<AuditEvent> Chain(int length)
    {
        var events = new List<AuditEvent>();
        var previous = AuditChain.Genesis;
        for (var i = 1; i <= length; i++)
        {
            var e = AuditChain.Seal(new AuditEntry("unit-a", "head-1", "Head", AuditAction.HoldPlaced, $"footage/{i}", "success"), i, previous, Start.AddMinutes(i));
            events.Add(e);
            previous = e.Hash;
        }

        return events;
    }

    [Fact]
    public void The_hash_covers_every_field_and_ignores_detail_order()
    {
        var entry = new AuditEntry("unit-a", "keeper", "Keeper", AuditAction.FootageRead, "footage/1", "success",
            new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        var reordered = entry with { Details = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } };

        var sealedEvent = AuditChain.Seal(entry, 1, AuditChain.Genesis, Start);

        Assert.Equal(sealedEvent.Hash, AuditChain.Seal(reordered, 1, AuditChain.Genesis, Start).Hash);
        Assert.NotEqual(sealedEvent.Hash, AuditChain.HashOf(sealedEvent with { Outcome = "denied" }));
        Assert.NotEqual(sealedEvent.Hash, AuditChain.HashOf(sealedEvent with { Time = Start.AddTicks(10) }));
        Assert.NotEqual(sealedEvent.Hash, AuditChain.HashOf(sealedEvent with { Sequence = 2 }));
        Assert.Matches("^[0-9a-f]{64}$", sealedEvent.Hash);
    }

    [Fact]
    public void An_intact_chain_verifies()
    {
        var chain = Chain(10);

        var report = AuditChain.Verify(chain, new AuditHead { UnitId = "unit-a", Sequence = 10, Hash = chain[^1].Hash });

        Assert.True(report.Intact);
        Assert.Equal(10, report.EventsChecked);
    }

    [Fact]
    public void An_event_rewritten_with_a_fresh_hash_breaks_the_next_link()
    {
        var chain = Chain(5);
        var forged = chain[1] with { Target = "footage/elsewhere" };
        chain[1] = forged with { Hash = AuditChain.HashOf(forged) };

        var report = AuditChain.Verify(chain, null);

        Assert.Equal(3, report.FirstBreak!.Sequence);
    }
}
