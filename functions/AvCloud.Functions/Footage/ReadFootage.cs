using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Footage;

/// <summary>
/// <c>GET /api/footage</c> and <c>GET /api/footage/{id}</c>: the unit's catalogue, for the keeper, supervisors and the
/// head, reviewers looking for what to ask access to, and officers (their own recordings only). Another unit's footage,
/// or another officer's, is "not found". Classified footage (Art. 14) is shown in full to the keeper and the head only;
/// anyone else finds it listed as withheld, with its id and level, to ask for through an access request. Free text
/// (<c>q</c>) searches activity and case labels. Every read is audited (Art. 18).
/// </summary>
public sealed class ReadFootage(Database database, AuditTrail audit)
{
    private Container Footage => database.GetContainer(CosmosContainers.Footage);

    [Function("ListFootage")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head, Roles.Officer, Roles.Reviewer)]
    [Answers(StatusCodes.Status200OK, typeof(FootagePage))]
    [Query("q", "Free text over activity and case labels.")]
    [Query("device", "Device id.")]
    [Query("officer", "Officer id.")]
    [Query("activity", "Activity id.")]
    [Query("kind", "video, audio or photo.")]
    [Query("status", "available, quarantined, disposalPending, disposalApproved or purged.")]
    [Query("recordedFrom", "Corrected recording start, from (ISO 8601).")]
    [Query("recordedTo", "Corrected recording start, to (ISO 8601).")]
    [Query("uploadedLate", "true: only footage handed over after its deadline.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "footage")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var query = request.Query;
        var filters = new List<string> { "c.type = @type" };
        var parameters = new Dictionary<string, object> { ["@type"] = FootageRecord.DocumentType };
        void Equal(string field, string property, object? value)
        {
            if (value is not null)
            {
                filters.Add($"c.{property} = @{field}");
                parameters[$"@{field}"] = value;
            }
        }

        Equal("device", "deviceId", Listing.Text(query, "device"));
        Equal("activity", "activityId", Listing.Text(query, "activity"));
        Equal("officer", "officerId", OnlyOwn(caller) ? caller.UserId : Listing.Text(query, "officer"));
        Equal("kind", "kind", Enum(query, "kind", out MediaKind kind) ? AvCloudJson.Name(kind) : null);
        Equal("status", "status", Enum(query, "status", out FootageStatus status) ? AvCloudJson.Name(status) : null);
        if (Listing.Text(query, "uploadedLate") is { } late)
        {
            Equal("inTime", "handedOverInTime", !(bool.TryParse(late, out var isLate) ? isLate : throw ProblemException.Invalid("uploadedLate", "uploadedLate must be true or false.")));
        }

        if (Listing.Time(query, "recordedFrom") is { } from)
        {
            filters.Add("c.correctedStart >= @from");
            parameters["@from"] = from;
        }

        if (Listing.Time(query, "recordedTo") is { } to)
        {
            filters.Add("c.correctedStart <= @to");
            parameters["@to"] = to;
        }

        if (Listing.Text(query, "q") is { } text)
        {
            if (text.Length > 200)
            {
                throw ProblemException.Invalid("q", "The search text may be at most 200 characters.");
            }

            filters.Add("CONTAINS(c.labelText, @q)");
            parameters["@q"] = text.Trim().ToLowerInvariant();
        }

        var sql = Listing.Where(filters, parameters, "c.correctedStart DESC");

        var page = await Listing.PageAsync<FootageRecord>(Footage, sql, caller.UnitId, query, cancellationToken);
        var shown = page.Where(r => AccessRules.CanSeeDetails(caller, r.Classification)).ToList();
        var withheld = page.Where(r => !AccessRules.CanSeeDetails(caller, r.Classification)).Select(r => new WithheldFootage(r.Id, r.Classification)).ToList();
        await audit.AppendAsync(AuditEntry.By(caller, "footage.list", "footage", AuditOutcomes.Success,
            new Dictionary<string, string>
            {
                ["query"] = request.QueryString.Value ?? "",
                ["count"] = shown.Count.ToString(CultureInfo.InvariantCulture),
                ["withheld"] = withheld.Count.ToString(CultureInfo.InvariantCulture),
            }),
            cancellationToken);
        return TypedResults.Ok(new FootagePage(shown, page.ContinuationToken) { Withheld = withheld });
    }

    [Function("GetFootage")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head, Roles.Officer, Roles.Reviewer)]
    [Answers(StatusCodes.Status200OK, typeof(FootageRecord))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "footage/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var found = await Documents.ReadAsync<FootageRecord>(Footage, id, caller.UnitId, cancellationToken);
        if (found is not { } record || (OnlyOwn(caller) && record.Document.OfficerId != caller.UserId))
        {
            await audit.AppendAsync(AuditEntry.By(caller, "footage.read", $"footage/{id}", AuditOutcomes.Denied,
                new Dictionary<string, string> { ["reason"] = "not found in the caller's scope" }), cancellationToken);
            return Problems.NoSuchFootage;
        }

        if (!AccessRules.CanSeeDetails(caller, record.Document.Classification))
        {
            await audit.AppendAsync(AuditEntry.By(caller, "footage.read", $"footage/{id}", AuditOutcomes.Denied,
                new Dictionary<string, string> { ["reason"] = $"classified {AccessRules.Name(record.Document.Classification)}" }), cancellationToken);
            throw new ProblemException(StatusCodes.Status403Forbidden, "Classified.",
                $"This recording is classified ({AccessRules.Name(record.Document.Classification)}); ask for it through an access request.");
        }

        await audit.AppendAsync(AuditEntry.By(caller, "footage.read", $"footage/{id}", AuditOutcomes.Success,
            new Dictionary<string, string> { ["sha256"] = record.Document.Sha256 }), cancellationToken);
        return TypedResults.Ok(record.Document);
    }

    /// <summary>An officer without a broader role sees their own recordings only.</summary>
    private static bool OnlyOwn(Caller caller) =>
        caller.HasRole(Roles.Officer) && !caller.HasRole(Roles.Keeper) && !caller.HasRole(Roles.Supervisor) && !caller.HasRole(Roles.Head);

    private static bool Enum<T>(IQueryCollection query, string name, out T value)
        where T : struct, System.Enum
    {
        value = default;
        if (Listing.Text(query, name) is not { } text)
        {
            return false;
        }

        return System.Enum.TryParse(text, ignoreCase: true, out value) && System.Enum.IsDefined(value) && !int.TryParse(text, out _)
            ? true
            : throw ProblemException.Invalid(name, $"{name} must be one of: {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
    }
}

public sealed record FootagePage(IReadOnlyList<FootageRecord> Items, string? ContinuationToken)
{
    /// <summary>Classified footage on this page that the caller may not see: its id and level only.</summary>
    public IReadOnlyList<WithheldFootage> Withheld { get; init; } = [];
}

/// <summary>A recording the caller may know exists (to ask for it) but not see the details of.</summary>
public sealed record WithheldFootage(string Id, Classification Classification);
