using System.Globalization;
using AvCloud.Functions.Audit;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Identity;

/// <summary>
/// Refused sign-ins, counted in memory per source (the client's address and who the token named, if anyone) and
/// window, and handed out as one summary per source and window for the audit trail. A flood of forged tokens then
/// costs a counter increment each, not an append to the shared chain of failed sign-ins: the trail grows by at most
/// one event per source and window, and real requests never wait on that chain's head.
/// </summary>
/// <remarks>
/// Memory is bounded: at most <see cref="IdentityOptions.RefusalSources"/> sources are told apart in a window; the
/// rest are counted together under <see cref="ManySources"/>. Each summary keeps a few distinct reasons and targets.
/// </remarks>
public sealed class SignInRefusals(IOptions<IdentityOptions> options, TimeProvider time)
{
    /// <summary>The source of the summary that counts refusals from sources over the cap.</summary>
    public const string ManySources = "(many sources)";

    internal const int MaxReasons = 8;
    internal const int MaxTargets = 8;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Source, string Actor, AuditAction Action), Tally> _open = [];
    private readonly List<RefusalSummary> _closed = [];
    private Tally? _many;

    // Read when used, not when built: the host is built before its start-up validation reports every bad setting at once.
    private TimeSpan Window => options.Value.RefusalWindow;

    private int Cap => options.Value.RefusalSources;

    /// <summary>Counts one refusal of <paramref name="actor"/> (<c>anonymous</c> when no token could be trusted) from <paramref name="source"/>.</summary>
    public void Count(string source, string actor, AuditAction action, string reason, string target)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = (source, actor, action);
            if (_open.TryGetValue(key, out var tally) && tally.EndedBy(now, Window))
            {
                _open.Remove(key);
                _closed.Add(tally.Summary());
                tally = null;
            }

            if (tally is null && _open.Count < Cap)
            {
                tally = new Tally(source, actor, action, now);
                _open.Add(key, tally);
            }
            else if (tally is null)
            {
                if (_many is not null && _many.EndedBy(now, Window))
                {
                    _closed.Add(_many.Summary());
                    _many = null;
                }

                tally = _many ??= new Tally(ManySources, "anonymous", AuditAction.AuthenticationFailed, now);
            }

            tally.Add(now, reason, target);
        }
    }

    /// <summary>The summaries of the windows that have ended (all of them when <paramref name="all"/>), oldest first; they are forgotten here.</summary>
    public IReadOnlyList<RefusalSummary> Take(bool all = false)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var taken = new List<RefusalSummary>(_closed);
            _closed.Clear();
            foreach (var (key, tally) in _open.Where(o => all || o.Value.EndedBy(now, Window)).ToList())
            {
                _open.Remove(key);
                taken.Add(tally.Summary());
            }

            if (_many is not null && (all || _many.EndedBy(now, Window)))
            {
                taken.Add(_many.Summary());
                _many = null;
            }

            return [.. taken.OrderBy(s => s.First)];
        }
    }

    /// <summary>
    /// Puts back summaries that could not be written, to be tried again. Over the cap they are merged into one, so a
    /// trail that stays out of reach costs bounded memory, not one summary per source per window for ever.
    /// </summary>
    public void Restore(IReadOnlyList<RefusalSummary> summaries)
    {
        lock (_gate)
        {
            _closed.AddRange(summaries);
            if (_closed.Count > Cap)
            {
                var merged = RefusalSummary.Merge(_closed);
                _closed.Clear();
                _closed.Add(merged);
            }
        }
    }

    private sealed class Tally(string source, string actor, AuditAction action, DateTimeOffset first)
    {
        private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
        private readonly List<string> _targets = [];
        private DateTimeOffset? _last;
        private long _count;

        // The window starts with the source's first refusal, so a burst is summarised whole, whenever it starts.
        public bool EndedBy(DateTimeOffset now, TimeSpan window) => now >= first + window;

        public void Add(DateTimeOffset now, string reason, string target)
        {
            _count++;
            _last = now;
            RefusalSummary.AddBounded(_reasons, reason, 1);
            if (_targets.Count < MaxTargets && !_targets.Contains(target, StringComparer.Ordinal))
            {
                _targets.Add(target);
            }
        }

        public RefusalSummary Summary() => new(source, actor, action, first, _last ?? first, _count, new Dictionary<string, long>(_reasons), [.. _targets]);
    }
}

/// <summary>The refused sign-ins of one source in one window: how many, when, why and at what.</summary>
public sealed record RefusalSummary(string Source, string Actor, AuditAction Action, DateTimeOffset First, DateTimeOffset Last, long Count,
    IReadOnlyDictionary<string, long> Reasons, IReadOnlyList<string> Targets)
{
    private const string OtherReasons = "(other reasons)";

    /// <summary>The event written for it, in the chain of failed sign-ins (a refused caller has no unit that can be trusted).</summary>
    public AuditEntry ToEntry() => new(AuthenticationMiddleware.UnauthenticatedUnit, Actor, "", Action, Targets.Count > 0 ? Targets[0] : "", AuditOutcomes.Denied,
        new Dictionary<string, string>
        {
            ["source"] = Source,
            ["count"] = Count.ToString(CultureInfo.InvariantCulture),
            ["first"] = First.ToString("O", CultureInfo.InvariantCulture),
            ["last"] = Last.ToString("O", CultureInfo.InvariantCulture),
            ["reasons"] = string.Join("; ", Reasons.OrderByDescending(r => r.Value).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} x {r.Key}"))),
            ["targets"] = string.Join("; ", Targets),
        });

    internal static RefusalSummary Merge(IReadOnlyList<RefusalSummary> summaries)
    {
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in summaries.SelectMany(s => s.Reasons))
        {
            AddBounded(reasons, reason, count);
        }

        return new RefusalSummary(SignInRefusals.ManySources, "anonymous", AuditAction.AuthenticationFailed, summaries.Min(s => s.First), summaries.Max(s => s.Last),
            summaries.Sum(s => s.Count), reasons, [.. summaries.SelectMany(s => s.Targets).Distinct(StringComparer.Ordinal).Take(SignInRefusals.MaxTargets)]);
    }

    // Reasons come from a short fixed list, but nothing here depends on that: past a few, the rest are counted together.
    internal static void AddBounded(Dictionary<string, long> reasons, string reason, long count)
    {
        var key = reasons.ContainsKey(reason) || reasons.Count < SignInRefusals.MaxReasons - 1 ? reason : OtherReasons;
        reasons[key] = reasons.GetValueOrDefault(key) + count;
    }
}
