using System.Globalization;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace AvCloud.Functions.Packages;

/// <summary>What a custody report is about: who it was made for and why (a package's request), when, and the recordings.</summary>
public sealed record CustodyReportScope(string UnitId, DateTimeOffset MadeAt, string? MadeFor, string? Reference, string? Purpose, string? Case);

/// <summary>
/// The chain-of-custody report as a PDF laid out for a court (Art. 18): per recording its facts, both copies as storage
/// reports them, its holds, every access with who, when and why, its integrity checks and every audit event with the
/// hashes that chain it, and the unit's audit chain as verified when the report was made. Chinese (zh-CN) by default,
/// English when asked; the fonts are embedded (subsets), so it reads the same on any machine.
/// </summary>
public static class CustodyReport
{
    public const string Chinese = "zh-CN";

    public const string English = "en";

    public static IReadOnlyList<string> Languages { get; } = [Chinese, English];

    /// <summary>The report language a request asks for in its <c>lang</c> query (Chinese when none); a 400 naming the choices otherwise.</summary>
    public static string LanguageOf(HttpRequest request) =>
        request.Query["lang"].ToString() is not { Length: > 0 } asked ? Chinese
        : Languages.Contains(asked) ? asked
        : throw ProblemException.Invalid("lang", $"lang is one of {string.Join(", ", Languages)}.");

    /// <summary>The details of an access event that say why it happened, in the order a reader wants them.</summary>
    private static readonly string[] WhyDetails = ["purpose", "case", "request", "mode", "review", "share"];

    public static byte[] Render(CustodyReportScope scope, IReadOnlyList<Custody> recordings, ChainReport chain, string language)
    {
        CustodyFonts.Install();
        var text = language == English ? Labels.English : Labels.Chinese;
        var document = new PdfDocument();
        document.Info.Title = text.Title;
        document.Info.Creator = "AvCloud";
        document.Info.CreationDate = scope.MadeAt.UtcDateTime;
        using (var page = new PageWriter(document))
        {
            page.Title(text.Title);
            page.Field(text.Unit, scope.UnitId);
            page.Field(text.MadeAt, Time(scope.MadeAt));
            page.Field(text.MadeFor, scope.MadeFor);
            page.Field(text.Reference, scope.Reference);
            page.Field(text.Purpose, scope.Purpose);
            page.Field(text.Case, scope.Case);
            page.Field(text.Recordings, recordings.Count.ToString(CultureInfo.InvariantCulture));

            page.Heading(text.Chain);
            page.Paragraph(chain.Intact
                ? string.Format(CultureInfo.InvariantCulture, text.ChainIntact, chain.EventsChecked, chain.AnchorsChecked)
                : string.Format(CultureInfo.InvariantCulture, text.ChainBroken, chain.FirstBreak?.Sequence, chain.FirstBreak?.Reason));

            foreach (var (custody, i) in recordings.Select((c, i) => (c, i + 1)))
            {
                Recording(page, text, custody, i, recordings.Count);
            }
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static void Recording(PageWriter page, Labels text, Custody custody, int number, int count)
    {
        var r = custody.Record;
        page.Title(string.Format(CultureInfo.InvariantCulture, text.Recording, number, count));
        page.Heading(text.Facts);
        page.Field(text.Id, r.Id);
        page.Field(text.Size, string.Format(CultureInfo.InvariantCulture, text.Bytes, r.Size));
        page.Field(text.Kind, AvCloudJson.Name(r.Kind));
        page.Field(text.OriginalNames, string.Join(", ", r.Uploads.Select(u => u.FileName).Distinct(StringComparer.Ordinal)));
        page.Field(text.RecordedByDevice, $"{Time(r.RecordedStart)} – {Time(r.RecordedEnd)}");
        page.Field(text.RecordedCorrected, $"{Time(r.CorrectedStart)} – {Time(r.CorrectedEnd)}");
        page.Field(text.Drift, string.Format(CultureInfo.InvariantCulture, text.Seconds, r.ClockDriftSeconds));
        page.Field(text.Device, r.DeviceId);
        page.Field(text.Officer, r.Attribution is { } attribution
            ? $"{r.OfficerId} ({text.Ledger}: {attribution.Holder ?? text.None}{(attribution.OfficerMatches ? "" : " ≠")})"
            : r.OfficerId);
        page.Field(text.Dock, r.DockId);
        page.Field(text.DockedAt, Time(r.DockedAt));
        page.Field(text.CataloguedAt, Time(r.CataloguedAt));
        page.Field(text.HandedOver, r.HandedOverInTime ? text.Yes : text.No);
        page.Field(text.Activity, r.ActivityId ?? text.None);
        page.Field(text.Classification, AvCloudJson.Name(r.Classification));
        page.Field(text.RetentionUntil, Time(r.RetentionUntil));
        page.Field(text.Status, AvCloudJson.Name(r.Status));

        page.Heading(text.Copies);
        Copy(page, text, text.PrimaryCopy, custody.Primary);
        if (custody.SecondCopy is { } second)
        {
            Copy(page, text, text.SecondCopy, second);
        }
        else
        {
            page.Field(text.SecondCopy, text.None);
        }

        page.Heading(text.Holds);
        if (r.Holds.Count == 0)
        {
            page.Paragraph(text.None);
        }

        foreach (var hold in r.Holds)
        {
            page.Paragraph($"{Time(hold.PlacedAt)}  {AvCloudJson.Name(hold.Reason)}{(hold.ReasonText is null ? "" : $" ({hold.ReasonText})")}  " +
                $"{text.Case}: {hold.CaseName} {hold.CaseNumber}  {text.PlacedBy}: {hold.PlacedBy}  {text.RequestedBy}: {hold.RequestedBy}");
        }

        page.Heading(text.Integrity);
        page.Field(text.Sha256AtIngest, r.Sha256);
        page.Field(text.LastVerified, r.LastVerifiedAt is { } verified ? Time(verified) : text.None);
        page.Field(text.IntegrityResult, r.IntegrityFailure is { } failure
            ? string.Format(CultureInfo.InvariantCulture, text.Mismatch, Time(failure.DetectedAt), failure.Sha256Found, failure.SizeFound)
            : text.Intact);

        page.Heading(text.Accesses);
        if (custody.Accesses.Count == 0)
        {
            page.Paragraph(text.None);
        }

        foreach (var access in custody.Accesses)
        {
            var why = string.Join("  ", WhyDetails
                .Where(access.Details.ContainsKey).Select(key => $"{text.Detail(key)}: {access.Details[key]}"));
            page.Paragraph($"{Time(access.Time)}  {access.Actor} ({access.Role})  {access.Action}  {why}");
        }

        page.Heading(text.Events);
        foreach (var e in custody.Events)
        {
            page.Paragraph($"#{e.Sequence}  {Time(e.Time)}  {e.Actor} ({e.Role})  {e.Action}  {e.Outcome}" +
                (e.Details.Count == 0 ? "" : "  " + string.Join("; ", e.Details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}"))));
            page.Small($"{text.Hash}: {e.Hash}   {text.PreviousHash}: {e.PreviousHash}");
        }
    }

    private static void Copy(PageWriter page, Labels text, string label, StoredCopy copy)
    {
        var policy = copy.PolicyUntil is { } until ? string.Format(CultureInfo.InvariantCulture, text.Policy, Time(until), copy.PolicyMode) : text.NoPolicy;
        page.Field(label, copy.Exists
            ? $"{copy.Account}/{copy.Blob}  {policy}  {text.LegalHold}: {(copy.LegalHold ? text.Yes : text.No)}"
            : $"{copy.Account}/{copy.Blob}  {text.Missing}");
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The report's words in one language.</summary>
    private sealed record Labels(
        string Title, string Unit, string MadeAt, string MadeFor, string Reference, string Purpose, string Case, string Recordings,
        string Chain, string ChainIntact, string ChainBroken, string Recording, string Facts, string Id, string Size, string Bytes, string Kind,
        string OriginalNames, string RecordedByDevice, string RecordedCorrected, string Drift, string Seconds, string Device, string Officer, string Ledger,
        string Dock, string DockedAt, string CataloguedAt, string HandedOver, string Activity, string Classification, string RetentionUntil, string Status,
        string Copies, string PrimaryCopy, string SecondCopy, string Policy, string NoPolicy, string LegalHold, string Missing, string Holds, string PlacedBy,
        string RequestedBy, string Integrity, string Sha256AtIngest, string LastVerified, string IntegrityResult, string Intact, string Mismatch,
        string Accesses, string Events, string Hash, string PreviousHash, string Yes, string No, string None, IReadOnlyDictionary<string, string> Details)
    {
        public string Detail(string key) => Details.TryGetValue(key, out var label) ? label : key;

        public static Labels Chinese { get; } = new(
            "视听资料保管链报告", "单位", "报告生成时间", "调取人", "依据", "用途", "案件", "录像数量",
            "审计链校验", "完整：已校验 {0} 条审计事件，{1} 个每日锚点一致。", "断裂：第 {0} 条事件起不可信（{1}）。", "录像 {0}/{1}", "基本信息",
            "编号（SHA-256）", "大小", "{0} 字节", "类型", "原始文件名", "录制时间（设备时钟）", "录制时间（校正后）", "设备时钟偏差", "{0} 秒", "设备",
            "执法人员", "台账", "采集站", "接入时间", "入库时间", "按时移交（第十三条）", "执法活动", "密级", "保存期限至", "状态",
            "存储副本（以存储服务报告为准）", "主副本", "第二副本（异地保全）", "不可变策略至 {0}（{1}）", "无不可变策略", "法律保全", "不存在", "保全（第十六条）",
            "保全人", "申请人", "完整性校验（第十八条）", "入库时 SHA-256", "最近一次复核", "复核结果", "一致", "不一致：{0} 发现 SHA-256 {1}，大小 {2} 字节",
            "调阅记录（何人、何时、何故）", "审计事件（哈希链）", "哈希", "前一哈希", "是", "否", "无",
            new Dictionary<string, string> { ["purpose"] = "用途", ["case"] = "案件", ["request"] = "申请", ["mode"] = "方式", ["review"] = "评查", ["share"] = "共享" });

        public static Labels English { get; } = new(
            "Chain-of-custody report", "Unit", "Report made at", "Made for", "Reference", "Purpose", "Case", "Recordings",
            "Audit chain", "Intact: {0} audit events checked, {1} daily anchors match.", "Broken: not to be relied on from event {0} ({1}).",
            "Recording {0} of {1}", "Facts", "Id (SHA-256)", "Size", "{0} bytes", "Kind", "Original file names", "Recorded (device clock)",
            "Recorded (corrected)", "Device clock drift", "{0} s", "Device", "Officer", "ledger", "Dock", "Docked at", "Catalogued at",
            "Handed over in time (Art. 13)", "Activity", "Classification", "Kept until", "Status",
            "Copies (as storage reports them)", "Footage copy", "Second copy (preservation)", "immutable until {0} ({1})", "no immutability policy",
            "legal hold", "missing", "Holds (Art. 16)", "placed by", "requested by", "Integrity (Art. 18)", "SHA-256 at ingest", "Last re-hashed",
            "Result", "intact", "mismatch: on {0} found SHA-256 {1}, {2} bytes",
            "Accesses (who, when, why)", "Audit events (hash chain)", "hash", "previous", "yes", "no", "none",
            new Dictionary<string, string>());
    }

    /// <summary>Writes lines top to bottom on A4 pages, wrapping long text and starting a new page when one is full.</summary>
    private sealed class PageWriter(PdfDocument document) : IDisposable
    {
        private const double Margin = 48;
        private const double LabelWidth = 150;
        private readonly PdfDocument _document = document;
        private readonly Dictionary<(bool Cjk, double Size, bool Bold), XFont> _fonts = [];
        private XGraphics? _graphics;
        private PdfPage? _page;
        private double _y;

        public void Title(string text)
        {
            NewPage();
            Write(text, Margin, 16, bold: true, gap: 10);
        }

        public void Heading(string text)
        {
            _y += 6;
            Write(text, Margin, 12, bold: true, gap: 3);
        }

        public void Field(string label, string? value)
        {
            var top = _y;
            Write(label, Margin, 9, bold: true, gap: 1, width: LabelWidth - 8);
            var labelBottom = _y;
            _y = top;
            Write(value ?? "—", Margin + LabelWidth, 9, bold: false, gap: 1);
            _y = Math.Max(_y, labelBottom);
        }

        public void Paragraph(string text) => Write(text, Margin, 9, bold: false, gap: 2);

        public void Small(string text) => Write(text, Margin + 12, 6.5, bold: false, gap: 3);

        public void Dispose() => _graphics?.Dispose();

        private void NewPage()
        {
            _graphics?.Dispose();
            _page = _document.AddPage();
            _page.Size = PdfSharp.PageSize.A4;
            _graphics = XGraphics.FromPdfPage(_page);
            _y = Margin;
        }

        private void Write(string text, double x, double size, bool bold, double gap, double? width = null)
        {
            if (_graphics is null)
            {
                NewPage();
            }

            var available = width ?? (_page!.Width.Point - Margin - x);
            foreach (var line in Wrap(text, size, bold, available))
            {
                if (_y + size * 1.3 > _page!.Height.Point - Margin)
                {
                    NewPage();
                }

                _y += size * 1.3;
                var at = x;
                foreach (var (run, cjk) in Runs(line))
                {
                    var font = Font(cjk, size, bold);
                    _graphics!.DrawString(run, font, XBrushes.Black, new XPoint(at, _y));
                    at += _graphics.MeasureString(run, font).Width;
                }
            }

            _y += gap;
        }

        private IEnumerable<string> Wrap(string text, double size, bool bold, double width)
        {
            var line = "";
            foreach (var word in Words(text))
            {
                var candidate = line + word;
                if (line.Length > 0 && Measure(candidate.TrimEnd(), size, bold) > width)
                {
                    yield return line.TrimEnd();
                    line = word.TrimStart();
                    // A word wider than the line (a hash) is cut where it must be.
                    while (Measure(line, size, bold) > width && line.Length > 1)
                    {
                        var fits = 1;
                        while (fits < line.Length && Measure(line[..(fits + 1)], size, bold) <= width)
                        {
                            fits++;
                        }

                        yield return line[..fits];
                        line = line[fits..];
                    }
                }
                else
                {
                    line = candidate;
                }
            }

            if (line.Length > 0)
            {
                yield return line.TrimEnd();
            }
        }

        /// <summary>Words end after a space; each CJK character is a word of its own (Chinese breaks between any two).</summary>
        private static IEnumerable<string> Words(string text)
        {
            var start = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == ' ' || CustodyFonts.NeedsCjk(text[i]) || (i + 1 < text.Length && CustodyFonts.NeedsCjk(text[i + 1])))
                {
                    yield return text[start..(i + 1)];
                    start = i + 1;
                }
            }

            if (start < text.Length)
            {
                yield return text[start..];
            }
        }

        private static IEnumerable<(string Run, bool Cjk)> Runs(string line)
        {
            var start = 0;
            for (var i = 1; i <= line.Length; i++)
            {
                if (i == line.Length || CustodyFonts.NeedsCjk(line[i]) != CustodyFonts.NeedsCjk(line[start]))
                {
                    yield return (line[start..i], CustodyFonts.NeedsCjk(line[start]));
                    start = i;
                }
            }
        }

        private double Measure(string text, double size, bool bold) =>
            Runs(text).Sum(r => _graphics!.MeasureString(r.Run, Font(r.Cjk, size, bold)).Width);

        private XFont Font(bool cjk, double size, bool bold)
        {
            if (!_fonts.TryGetValue((cjk, size, bold), out var font))
            {
                font = new XFont(cjk ? CustodyFonts.Cjk : CustodyFonts.Latin, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular,
                    new XPdfFontOptions(PdfFontEncoding.Unicode));
                _fonts[(cjk, size, bold)] = font;
            }

            return font;
        }
    }
}

/// <summary>
/// The report's fonts, shipped in the app's output (<c>Fonts/</c>, copied from Debian's fonts-dejavu-core and
/// fonts-droid-fallback at build time): DejaVu Sans for Latin script, Droid Sans Fallback for Chinese, which has no
/// Latin letters. PDFsharp embeds the glyphs used.
/// </summary>
internal sealed class CustodyFonts : IFontResolver
{
    public const string Latin = "AvCloud Latin";

    public const string Cjk = "AvCloud CJK";

    private static readonly Lock Installing = new();
    private static bool _installed;

    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        [Latin] = "DejaVuSans.ttf",
        [Latin + " Bold"] = "DejaVuSans-Bold.ttf",
        [Cjk] = "DroidSansFallbackFull.ttf",
    };

    private readonly Dictionary<string, byte[]> _loaded = [];

    /// <summary>Whether <paramref name="c"/> is drawn with the Chinese font: CJK punctuation, ideographs and fullwidth forms.</summary>
    public static bool NeedsCjk(char c) => c >= '\u2E80';

    public static void Install()
    {
        lock (Installing)
        {
            if (!_installed)
            {
                GlobalFontSettings.FontResolver = new CustodyFonts();
                _installed = true;
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => familyName switch
    {
        Latin => new FontResolverInfo(bold ? Latin + " Bold" : Latin),
        // The Chinese font has one weight: bold is drawn by PDFsharp's simulation.
        Cjk => new FontResolverInfo(Cjk, bold, false),
        _ => null,
    };

    public byte[]? GetFont(string faceName)
    {
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(faceName, out var bytes))
            {
                bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fonts", Files[faceName]));
                _loaded[faceName] = bytes;
            }

            return bytes;
        }
    }
}
