using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AvCloud.Tests.Identity;

/// <summary>The counting of refused sign-ins, with no host: windows, sources, the cap and what a summary says.</summary>
public sealed class SignInRefusalsTests
{
    private const string Forged = "The bearer token is not valid or has expired.";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));

    private SignInRefusals Refusals(int sources = 1000) => new(Options.Create(new IdentityOptions
    {
        MetadataAddress = new Uri("http://127.0.0.1/.well-known/openid-configuration"),
        Audience = "api://avcloud",
        RefusalWindow = Window,
        RefusalSources = sources,
    }), _time);

    private static void Forge(SignInRefusals refusals, string source, int times, string target = "GET /api/devices")
    {
        for (var i = 0; i < times; i++)
        {
            refusals.Count(source, "anonymous", AuditAction.AuthenticationFailed, Forged, target);
        }
    }

    [Fact]
    public void A_burst_from_one_source_is_one_summary_when_its_window_ends()
    {
        var refusals = Refusals();
        var start = _time.GetUtcNow();
        for (var second = 0; second < 50; second++)
        {
            Forge(refusals, "203.0.113.9", 20);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty(refusals.Take());
        _time.Advance(TimeSpan.FromSeconds(10));
        var summary = Assert.Single(refusals.Take());

        Assert.Equal(("203.0.113.9", 1000L, start, start.AddSeconds(49)), (summary.Source, summary.Count, summary.First, summary.Last));
        Assert.Equal(new Dictionary<string, long> { [Forged] = 1000 }, summary.Reasons);
        Assert.Empty(refusals.Take(all: true));
    }

    [Fact]
    public void A_refusal_after_the_window_closes_it_and_starts_the_next()
    {
        var refusals = Refusals();
        Forge(refusals, "203.0.113.9", 3);
        _time.Advance(Window);
        Forge(refusals, "203.0.113.9", 2);

        var closed = Assert.Single(refusals.Take(all: false), s => s.Count == 3);
        Assert.Equal(2, Assert.Single(refusals.Take(all: true)).Count);
        Assert.Equal("203.0.113.9", closed.Source);
    }

    [Fact]
    public void Sources_and_callers_are_summarised_each_on_their_own()
    {
        var refusals = Refusals();
        Forge(refusals, "203.0.113.9", 5);
        Forge(refusals, "198.51.100.7", 7);
        refusals.Count("203.0.113.9", "user-without-unit", AuditAction.AuthorizationDenied, "Your account is not assigned to an enforcement unit.", "GET /api/audit");

        var summaries = refusals.Take(all: true);

        Assert.Equal(3, summaries.Count);
        Assert.Equal(5, summaries.Single(s => s is { Source: "203.0.113.9", Actor: "anonymous" }).Count);
        Assert.Equal(7, summaries.Single(s => s.Source == "198.51.100.7").Count);
        var denied = summaries.Single(s => s.Actor == "user-without-unit");
        Assert.Equal((AuditAction.AuthorizationDenied, 1L), (denied.Action, denied.Count));
    }

    [Fact]
    public void Sources_over_the_cap_are_counted_together()
    {
        var refusals = Refusals(sources: 3);
        for (var source = 0; source < 100; source++)
        {
            Forge(refusals, $"10.0.0.{source}", 2);
        }

        var summaries = refusals.Take(all: true);

        Assert.Equal(4, summaries.Count);
        Assert.Equal(97 * 2, Assert.Single(summaries, s => s.Source == SignInRefusals.ManySources).Count);
        Assert.Equal(200, summaries.Sum(s => s.Count));
    }

    [Fact]
    public void A_summary_keeps_a_few_reasons_and_targets_whatever_the_caller_sends()
    {
        var refusals = Refusals();
        for (var i = 0; i < 500; i++)
        {
            refusals.Count("203.0.113.9", "anonymous", AuditAction.AuthenticationFailed, $"reason {i % 50}", $"GET /api/footage/{i}");
        }

        var summary = Assert.Single(refusals.Take(all: true));

        Assert.Equal(500, summary.Count);
        Assert.Equal(500, summary.Reasons.Values.Sum());
        Assert.InRange(summary.Reasons.Count, 1, 8);
        Assert.InRange(summary.Targets.Count, 1, 8);
        var details = summary.ToEntry().Details!;
        Assert.Equal(("203.0.113.9", "500"), (details["source"], details["count"]));
        Assert.Equal(AuthenticationMiddleware.UnauthenticatedUnit, summary.ToEntry().UnitId);
    }

    [Fact]
    public void Summaries_that_could_not_be_written_are_kept_and_stay_bounded()
    {
        var refusals = Refusals(sources: 3);
        for (var round = 0; round < 50; round++)
        {
            Forge(refusals, $"10.0.0.{round}", 1);
            refusals.Restore(refusals.Take(all: true));
        }

        var kept = refusals.Take(all: true);

        Assert.InRange(kept.Count, 1, 4);
        Assert.Equal(50, kept.Sum(s => s.Count));
    }
}
