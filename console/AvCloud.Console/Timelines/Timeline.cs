namespace AvCloud.Console.Timelines;

/// <summary>One recording drawn on the time axis: where it starts and how wide it is (in the drawing's units), and on which lane.</summary>
public sealed record TimelineBar(string Id, double X, double Width, int Lane);

/// <summary>A part of the activity's span no recording covers, drawn on the time axis.</summary>
public sealed record TimelineGap(DateTimeOffset From, DateTimeOffset To, double X, double Width);

/// <summary>
/// The coverage timeline's drawing, worked out from what the API says (the activity's span, its recordings, and the gaps
/// its coverage reports): the console draws the gaps the API found and decides none itself. The axis runs over the span
/// and any recording that starts before it or runs past it; recordings that overlap go on lanes of their own so each
/// stays visible; anything shorter than <see cref="MinimumWidth"/> is drawn that wide so a second-long clip still shows.
/// </summary>
public sealed class Timeline
{
    public const double MinimumWidth = 2;

    private Timeline(DateTimeOffset from, DateTimeOffset to, double width, IReadOnlyList<TimelineBar> bars, IReadOnlyList<TimelineGap> gaps, double spanX, double spanWidth)
    {
        From = from;
        To = to;
        Width = width;
        Bars = bars;
        Gaps = gaps;
        SpanX = spanX;
        SpanWidth = spanWidth;
    }

    /// <summary>The axis: from the earliest of the span's start and the recordings' starts, to the latest end.</summary>
    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    public double Width { get; }

    public IReadOnlyList<TimelineBar> Bars { get; }

    public IReadOnlyList<TimelineGap> Gaps { get; }

    /// <summary>The activity's own span on the axis.</summary>
    public double SpanX { get; }

    public double SpanWidth { get; }

    /// <summary>How many lanes the bars need (at least one, so an activity with no recording still has its row).</summary>
    public int Lanes => Bars.Count == 0 ? 1 : Bars.Max(b => b.Lane) + 1;

    public static Timeline Of(DateTimeOffset start, DateTimeOffset end, IEnumerable<(string Id, DateTimeOffset Start, DateTimeOffset End)> recordings,
        IEnumerable<(DateTimeOffset From, DateTimeOffset To)> gaps, double width)
    {
        var sorted = recordings.Where(r => r.End >= r.Start).OrderBy(r => r.Start).ThenBy(r => r.End).ToList();
        var from = sorted.Count == 0 ? start : Min(start, sorted[0].Start);
        var to = sorted.Count == 0 ? end : Max(end, sorted.Max(r => r.End));
        var seconds = (to - from).TotalSeconds;
        double X(DateTimeOffset moment) => seconds <= 0 ? 0 : Math.Clamp((moment - from).TotalSeconds / seconds, 0, 1) * width;
        (double X, double Width) Place(DateTimeOffset a, DateTimeOffset b)
        {
            var x = Math.Min(X(a), width - MinimumWidth);
            return (x, Math.Min(Math.Max(X(b) - x, MinimumWidth), width - x));
        }

        // Each bar takes the first lane whose last bar has ended by its start: overlapping recordings stack, others share a lane.
        var laneEnds = new List<DateTimeOffset>();
        var bars = new List<TimelineBar>();
        foreach (var (id, barStart, barEnd) in sorted)
        {
            var lane = laneEnds.FindIndex(laneEnd => laneEnd <= barStart);
            if (lane < 0)
            {
                lane = laneEnds.Count;
                laneEnds.Add(barEnd);
            }
            else
            {
                laneEnds[lane] = barEnd;
            }

            var (x, wide) = Place(barStart, barEnd);
            bars.Add(new TimelineBar(id, x, wide, lane));
        }

        var marked = gaps.Where(g => g.To > g.From)
            .Select(g => (Gap: g, Place: Place(g.From, g.To)))
            .Select(g => new TimelineGap(g.Gap.From, g.Gap.To, g.Place.X, g.Place.Width))
            .OrderBy(g => g.X)
            .ToList();
        return new Timeline(from, to, width, bars, marked, X(start), X(end) - X(start));
    }

    /// <summary>The covered share the API reports (0 to 1), as people read it: <c>75%</c>.</summary>
    public static string Percent(double? ratio) => (ratio ?? 0).ToString("P0", System.Globalization.CultureInfo.CurrentCulture);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
