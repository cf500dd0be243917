using System.Text.Json.Serialization;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
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
    /// Each access: every read link issued for it, every view of it under a request, every play by an outside recipient
    /// of a share, and every read of its record, with who, when and (for views and plays) from where.
    /// </summary>
    public IReadOnlyList<AuditEvent> Accesses => [.. Events.Where(e => AccessActions.Contains(e.Action) && e.Outcome == AuditOutcomes.Success)];

    private static readonly HashSet<string> AccessActions =
        [AuditAction.ReadLinkIssued.Name, AuditAction.FootageViewed.Name, AuditAction.SharePlayed.Name, AuditAction.FootageRead.Name];
}

/// <summary>
/// <c>GET /api/footage/{id}/custody</c> (Keeper, Supervisor, Head; a reviewer for a recording sampled by a review they
/// score, Art. 17), Art. 18: upload, hashes, copies, holds, policy and every access, as JSON. Reading it is audited too
/// (under the review, for a reviewer).
/// </summary>
public sealed class ReadCustody(FootageStore footage, Activities.ActivityStore reviews, BlobServiceClient blobs, SecondCopies secondCopies, AuditTrail audit)
{
    [Function(nameof(ReadCustody))]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head, Roles.Reviewer)]
    [Answers(StatusCodes.Status200OK, typeof(Custody))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "footage/{id}/custody")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
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

        var primary = await DescribeAsync(blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName), cancellationToken);
        var copy = record.SecondCopy is null ? null : await DescribeAsync(secondCopies.CopyOf(record), cancellationToken);

        var events = await audit.AboutAsync(caller.UnitId, $"footage/{id}", cancellationToken);
        await audit.RecordAsync(caller, AuditAction.CustodyRead, $"footage/{id}",
            review is null ? null : new Dictionary<string, string> { ["review"] = review }, cancellationToken);
        return TypedResults.Ok(new Custody(record, primary, copy, events));
    }

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
