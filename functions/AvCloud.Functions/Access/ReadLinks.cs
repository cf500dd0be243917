using System.Globalization;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Access;

/// <summary>One read link: a read-only URL for one footage blob.</summary>
public sealed record ReadLink(string FootageId, string Sha256, string FileName, Uri Url, DateTimeOffset ExpiresAt);

/// <summary>Read-only URLs for one footage blob each, signed for storage's own clock.</summary>
public sealed class ReadLinkIssuer(BlobServiceClient blobs, SasIssuer sas, StorageClock storageClock)
{
    /// <summary>A link that reads <paramref name="record"/>'s blob and nothing else for <paramref name="lifetime"/>, to play inline (copies are evidence packages).</summary>
    public async Task<ReadLink> IssueAsync(FootageRecord record, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Storage checks link expiry against its own clock: the lifetime is carried over to it.
        var fileName = FileName(record);
        var disposition = $"inline; filename=\"{fileName}\"";
        var blob = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
        var url = await sas.ForBlobAsync(blob, BlobSasPermissions.Read, storageClock.GetUtcNow() + lifetime, disposition, cancellationToken);
        return new ReadLink(record.Id, record.Sha256, fileName, url, now + lifetime);
    }

    /// <summary>A name that says what the file is: when it was recorded, by whom, and the start of its hash.</summary>
    public static string FileName(FootageRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"{record.CorrectedStart.UtcDateTime:yyyyMMdd-HHmmss}-{record.OfficerId}-{record.Sha256[..12]}{Path.GetExtension(record.BlobName)}");

    public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>
/// <c>GET /api/access-requests/{id}/footage/{footageId}/view</c>: the one way to watch footage under an access request.
/// Each open is checked as a link is (the caller is the requester; the request is approved, unexpired, unrevoked, and its
/// approval still enough), logged with the viewer, their address and agent (Art. 18), and answered with a read link
/// that plays inline for <see cref="AccessOptions.ViewLinkLifetime"/> (minutes), never past the request's window. A
/// forwarded address is useless without the requester's own token, and revoking the request ends viewing at the next open.
/// Viewing is never handed out as links valid for hours, and a copy is taken as an evidence package
/// (<c>GET /api/access-requests/{id}/package</c>), so these minutes-long links are the only read links AvCloud issues
/// under a request.
/// </summary>
public sealed class ViewFootage(RequestStore requests, FootageStore footage, UnitStore units, ReadLinkIssuer links, AuditTrail audit, TimeProvider time, IOptions<AccessOptions> options)
{
    [Function(nameof(ViewFootage))]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ReadLink))]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/access-requests/{id}/footage/{footageId}/view")] HttpRequest request,
        string id,
        string footageId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var client = ClientFacts.Of(request.HttpContext);
        var (current, stored) = await AccessFootage.GrantedAsync(requests, footage, units, caller, id,
            (asked, required) => asked.AllowsLinks(caller, required, now), AuditAction.FootageViewed, cancellationToken);
        var record = stored.FirstOrDefault(f => f.Id == footageId)
            ?? throw Refusal.NotFound("This request does not cover a recording with that id.").Audited(AuditAction.FootageViewed, AccessRequest.TargetOf(id), client.Details());

        var link = await links.IssueAsync(record, ReadLinkIssuer.Min(current.ExpiresAt!.Value - now, options.Value.ViewLinkLifetime), now, cancellationToken);
        // The open is in the audit trail before the link is handed out.
        await audit.AppendAsync(AuditEntry.By(caller, AuditAction.FootageViewed, $"footage/{record.Id}", AuditOutcomes.Success,
            new Dictionary<string, string>(current.GrantDetails(record).Concat(client.Details()))
            {
                ["expiresAt"] = link.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
            }), cancellationToken);
        return TypedResults.Ok(link);
    }
}
