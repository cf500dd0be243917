using System.Globalization;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Access;

/// <summary>One read link: a read-only URL for one footage blob.</summary>
public sealed record ReadLink(string FootageId, string Sha256, string FileName, Uri Url, DateTimeOffset ExpiresAt);

public sealed record ReadLinks(string RequestId, AccessMode Mode, IReadOnlyList<ReadLink> Links);

/// <summary>
/// <c>POST /api/access-requests/{id}/links</c>: the requester of an approved, unexpired, unrevoked request gets, per
/// footage item, a read-only SAS URL for that one blob, valid for the shorter of the approved window and
/// <see cref="AccessOptions.MaxLinkLifetime"/>; <c>view</c> links play inline, <c>copy</c> links download as a
/// named file. The rules are checked again first (footage classified since approval needs a new approval; state-secret
/// footage is never copied). Every link is audited against its footage, so the custody view shows each access.
/// </summary>
public sealed class IssueReadLinks(Database database, AccessRequests requests, BlobServiceClient blobs, SasIssuer sas, AuditTrail audit, StorageClock storageClock,
    TimeProvider time, IOptions<AccessOptions> options, IOptions<RetentionOptions> retention)
{
    /// <summary>The audit action of each link issued, or refused (custody and the compliance report read these).</summary>
    public const string LinkAction = "access.link";

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
        var current = (await requests.ReadAsync(caller, id, cancellationToken)).AsOf(now);
        if (current.RequestedBy != caller.UserId)
        {
            throw await requests.RefusedAsync(caller, LinkAction, $"access-requests/{id}", "not the requester",
                new ProblemException(StatusCodes.Status403Forbidden, "Not yours.", "Read links go to the person who made the request only."), cancellationToken);
        }

        if (current.Status != AccessStatus.Approved)
        {
            throw await requests.RefusedAsync(caller, LinkAction, $"access-requests/{id}", $"request is {AvCloudJson.Name(current.Status)}",
                new ProblemException(StatusCodes.Status409Conflict, "No access now.", $"The request is {AvCloudJson.Name(current.Status)}: links are issued for approved, unexpired requests only."), cancellationToken);
        }

        var footage = await requests.ByIdsAsync(caller.UnitId, current.FootageIds, cancellationToken);
        var levels = footage.Select(f => f.Classification).ToList();
        if (AccessRules.NeverAllowed(levels, current.Mode))
        {
            throw await requests.RefusedAsync(caller, LinkAction, $"access-requests/{id}", "copy of state-secret footage",
                AccessRequests.StateSecretCopy(), cancellationToken);
        }

        var settings = await UnitSettings.ReadAsync(database, caller.UnitId, retention.Value, cancellationToken);
        var required = AccessRules.RequiredApprover(settings.AccessApprovals, levels, current.Mode, current.RequesterRoles.ToHashSet());
        if (!AccessRules.Satisfies(current.Approval!.Role, required))
        {
            throw await requests.RefusedAsync(caller, LinkAction, $"access-requests/{id}", $"now needs {required}",
                new ProblemException(StatusCodes.Status409Conflict, "Needs a new approval.",
                $"Footage in this request was classified after it was approved; it now needs approval by the {required}. Make a new request."), cancellationToken);
        }

        // Storage checks link expiry against its own clock: the remaining window is carried over to it.
        var lifetime = Min(current.ExpiresAt!.Value - now, options.Value.MaxLinkLifetime);
        var expiresAt = storageClock.GetUtcNow() + lifetime;
        var container = blobs.GetBlobContainerClient(BlobContainers.Footage);
        var links = new List<ReadLink>();
        var issued = new List<AuditEntry>();
        foreach (var record in footage)
        {
            var fileName = FileName(record);
            var disposition = $"{(current.Mode == AccessMode.View ? "inline" : "attachment")}; filename=\"{fileName}\"";
            var url = await sas.ForBlobAsync(container.GetBlobClient(record.BlobName), BlobSasPermissions.Read, expiresAt, disposition, cancellationToken);
            links.Add(new ReadLink(record.Id, record.Sha256, fileName, url, now + lifetime));
            issued.Add(AuditEntry.By(caller, LinkAction, $"footage/{record.Id}", AuditOutcomes.Success,
                new Dictionary<string, string>
                {
                    ["request"] = id,
                    ["requester"] = current.RequestedBy,
                    ["approver"] = current.Approval.By,
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
    public static string FileName(Footage.FootageRecord record) =>
        string.Create(CultureInfo.InvariantCulture, $"{record.CorrectedStart.UtcDateTime:yyyyMMdd-HHmmss}-{record.OfficerId}-{record.Sha256[..12]}{Path.GetExtension(record.BlobName)}");

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
