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

public sealed record ReadLinks(string RequestId, AccessMode Mode, IReadOnlyList<ReadLink> Links);

/// <summary>
/// <c>POST /api/access-requests/{id}/links</c>: the requester of an approved, unexpired, unrevoked <c>view</c> request
/// gets, per footage item, a read-only SAS URL for that one blob, valid for the shorter of the approved window and
/// <see cref="AccessOptions.MaxLinkLifetime"/>, to play inline. A <c>copy</c> request gets no links: it yields an
/// evidence package (<c>Packages/DownloadEvidencePackage</c>). The rules are checked again first (footage classified
/// since approval needs a new approval). Every link is audited against its footage, so the custody view shows each access.
/// </summary>
public sealed class IssueReadLinks(RequestStore requests, FootageStore footage, UnitStore units, BlobServiceClient blobs, SasIssuer sas, AuditTrail audit,
    StorageClock storageClock, TimeProvider time, IOptions<AccessOptions> options)
{
    [Function(nameof(IssueReadLinks))]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ReadLinks))]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "access-requests/{id}/links")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var (current, stored) = await AccessFootage.GrantedAsync(requests, footage, units, caller, id,
            (asked, required) => asked.AllowsLinks(caller, required, now), AuditAction.ReadLinkIssued, cancellationToken);

        // Storage checks link expiry against its own clock: the remaining window is carried over to it.
        var lifetime = Min(current.ExpiresAt!.Value - now, options.Value.MaxLinkLifetime);
        var expiresAt = storageClock.GetUtcNow() + lifetime;
        var container = blobs.GetBlobContainerClient(BlobContainers.Footage);
        var links = new List<ReadLink>();
        var issued = new List<AuditEntry>();
        foreach (var record in stored)
        {
            var fileName = FileName(record);
            var disposition = $"inline; filename=\"{fileName}\"";
            var url = await sas.ForBlobAsync(container.GetBlobClient(record.BlobName), BlobSasPermissions.Read, expiresAt, disposition, cancellationToken);
            links.Add(new ReadLink(record.Id, record.Sha256, fileName, url, now + lifetime));
            issued.Add(AuditEntry.By(caller, AuditAction.ReadLinkIssued, $"footage/{record.Id}", AuditOutcomes.Success,
                new Dictionary<string, string>
                {
                    ["request"] = id,
                    ["requester"] = current.RequestedBy,
                    ["approver"] = current.Approval!.By,
                    ["purpose"] = current.Purpose,
                    ["case"] = $"{current.CaseName} {current.CaseNumber}",
                    ["mode"] = AccessRules.Name(current.Mode),
                    ["sha256"] = record.Sha256,
                    ["expiresAt"] = (now + lifetime).ToString("O", CultureInfo.InvariantCulture),
                }));
        }

        // Every link is in the audit trail before any is handed out.
        await audit.AppendAllAsync(issued, cancellationToken);
        return TypedResults.Ok(new ReadLinks(id, current.Mode, links));
    }

    /// <summary>A name that says what the file is: when it was recorded, by whom, and the start of its hash.</summary>
    public static string FileName(FootageRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"{record.CorrectedStart.UtcDateTime:yyyyMMdd-HHmmss}-{record.OfficerId}-{record.Sha256[..12]}{Path.GetExtension(record.BlobName)}");

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
