using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Packages;

/// <summary>
/// <c>GET /api/access-requests/{id}/package</c>: what an approved <c>copy</c> request yields, an evidence package
/// (<see cref="EvidencePackages"/>), streamed to the requester only, while the request is approved, unexpired and not
/// revoked, and only if its approver still satisfies the rules for the footage as it is classified now. Art. 14:
/// state-secret footage is never packaged (refused, audited). Each recording is audited as packaged before a byte is
/// sent (so its custody shows who took a copy, and the package's own custody documents show it too), and the package's
/// own SHA-256, size and file count are audited against the request once it has been sent.
/// </summary>
public sealed class DownloadEvidencePackage(RequestStore requests, FootageStore footage, UnitStore units, EvidencePackages packages, AuditTrail audit,
    TimeProvider time)
{
    [Function(nameof(DownloadEvidencePackage))]
    [RequiresRole(Roles.Reviewer, Roles.Officer, Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Query("lang", "The language of the package's custody.pdf: zh-CN (default) or en.")]
    [Answers(StatusCodes.Status200OK, typeof(Stream), MediaType = "application/zip")]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/access-requests/{id}/package")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var now = time.GetUtcNow();
        var target = AccessRequest.TargetOf(id);
        var language = CustodyReport.LanguageOf(request);

        var (current, stored) = await AccessFootage.GrantedAsync(requests, footage, units, caller, id,
            (asked, required) => asked.AllowsPackage(caller, required, now), AuditAction.PackageSent, cancellationToken);
        await audit.AppendAllAsync([.. stored.Select(record => AuditEntry.By(caller, AuditAction.FootagePackaged, $"footage/{record.Id}", AuditOutcomes.Success,
            current.GrantDetails(record)))], cancellationToken);

        var order = new PackageOrder(caller.UnitId, current.RequestedBy, target, current.Purpose, current.CaseName, current.CaseNumber, stored, language);
        return TypedResults.Stream(async body =>
        {
            PackageSent sent;
            try
            {
                sent = await packages.WriteAsync(order, body, request.HttpContext.RequestAborted);
            }
            catch (Exception failure)
            {
                // The caller holds a package cut short (it fails verify-package); the trail says so. Not the request's token:
                // a caller who went away must not stop the record of what they were sent.
                await audit.RecordAsync(caller, AuditAction.PackageSent, target,
                    new Dictionary<string, string> { ["files"] = Count(stored.Count), ["reason"] = failure.GetType().Name }, CancellationToken.None, AuditOutcomes.Failure);
                throw;
            }

            await audit.RecordAsync(caller, AuditAction.PackageSent, target, new Dictionary<string, string>
            {
                ["package"] = sent.PackageId,
                ["sha256"] = sent.Sha256,
                ["size"] = Count(sent.Size),
                ["files"] = Count(sent.Files),
            }, CancellationToken.None);
        }, "application/zip", EvidencePackages.FileName(target, now));
    }

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>GET /api/signing-keys</c> (anyone of the unit): the key evidence packages are signed with, its id, public key and
/// fingerprint, which the head publishes so a court can check a package's <c>manifest.sig</c> against it. Not anonymous:
/// only health and the API description are (courts take the key from the agency, not from AvCloud).
/// </summary>
public sealed class ListSigningKeys(ManifestSigner signer)
{
    [Function(nameof(ListSigningKeys))]
    [RequiresRole(Roles.Officer, Roles.Keeper, Roles.Reviewer, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(SigningKeys))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/signing-keys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(new SigningKeys([await signer.KeyAsync(cancellationToken)]));
}

/// <summary>The keys evidence packages are signed with now (one; a rotated key's packages name their own).</summary>
public sealed record SigningKeys(IReadOnlyList<SigningKey> Keys);
