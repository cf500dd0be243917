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

    private static AuditAnchor AnchorOf(AuditEvent e, string day) => new()
    {
        UnitId = e.UnitId, Day = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), Sequence = e.Sequence, Hash = e.Hash,
        Time = e.Time, AnchoredAt = e.Time.AddHours(1),
    };

    private static AuditHead HeadAt(AuditEvent e) => new() { UnitId = e.UnitId, Sequence = e.Sequence, Hash = e.Hash };

    [Fact]
    public void A_chain_holding_every_anchored_event_verifies_and_counts_its_anchors()
    {
        var chain = Chain(8);

        var report = AuditChain.Verify(chain, HeadAt(chain[^1]), [AnchorOf(chain[2], "2026-11-26"), AnchorOf(chain[5], "2026-11-27")]);

        Assert.True(report.Intact, report.FirstBreak?.Reason);
        Assert.Equal((8L, 2), (report.EventsChecked, report.AnchorsChecked));
    }

    [Fact]
    public void A_tail_cut_off_below_an_anchor_with_the_head_rewound_is_found()
    {
        var chain = Chain(8);
        var anchor = AnchorOf(chain[5], "2026-11-27");
        var truncated = chain[..4];

        var report = AuditChain.Verify(truncated, HeadAt(truncated[^1]), [AnchorOf(chain[2], "2026-11-26"), anchor]);

        Assert.False(report.Intact);
        Assert.Equal(5, report.FirstBreak!.Sequence);
        Assert.Equal("The chain ends at event 4 but event 6 was anchored on 2026-11-27: the chain was truncated or rewritten after anchor of 2026-11-27.",
            report.FirstBreak.Reason);
        // Without the anchor the same cut, head rewound, looks whole: that is what anchoring is for.
        Assert.True(AuditChain.Verify(truncated, HeadAt(truncated[^1])).Intact);
    }

    [Fact]
    public void A_chain_rewritten_from_scratch_is_found_at_the_first_anchored_event_it_contradicts()
    {
        var chain = Chain(6);
        var anchors = new[] { AnchorOf(chain[1], "2026-11-25"), AnchorOf(chain[4], "2026-11-26") };
        // An insider re-seals events 4 to 6 with a changed target: every link and hash checks out on its own.
        var rewritten = chain[..3];
        foreach (var e in chain[3..])
        {
            rewritten.Add(AuditChain.Seal(new AuditEntry(e.UnitId, e.Actor, e.Role, AuditAction.HoldPlaced, $"{e.Target}-x", e.Outcome), e.Sequence,
                rewritten[^1].Hash, e.Time));
        }

        var report = AuditChain.Verify(rewritten, HeadAt(rewritten[^1]), anchors);

        Assert.Equal(5, report.FirstBreak!.Sequence);
        Assert.Contains("truncated or rewritten after anchor of 2026-11-26", report.FirstBreak.Reason, StringComparison.Ordinal);
        Assert.True(AuditChain.Verify(rewritten, HeadAt(rewritten[^1])).Intact);
    }

    [Fact]
    public void An_earlier_break_is_reported_before_an_anchor_and_an_unreadable_anchor_is_a_break()
    {
        var chain = Chain(6);
        var anchors = new List<AuditAnchor> { AnchorOf(chain[4], "2026-11-26") };
        var edited = chain.ToList();
        edited[1] = edited[1] with { Target = "footage/elsewhere" };

        Assert.Equal(2, AuditChain.Verify(edited, null, anchors).FirstBreak!.Sequence);

        anchors.Add(AnchorOf(chain[5], "2026-11-27") with { Problem = "The anchor of 2026-11-27 cannot be read: it is not what AvCloud wrote." });
        var report = AuditChain.Verify(chain, HeadAt(chain[^1]), anchors);
        Assert.False(report.Intact);
        Assert.Equal(0, report.FirstBreak!.Sequence);
        Assert.Contains("2026-11-27", report.FirstBreak.Reason, StringComparison.Ordinal);
    }
}
