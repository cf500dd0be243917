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
    /// <summary>Each access: every read link issued for it and every read of its record, with who and when.</summary>
    public IReadOnlyList<AuditEvent> Accesses => [.. Events.Where(e => (e.Action == AuditAction.ReadLinkIssued.Name || e.Action == AuditAction.FootageRead.Name)
        && e.Outcome == AuditOutcomes.Success)];
}

/// <summary>
/// <c>GET /api/footage/{id}/custody</c> (Keeper, Supervisor, Head), Art. 18: upload, hashes, copies, holds, policy and
/// every access, as JSON. Reading it is audited too.
/// </summary>
public sealed class ReadCustody(FootageStore footage, BlobServiceClient blobs, SecondCopies secondCopies, AuditTrail audit)
{
    [Function(nameof(ReadCustody))]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
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

        if (!Access.AccessRules.CanSeeDetails(caller, record.Classification))
        {
            throw new ProblemException(StatusCodes.Status403Forbidden, "Classified.", "This recording's custody is shown to the keeper and the head only.");
        }

        var primary = await DescribeAsync(blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName), cancellationToken);
        var copy = record.SecondCopy is null ? null : await DescribeAsync(secondCopies.CopyOf(record), cancellationToken);

        var events = await audit.AboutAsync(caller.UnitId, $"footage/{id}", cancellationToken);
        await audit.RecordAsync(caller, AuditAction.CustodyRead, $"footage/{id}", null, cancellationToken);
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
