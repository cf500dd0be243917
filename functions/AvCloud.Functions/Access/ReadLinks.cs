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

/// <summary>Read-only URLs for one footage blob each, signed for storage's own clock.</summary>
public sealed class ReadLinkIssuer(BlobServiceClient blobs, SasIssuer sas, StorageClock storageClock)
{
    /// <summary>
    /// A link that reads <paramref name="record"/>'s blob and nothing else for <paramref name="lifetime"/>; it plays
    /// inline, or downloads as a named file when <paramref name="inline"/> is false.
    /// </summary>
    public async Task<ReadLink> IssueAsync(FootageRecord record, bool inline, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Storage checks link expiry against its own clock: the lifetime is carried over to it.
        var fileName = FileName(record);
        var disposition = $"{(inline ? "inline" : "attachment")}; filename=\"{fileName}\"";
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
/// An approved request as it stands now, for the person who made it: approved, unexpired, unrevoked, its footage still
/// stored, and its approver still enough for the footage as it is classified now (footage classified since approval
/// needs a new approval; state-secret footage is never copied). Checked at every link and every view.
/// </summary>
public sealed class LiveRequests(RequestStore requests, FootageStore footage, UnitStore units)
{
    public async Task<(AccessRequest Request, IReadOnlyList<FootageRecord> Footage)> ForRequesterAsync(Caller caller, string id, AuditAction action,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var target = AccessRequest.TargetOf(id);
        var asked = await requests.ReadVisibleAsync(caller, id, cancellationToken) ?? throw RequestStore.NotVisible();
        // The requester and the request's state first: nobody else learns anything about the footage from the refusal.
        asked.AllowsLinks(caller, asked.ApproverRole, now).OrRefuse(action, target);

        var stored = await footage.StoredForAccessAsync(caller.UnitId, asked.FootageIds, cancellationToken);
        var levels = stored.Select(f => f.Classification).ToList();
        if (AccessRules.NeverAllowed(levels, asked.Mode) is { } never)
        {
            throw never.Audited(action, target);
        }

        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        var required = AccessRules.RequiredApprover(settings.AccessApprovals, levels, asked.Mode, asked.RequesterRoles.ToHashSet());
        return (asked.AllowsLinks(caller, required, now).OrRefuse(action, target), stored);
    }
}

/// <summary>
/// <c>POST /api/access-requests/{id}/links</c>: the requester of an approved, unexpired, unrevoked <c>copy</c> request
/// gets, per footage item, a read-only SAS URL for that one blob that downloads as a named file, valid for the shorter
/// of the approved window and <see cref="AccessOptions.MaxLinkLifetime"/>. A <c>view</c> request gets no links: a
/// bearer URL valid for hours could be forwarded to anyone, so each recording is opened through
/// <see cref="ViewFootage"/> by the requester, one at a time. Every link is audited against its footage, so the
/// custody view shows each access.
/// </summary>
public sealed class IssueReadLinks(LiveRequests live, ReadLinkIssuer links, AuditTrail audit, TimeProvider time, IOptions<AccessOptions> options)
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
        var (current, stored) = await live.ForRequesterAsync(caller, id, AuditAction.ReadLinkIssued, now, cancellationToken);
        if (current.Mode == AccessMode.View)
        {
            throw Refusal.Never($"Viewing is never handed out as links: open each recording with GET /api/access-requests/{id}/footage/{{footageId}}/view, which checks the request at every open.",
                "view requests are opened, not linked").Audited(AuditAction.ReadLinkIssued, AccessRequest.TargetOf(id));
        }

        var lifetime = ReadLinkIssuer.Min(current.ExpiresAt!.Value - now, options.Value.MaxLinkLifetime);
        var issuedLinks = new List<ReadLink>();
        var issued = new List<AuditEntry>();
        foreach (var record in stored)
        {
            var link = await links.IssueAsync(record, inline: false, lifetime, now, cancellationToken);
            issuedLinks.Add(link);
            issued.Add(AuditEntry.By(caller, AuditAction.ReadLinkIssued, $"footage/{record.Id}", AuditOutcomes.Success,
                new Dictionary<string, string>(RequestDetails(current, link)) { ["sha256"] = record.Sha256 }));
        }

        // Every link is in the audit trail before any is handed out.
        await audit.AppendAllAsync(issued, cancellationToken);
        return TypedResults.Ok(new ReadLinks(id, current.Mode, issuedLinks));
    }

    /// <summary>What the audit trail keeps about a link handed out under a request.</summary>
    public static Dictionary<string, string> RequestDetails(AccessRequest request, ReadLink link) => new()
    {
        ["request"] = request.Id,
        ["requester"] = request.RequestedBy,
        ["approver"] = request.Approval!.By,
        ["purpose"] = request.Purpose,
        ["case"] = $"{request.CaseName} {request.CaseNumber}",
        ["mode"] = AccessRules.Name(request.Mode),
        ["expiresAt"] = link.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// <c>GET /api/access-requests/{id}/footage/{footageId}/view</c>: the one way to watch footage under an access request.
/// Each open is checked as a link is (the caller is the requester; the request is approved, unexpired, unrevoked, and its
/// approval still enough), logged with the viewer, their address and agent (Art. 18), and answered with a read link
/// that plays inline for <see cref="AccessOptions.ViewLinkLifetime"/> (minutes), never past the request's window. A
/// forwarded address is useless without the requester's own token, and revoking the request ends viewing at the next open.
/// </summary>
public sealed class ViewFootage(LiveRequests live, ReadLinkIssuer links, AuditTrail audit, TimeProvider time, IOptions<AccessOptions> options)
{
    [Function(nameof(ViewFootage))]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ReadLink))]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "access-requests/{id}/footage/{footageId}/view")] HttpRequest request,
        string id,
        string footageId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var client = ClientFacts.Of(request.HttpContext);
        var (current, stored) = await live.ForRequesterAsync(caller, id, AuditAction.FootageViewed, now, cancellationToken);
        var record = stored.FirstOrDefault(f => f.Id == footageId)
            ?? throw Refusal.NotFound("This request does not cover a recording with that id.").Audited(AuditAction.FootageViewed, AccessRequest.TargetOf(id), client.Details());

        var link = await links.IssueAsync(record, inline: true, ReadLinkIssuer.Min(current.ExpiresAt!.Value - now, options.Value.ViewLinkLifetime), now, cancellationToken);
        // The open is in the audit trail before the link is handed out.
        await audit.AppendAsync(AuditEntry.By(caller, AuditAction.FootageViewed, $"footage/{record.Id}", AuditOutcomes.Success,
            new Dictionary<string, string>(IssueReadLinks.RequestDetails(current, link).Concat(client.Details())) { ["sha256"] = record.Sha256 }), cancellationToken);
        return TypedResults.Ok(link);
    }
}
