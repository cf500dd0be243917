using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Packages;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Footage;

/// <summary>Storage's own view of one copy: what the service itself enforces right now.</summary>
public sealed record StoredCopy(string Account, string Blob, bool Exists, DateTimeOffset? PolicyUntil, string? PolicyMode, bool LegalHold);

/// <summary>
/// The chain of custody of one recording: the record, both copies as storage reports them (the footage account's copy is
/// <c>footage</c> in JSON, as its container is called), and every audit event about it.
/// </summary>
public sealed record Custody(FootageRecord Record, [property: JsonPropertyName("footage")] StoredCopy Primary, StoredCopy? SecondCopy, IReadOnlyList<AuditEvent> Events)
{
    /// <summary>
    /// Each access: every read link issued for it, every view of it under a request, every package that carried it, every
    /// play or download by an outside recipient of a share, and every read of its record, with who, when and (for views,
    /// plays and downloads) from where.
    /// </summary>
    public IReadOnlyList<AuditEvent> Accesses => [.. Events.Where(e => AccessActions.Contains(e.Action) && e.Outcome == AuditOutcomes.Success)];

    private static readonly HashSet<string> AccessActions =
    [
        AuditAction.ReadLinkIssued.Name, AuditAction.FootageViewed.Name, AuditAction.FootagePackaged.Name, AuditAction.SharePlayed.Name,
        AuditAction.ShareDownloaded.Name, AuditAction.FootageRead.Name,
    ];
}

/// <summary>
/// Gathers custody: the record's copies as storage reports them and every audit event about it, and the unit's audit
/// chain as verified now. The custody view and evidence packages read it the same way.
/// </summary>
public sealed class CustodyRecords(BlobServiceClient blobs, SecondCopies secondCopies, AuditTrail audit, AuditAnchors anchors)
{
    /// <summary>The custody documents' JSON: as callers are sent records (no pending audit events).</summary>
    public static JsonSerializerOptions Json { get; } = new(AvCloudJson.Options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { AuditedRecords.HideOutbox } },
        WriteIndented = true,
    };

    public async Task<Custody> OfAsync(FootageRecord record, CancellationToken cancellationToken)
    {
        var primary = await DescribeAsync(blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName), cancellationToken);
        var copy = record.SecondCopy is null ? null : await DescribeAsync(secondCopies.CopyOf(record), cancellationToken);
        var events = await audit.AboutAsync(record.UnitId, $"footage/{record.Id}", cancellationToken);
        return new Custody(record, primary, copy, events);
    }

    public Task<ChainReport> ChainAsync(string unitId, CancellationToken cancellationToken) => anchors.VerifyChainAsync(audit, unitId, cancellationToken);

    private static async Task<StoredCopy> DescribeAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        if (!await blob.ExistsAsync(cancellationToken))
        {
            return new StoredCopy(blob.AccountName, blob.Name, false, null, null, false);
        }

        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        return new StoredCopy(blob.AccountName, blob.Name, true, properties.ImmutabilityPolicy?.ExpiresOn,
            properties.ImmutabilityPolicy?.PolicyMode?.ToString().ToLowerInvariant(), properties.HasLegalHold);
    }
}

/// <summary>
/// <c>GET /api/footage/{id}/custody</c> (Keeper, Supervisor, Head; a reviewer for a recording sampled by a review they
/// score, Art. 17), Art. 18: upload, hashes, copies, holds, policy and every access, as JSON, or with
/// <c>format=pdf</c> as the report a court reads (zh-CN; <c>lang=en</c> for English), with the unit's audit chain as
/// verified now. Reading it is audited too (under the review, for a reviewer).
/// </summary>
public sealed class ReadCustody(FootageStore footage, Activities.ActivityStore reviews, CustodyRecords custody, AuditTrail audit, TimeProvider time)
{
    [Function(nameof(ReadCustody))]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head, Roles.Reviewer)]
    [Query("format", "json (default) or pdf: the chain-of-custody report laid out for a court.")]
    [Query("lang", "The PDF's language: zh-CN (default) or en.")]
    [Answers(StatusCodes.Status200OK, typeof(Custody))]
    [Answers(StatusCodes.Status200OK, typeof(Stream), MediaType = "application/pdf")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/footage/{id}/custody")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var format = request.Query["format"].ToString() is { Length: > 0 } asked ? asked : "json";
        if (format is not ("json" or "pdf"))
        {
            throw ProblemException.Invalid("format", "format is json or pdf.");
        }

        var language = CustodyReport.LanguageOf(request);

        if (await footage.ReadAsync(caller.UnitId, id, cancellationToken) is not { } record)
        {
            return Problems.NoSuchFootage;
        }

        // Art. 17: a reviewer sees the custody of what a review they score sampled, and nothing else.
        string? review = null;
        if (Access.AccessRules.SeesOnlyReviewSamples(caller)
            && (review = await reviews.ReviewSamplingAsync(caller, id, cancellationToken)) is null)
        {
            throw Refusal.Forbidden("Not in a review you score.",
                "A reviewer sees the custody of recordings sampled by a review they score; ask for others through an access request.",
                "not sampled by a review the caller scores").Audited(AuditAction.CustodyRead, $"footage/{id}");
        }

        if (!Access.AccessRules.CanSeeDetails(caller, record.Classification))
        {
            throw new ProblemException(StatusCodes.Status403Forbidden, "Classified.", "This recording's custody is shown to the keeper and the head only.");
        }

        var found = await custody.OfAsync(record, cancellationToken);
        var details = new Dictionary<string, string> { ["format"] = format };
        if (review is not null)
        {
            details["review"] = review;
        }

        if (format == "json")
        {
            await audit.RecordAsync(caller, AuditAction.CustodyRead, $"footage/{id}", details, cancellationToken);
            return TypedResults.Ok(found);
        }

        var chain = await custody.ChainAsync(caller.UnitId, cancellationToken);
        var now = time.GetUtcNow();
        var pdf = CustodyReport.Render(new CustodyReportScope(caller.UnitId, now, caller.Name ?? caller.UserId, $"footage/{id}", null, null), [found], chain, language);
        await audit.RecordAsync(caller, AuditAction.CustodyRead, $"footage/{id}", details, cancellationToken);
        return TypedResults.File(pdf, "application/pdf", $"custody-{id[..Math.Min(12, id.Length)]}-{language}.pdf");
    }
}
