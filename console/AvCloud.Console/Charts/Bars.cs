using System.Globalization;

namespace AvCloud.Console.Charts;

/// <summary>One bar as drawn: its label and value, where it sits in the chart (SVG units) and its value's share of the axis.</summary>
public sealed record Bar(string Label, double Value, double X, double Y, double Width, double Height);

/// <summary>A tick of the value axis: the value and where it is drawn.</summary>
public sealed record Tick(double Value, double X);

/// <summary>A horizontal bar chart laid out: the bars, the axis's end and its ticks, and the drawing's size.</summary>
public sealed record BarChart(IReadOnlyList<Bar> Bars, double Max, IReadOnlyList<Tick> Ticks, double Width, double Height, double PlotLeft, double PlotWidth)
{
    /// <summary>The SVG view box of the whole drawing.</summary>
    public string ViewBox => string.Create(CultureInfo.InvariantCulture, $"0 0 {Width} {Height}");
}

/// <summary>A part of a stacked bar: its label, value, share of the whole (0 to 1) and where it starts and how wide it is.</summary>
public sealed record Segment(string Label, double Value, double Share, double X, double Width);

/// <summary>
/// The geometry of the report's charts, drawn by the console itself as SVG (no chart library, nothing from elsewhere):
/// horizontal bars on an axis that ends at a round number, and a stacked bar of shares. Pure arithmetic, so tested alone.
/// </summary>
public static class Bars
{
    public const double Width = 640;
    public const double LabelWidth = 160;
    public const double ValueWidth = 60;
    public const double BarHeight = 22;
    public const double Gap = 8;
    public const double AxisHeight = 24;

    /// <summary>
    /// Counts as bars: the axis ends at the smallest round step (1, 2 or 5 times a power of ten, at least 1) times four
    /// that holds the largest value; zero values get no width but keep their row, so nobody reads a missing row as none.
    /// </summary>
    public static BarChart Counts(IEnumerable<(string Label, double Value)> items) => Lay(items, WholeAxis);

    /// <summary>Shares from 0 to 1 as bars on an axis from 0 to 100 % in quarters.</summary>
    public static BarChart Shares(IEnumerable<(string Label, double Value)> items) => Lay(items, _ => (1, 0.25));

    /// <summary>The axis of whole counts: its end and its step (four steps, each 1, 2 or 5 times a power of ten).</summary>
    public static (double Max, double Step) WholeAxis(double largest)
    {
        var step = RoundStep(Math.Max(1, largest / 4));
        return (step * Math.Max(1, Math.Ceiling(largest / step)), step);
    }

    /// <summary>The smallest of 1, 2 or 5 times a power of ten that is at least <paramref name="value"/> (positive).</summary>
    public static double RoundStep(double value)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var factor in new[] { 1.0, 2, 5, 10 })
        {
            if (factor * power >= value * (1 - 1e-9))
            {
                return factor * power;
            }
        }

        return 10 * power;
    }

    /// <summary>Parts of a whole as one stacked bar <paramref name="width"/> wide; a whole of nothing draws nothing.</summary>
    public static IReadOnlyList<Segment> Stacked(IEnumerable<(string Label, double Value)> parts, double width = Width)
    {
        var list = parts.Select(p => (p.Label, Value: Math.Max(0, p.Value))).ToList();
        var total = list.Sum(p => p.Value);
        var x = 0.0;
        var segments = new List<Segment>();
        foreach (var (label, value) in list)
        {
            var share = total == 0 ? 0 : value / total;
            segments.Add(new Segment(label, value, share, x, share * width));
            x += share * width;
        }

        return segments;
    }

    private static BarChart Lay(IEnumerable<(string Label, double Value)> items, Func<double, (double Max, double Step)> axisOf)
    {
        var list = items.Select(i => (i.Label, Value: Math.Max(0, i.Value))).ToList();
        var (max, step) = axisOf(list.Count == 0 ? 0 : list.Max(i => i.Value));
        var plotWidth = Width - LabelWidth - ValueWidth;
        var bars = list.Select((item, row) => new Bar(item.Label, item.Value, LabelWidth, AxisHeight + row * (BarHeight + Gap),
            plotWidth * Math.Min(1, item.Value / max), BarHeight)).ToList();
        var ticks = new List<Tick>();
        for (var value = 0.0; value <= max * (1 + 1e-9); value += step)
        {
            ticks.Add(new Tick(value, LabelWidth + plotWidth * value / max));
        }

        return new BarChart(bars, max, ticks, Width, AxisHeight + Math.Max(1, list.Count) * (BarHeight + Gap), LabelWidth, plotWidth);
    }
}
