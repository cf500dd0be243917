using System.Globalization;
using AvCloud.Console.Client.Api.Footage;

namespace AvCloud.Console.Pages;

/// <summary>The footage list's filters as the person sets them, turned into the API's query parameters (empty ones left out).</summary>
public sealed class FootageQuery
{
    public const int PageSize = 50;

    public string? Query { get; set; }
    public string? Officer { get; set; }
    public string? Device { get; set; }
    public string? Activity { get; set; }
    public string? Kind { get; set; }

    /// <summary>A footage status by its name (<c>DisposalPending</c>); the API takes it in camel case.</summary>
    public string? Status { get; set; }
    public DateTime? From { get; set; }
    public DateTime? To { get; set; }
    public bool Late { get; set; }

    public void Apply(FootageRequestBuilder.FootageRequestBuilderGetQueryParameters parameters, string? continuation, TimeZoneInfo? zone = null)
    {
        parameters.Q = Blank(Query);
        parameters.Officer = Blank(Officer);
        parameters.Device = Blank(Device);
        parameters.Activity = Blank(Activity);
        parameters.Kind = Blank(Kind);
        parameters.Status = Blank(Status) is { } status ? char.ToLowerInvariant(status[0]) + status[1..] : null;
        parameters.RecordedFrom = Instant(From, zone);
        parameters.RecordedTo = Instant(To, zone);
        parameters.UploadedLate = Late ? "true" : null;
        parameters.PageSize = PageSize;
        parameters.ContinuationToken = continuation;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // The person picks a time in their own zone; the API takes an instant.
    private static string? Instant(DateTime? local, TimeZoneInfo? zone) =>
        local is { } value
            ? new DateTimeOffset(value, (zone ?? TimeZoneInfo.Local).GetUtcOffset(value)).ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)
            : null;
}
