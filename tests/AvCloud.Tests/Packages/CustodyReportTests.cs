using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions.Identity;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Packages;

/// <summary>
/// The chain-of-custody report as a PDF (<c>GET /api/footage/{id}/custody?format=pdf</c>), read back with Debian's
/// poppler tools as a court's clerk would see it: the text in Chinese (and in English when asked), fonts embedded, and
/// a page that renders.
/// </summary>
public sealed class CustodyReportTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<(Dock Dock, string FootageId, string Keeper)> RecordingAsync(int seed)
    {
        var dock = new Dock(fixture, $"pdf-{Guid.NewGuid():N}"[..12]);
        var content = SyntheticWav.Create(seed, 8000);
        var session = await dock.OpenAsync(Dock.Manifest(Recent.HoursAgo(3), TimeSpan.Zero,
            Dock.FileEntry("hearing.wav", "audio", content, Recent.HoursAgo(4), TimeSpan.FromSeconds(1))));
        await Dock.UploadAsync(session, "hearing.wav", content);
        await dock.SettledAsync(session.SessionId);
        var id = (await dock.FootageAsync(Dock.Sha256(content))).Id;
        var keeper = fixture.TokenFor(dock.Unit, Roles.Keeper);
        using var hold = await fixture.SendAsync(HttpMethod.Post, $"/api/footage/{id}/holds", keeper,
            JsonContent.Create(new { reason = "dispute", caseName = "听证 争议", caseNumber = "TZ-2026-9", requestedBy = "法制科" }));
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        return (dock, id, keeper);
    }

    private async Task<string> PdfAsync(string footageId, string token, string query)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{footageId}/custody?format=pdf{query}", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var file = Path.Combine(Path.GetTempPath(), $"custody-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync(Cancel), Cancel);
        return file;
    }

    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Cancel);
        await process.WaitForExitAsync(Cancel);
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await process.StandardError.ReadToEndAsync(Cancel)}");
        return output;
    }

    [Fact]
    public async Task The_custody_pdf_reads_in_chinese_with_its_fonts_embedded_and_renders_a_page()
    {
        var (_, id, keeper) = await RecordingAsync(1801);
        var pdf = await PdfAsync(id, keeper, "");
        var png = Path.ChangeExtension(pdf, null);
        try
        {
            var text = await RunAsync("pdftotext", "-enc", "UTF-8", pdf, "-");
            Assert.Contains("视听资料保管链报告", text, StringComparison.Ordinal);
            Assert.Contains("审计链校验", text, StringComparison.Ordinal);
            Assert.Contains("完整：已校验", text, StringComparison.Ordinal);
            Assert.Contains("听证 争议", text, StringComparison.Ordinal);
            Assert.Contains("footage.catalogued", text, StringComparison.Ordinal);
            Assert.Contains("hold.placed", text, StringComparison.Ordinal);
            // Long values (the hash) may wrap; their start is on the page.
            Assert.Contains(id[..32], text, StringComparison.Ordinal);

            var fonts = await RunAsync("pdffonts", pdf);
            var rows = fonts.Split('\n').Skip(2).Where(l => l.Length > 0).ToList();
            Assert.Contains(rows, r => r.Contains("Droid Sans Fallback", StringComparison.Ordinal));
            Assert.All(rows, r => Assert.Contains(" yes ", r, StringComparison.Ordinal));

            await RunAsync("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", pdf, png);
            var image = await File.ReadAllBytesAsync(png + ".png", Cancel);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
            Assert.True(image.Length > 2000, "the page renders as more than a blank image");
        }
        finally
        {
            File.Delete(pdf);
            File.Delete(png + ".png");
        }
    }

    [Fact]
    public async Task The_custody_pdf_is_in_english_when_asked_and_a_wrong_format_or_language_is_refused()
    {
        var (_, id, keeper) = await RecordingAsync(1811);
        var pdf = await PdfAsync(id, keeper, "&lang=en");
        try
        {
            var text = await RunAsync("pdftotext", "-enc", "UTF-8", pdf, "-");
            Assert.Contains("Chain-of-custody report", text, StringComparison.Ordinal);
            Assert.Contains("Audit chain", text, StringComparison.Ordinal);
            Assert.Contains("Copies (as storage reports them)", text, StringComparison.Ordinal);
            Assert.Contains("legal hold: yes", text, StringComparison.Ordinal);
            Assert.DoesNotContain("视听资料", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pdf);
        }

        using var format = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}/custody?format=docx", keeper);
        using var language = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}/custody?format=pdf&lang=fr", keeper);
        using var officer = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}/custody?format=pdf", fixture.TokenFor("pdf-other", Roles.Keeper));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (format.StatusCode, language.StatusCode, officer.StatusCode));
    }
}
