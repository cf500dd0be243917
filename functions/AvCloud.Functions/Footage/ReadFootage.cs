using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Footage;

/// <summary>
/// <c>GET /api/footage</c> and <c>GET /api/footage/{id}</c>: the unit's catalogue, for the keeper, supervisors and the
/// head, reviewers looking for what to ask access to, and officers (their own recordings only). Another unit's footage,
/// or another officer's, is "not found". Classified footage (Art. 14) is shown in full to the keeper and the head only;
/// for anyone else it takes no part in the listing or its filters (<see cref="Clearance"/>), and <c>withheld=true</c>,
/// which takes no filter, lists it by id and level, to ask for through an access request. Free text (<c>q</c>) searches
/// activity and case labels; <c>case</c> finds the footage of the activities of the cases whose number or name holds it.
/// Every read is audited (Art. 18).
/// </summary>
public sealed class ReadFootage(FootageStore footage, Activities.ActivityStore reviews, AuditTrail audit)
{
    /// <summary>The listing's filters (every query parameter but paging and <c>withheld</c>).</summary>
    private static readonly string[] Filters = ["q", "case", "device", "officer", "activity", "kind", "status", "recordedFrom", "recordedTo", "uploadedLate"];

    [Function("ListFootage")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head, Roles.Officer, Roles.Reviewer)]
    [Answers(StatusCodes.Status200OK, typeof(FootagePage))]
    [Query("q", "Free text over activity and case labels.")]
    [Query("case", "Text in a case's number or name: the footage of that case's activities.")]
    [Query("device", "Device id.")]
    [Query("officer", "Officer id.")]
    [Query("activity", "Activity id.")]
    [Query("kind", "video, audio or photo.")]
    [Query("status", "available, quarantined, disposalPending, disposalApproved or purged.")]
    [Query("recordedFrom", "Corrected recording start, from (ISO 8601).")]
    [Query("recordedTo", "Corrected recording start, to (ISO 8601).")]
    [Query("uploadedLate", "true: only footage handed over after its deadline.")]
    [Query("withheld", "true: the stored footage the caller may not see (id and level only), by id; takes no other filter.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/footage")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var query = request.Query;
        var clearance = AccessRules.ClearanceOf(caller);
        if (Listing.Flag(query, "withheld") is true)
        {
            return await ListWithheldAsync(request, caller, clearance, cancellationToken);
        }

        if (Listing.Text(query, "q") is { Length: > 200 })
        {
            throw ProblemException.Invalid("q", "The search text may be at most 200 characters.");
        }

        // A case is found by its number or name; its footage is that of its activities (none when no case matches).
        IReadOnlyList<string>? ofCases = null;
        if (Listing.Text(query, "case") is { } caseText)
        {
            ofCases = caseText.Length > 200 ? throw ProblemException.Invalid("case", "The case search text may be at most 200 characters.")
                : [.. (await reviews.CasesMatchingAsync(caller.UnitId, caseText, cancellationToken)).SelectMany(c => c.ActivityIds).Distinct(StringComparer.Ordinal)];
        }

        // Art. 14: footage the caller may not see is left out by the query itself, so neither the items nor the page's
        // size and continuation say whether any of it matches the filters.
        var filter = new FootageFilter(
            Device: Listing.Text(query, "device"),
            Activity: Listing.Text(query, "activity"),
            Officer: OnlyOwn(caller) ? caller.UserId : Listing.Text(query, "officer"),
            Kind: Listing.Enum<MediaKind>(query, "kind"),
            Status: Listing.Enum<FootageStatus>(query, "status"),
            HandedOverInTime: !Listing.Flag(query, "uploadedLate"),
            RecordedFrom: Listing.Time(query, "recordedFrom"),
            RecordedTo: Listing.Time(query, "recordedTo"),
            Text: Listing.Text(query, "q"),
            Activities: ofCases,
            Clearance: clearance);
        var page = await footage.PageAsync(caller.UnitId, filter, query, cancellationToken);
        var shown = page.Where(r => clearance.Sees(r.Classification)).ToList();
        await audit.RecordAsync(caller, AuditAction.FootageListed, "footage",
            new Dictionary<string, string>
            {
                ["query"] = request.QueryString.Value ?? "",
                ["count"] = shown.Count.ToString(CultureInfo.InvariantCulture),
            },
            cancellationToken);
        return TypedResults.Ok(new FootagePage(shown, page.ContinuationToken));
    }

    /// <summary>
    /// Art. 14: what the caller may know exists but not see, to ask for by id. It takes no filter, so it never answers a
    /// question about a recording's officer, device, time or labels; it is ordered by id, so not by time either.
    /// </summary>
    private async Task<IResult> ListWithheldAsync(HttpRequest request, Caller caller, Clearance clearance, CancellationToken cancellationToken)
    {
        if (Filters.FirstOrDefault(f => Listing.Text(request.Query, f) is not null) is { } filtered)
        {
            throw ProblemException.Invalid(filtered, "The withheld listing takes no filter: classified footage never takes part in the filters of someone who may not see it (Art. 14).");
        }

        var page = await footage.PageWithheldAsync(caller.UnitId, OnlyOwn(caller) ? caller.UserId : null, clearance, request.Query, cancellationToken);
        var withheld = page.Where(r => !clearance.Sees(r.Classification)).Select(r => new WithheldFootage(r.Id, r.Classification)).ToList();
        await audit.RecordAsync(caller, AuditAction.FootageListed, "footage",
            new Dictionary<string, string>
            {
                ["query"] = request.QueryString.Value ?? "",
                ["count"] = "0",
                ["withheld"] = withheld.Count.ToString(CultureInfo.InvariantCulture),
            },
            cancellationToken);
        return TypedResults.Ok(new FootagePage([], page.ContinuationToken) { Withheld = withheld });
    }

    [Function("GetFootage")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head, Roles.Officer, Roles.Reviewer)]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/footage/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var record = await footage.ReadAsync(caller.UnitId, id, cancellationToken);
        // Art. 17: a reviewer reads a recording a review they score sampled without an access request, audited under the review.
        var review = record is not null && AccessRules.SeesOnlyReviewSamples(caller) ? await reviews.ReviewSamplingAsync(caller, id, cancellationToken) : null;
        if (record is null || (OnlyOwn(caller) && record.OfficerId != caller.UserId && review is null))
        {
            throw new Refusal(StatusCodes.Status404NotFound, "Not found.", "No such footage in your unit.", "not found in the caller's scope")
                .Audited(AuditAction.FootageRead, $"footage/{id}");
        }

        if (!AccessRules.CanSeeDetails(caller, record.Classification))
        {
            throw Refusal.Forbidden("Classified.", $"This recording is classified ({AccessRules.Name(record.Classification)}); ask for it through an access request.",
                $"classified {AccessRules.Name(record.Classification)}").Audited(AuditAction.FootageRead, $"footage/{id}");
        }

        var details = new Dictionary<string, string> { ["sha256"] = record.Sha256 };
        if (review is not null)
        {
            details["review"] = review;
        }

        await audit.RecordAsync(caller, AuditAction.FootageRead, $"footage/{id}", details, cancellationToken);
        return TypedResults.Ok(record);
    }

    /// <summary>An officer without a broader role sees their own recordings only.</summary>
    private static bool OnlyOwn(Caller caller) =>
        caller.HasRole(Roles.Officer) && !caller.HasRole(Roles.Keeper) && !caller.HasRole(Roles.Supervisor) && !caller.HasRole(Roles.Head);
}

public sealed record FootagePage(IReadOnlyList<FootageRecord> Items, string? ContinuationToken)
{
    /// <summary>With <c>withheld=true</c>: stored footage the caller may not see, its id and level only (Art. 14).</summary>
    public IReadOnlyList<WithheldFootage> Withheld { get; init; } = [];
}

/// <summary>A recording the caller may know exists (to ask for it) but not see the details of.</summary>
public sealed record WithheldFootage(string Id, Classification Classification);
