using System.Globalization;
using System.Text.RegularExpressions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Packages;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Shares;

/// <summary>The passcode, when it is sent in the body rather than the <c>X-Share-Passcode</c> header.</summary>
public sealed record PasscodeBody(string? Passcode);

/// <summary>One shared recording as the recipient sees it.</summary>
public sealed record SharedRecording(string FootageId, string FileName, string Sha256, long Size, Ingest.MediaKind Kind, DateTimeOffset RecordedStart, DateTimeOffset RecordedEnd);

/// <summary>What a share holds, as its recipient sees it on opening.</summary>
public sealed record SharedContents(string ShareId, ShareRecipient Recipient, ShareMode Mode, DateTimeOffset ExpiresAt, IReadOnlyList<SharedRecording> Recordings);

/// <summary>
/// The recipient's side of an external share. The recipient has no token: the share's id (the link) and its passcode, in
/// the <c>X-Share-Passcode</c> header or the body (never the address, which ends up in logs and histories), admit them.
/// <c>POST /api/shared/{shareId}</c> opens the share (what it holds); <c>POST /api/shared/{shareId}/footage/{footageId}/play</c>
/// answers a read link for one recording that plays inline for minutes (<see cref="ShareOptions.PlayLinkLifetime"/>);
/// <c>POST /api/shared/{shareId}/package</c> streams the evidence package of a <c>package</c> share (<see cref="EvidencePackages"/>).
/// Each request is checked again (the share not locked, the passcode, approved, unexpired, unrevoked, no footage become
/// state-secret since) and logged in the unit's audit trail with the share, the recipient, their address and agent.
/// Wrong passcodes are counted on the share and lock it (<see cref="ExternalShare.WrongPasscode"/>); an unknown share id
/// is counted like a refused sign-in.
/// </summary>
public sealed partial class ServeShares(ShareStore shares, FootageStore footage, ReadLinkIssuer links, EvidencePackages packages, AuditTrail audit,
    SignInRefusals refusals, TimeProvider time, IOptions<ShareOptions> options)
{
    public const string PasscodeHeader = "X-Share-Passcode";

    [GeneratedRegex(@"^[A-Za-z0-9_-]{43}\z")]
    private static partial Regex ShareId();

    [Function("OpenShare")]
    [Anonymous]
    [Accepts(typeof(PasscodeBody))]
    [Answers(StatusCodes.Status200OK, typeof(SharedContents))]
    [Answers(StatusCodes.Status403Forbidden)]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status410Gone)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    [Answers(StatusCodes.Status429TooManyRequests)]
    public async Task<IResult> Open(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/shared/{shareId}")] HttpRequest request,
        string shareId,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (share, recordings, details) = await AdmitAsync(request, shareId, AuditAction.ShareOpened, now, cancellationToken);
        var admitted = await AuditedAdmitAsync(share, AuditAction.ShareOpened, ExternalShare.TargetOf(share.Id),
            new Dictionary<string, string>(details) { ["items"] = recordings.Count.ToString(CultureInfo.InvariantCulture) }, now, cancellationToken);
        return TypedResults.Ok(new SharedContents(admitted.Id, admitted.Recipient, admitted.Mode, admitted.ExpiresAt!.Value, [.. recordings.Select(r =>
            new SharedRecording(r.Id, ReadLinkIssuer.FileName(r), r.Sha256, r.Size, r.Kind, r.CorrectedStart, r.CorrectedEnd))]));
    }

    [Function("PlaySharedFootage")]
    [Anonymous]
    [Accepts(typeof(PasscodeBody))]
    [Answers(StatusCodes.Status200OK, typeof(ReadLink))]
    [Answers(StatusCodes.Status403Forbidden)]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status410Gone)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    [Answers(StatusCodes.Status429TooManyRequests)]
    public async Task<IResult> Play(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/shared/{shareId}/footage/{footageId}/play")] HttpRequest request,
        string shareId,
        string footageId,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (share, recordings, details) = await AdmitAsync(request, shareId, AuditAction.SharePlayed, now, cancellationToken);
        var record = recordings.FirstOrDefault(r => r.Id == footageId)
            ?? throw Refusal.NotFound("This share holds no recording with that id.").Audited(AuditAction.SharePlayed, ExternalShare.TargetOf(share.Id), details);

        var lifetime = ReadLinkIssuer.Min(share.ExpiresAt!.Value - now, options.Value.PlayLinkLifetime);
        var link = await links.IssueAsync(record, lifetime, now, cancellationToken);
        // The play is in the audit trail, against the recording (so its custody shows it), before the link is handed out.
        await AuditedAdmitAsync(share, AuditAction.SharePlayed, $"footage/{record.Id}", new Dictionary<string, string>(details)
        {
            ["sha256"] = record.Sha256,
            ["expiresAt"] = link.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
        }, now, cancellationToken);
        return TypedResults.Ok(link);
    }

    [Function("DownloadSharedPackage")]
    [Anonymous]
    [Accepts(typeof(PasscodeBody))]
    [Query("lang", "The language of the package's custody.pdf: zh-CN (default) or en.")]
    [Answers(StatusCodes.Status200OK, typeof(Stream), MediaType = "application/zip")]
    [Answers(StatusCodes.Status403Forbidden)]
    [Answers(StatusCodes.Status409Conflict)]
    [Answers(StatusCodes.Status410Gone)]
    [Answers(StatusCodes.Status422UnprocessableEntity)]
    [Answers(StatusCodes.Status429TooManyRequests)]
    public async Task<IResult> Download(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/shared/{shareId}/package")] HttpRequest request,
        string shareId,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var language = CustodyReport.LanguageOf(request);

        var (share, recordings, details) = await AdmitAsync(request, shareId, AuditAction.ShareDownloaded, now, cancellationToken);
        var target = ExternalShare.TargetOf(share.Id);
        if (share.Mode != ShareMode.Package)
        {
            throw Refusal.Forbidden("View only.", "This share is for viewing: no package is downloaded from it.", "share is view-only")
                .Audited(AuditAction.ShareDownloaded, target, details);
        }

        var refusal = recordings.Count == 0 ? Refusal.Conflict("None of this share's recordings is stored any more: there is nothing to package.", "nothing stored")
            : EvidencePackages.Refuses(recordings);
        if (refusal is not null)
        {
            throw refusal.Audited(AuditAction.ShareDownloaded, target, details);
        }

        // Admitted (the share unlocked and live on the stored share), then each recording audited as downloaded before a byte is sent.
        await AuditedAdmitAsync(share, AuditAction.ShareDownloaded, target,
            new Dictionary<string, string>(details) { ["items"] = recordings.Count.ToString(CultureInfo.InvariantCulture) }, now, cancellationToken);
        var recipient = share.RecipientCaller();
        await audit.AppendAllAsync([.. recordings.Select(r => AuditEntry.By(recipient, AuditAction.ShareDownloaded, $"footage/{r.Id}", AuditOutcomes.Success,
            new Dictionary<string, string>(details) { ["sha256"] = r.Sha256 }))], cancellationToken);

        var order = new PackageOrder(share.UnitId, $"{share.Recipient.Name} ({share.Recipient.Organisation})", target, share.Purpose, null, null, recordings, language);
        return TypedResults.Stream(async body =>
        {
            // What was sent is recorded whatever happens to the recipient's connection, so not under the request's token.
            try
            {
                var sent = await packages.WriteAsync(order, body, request.HttpContext.RequestAborted);
                await audit.RecordAsync(recipient, AuditAction.PackageSent, target, new Dictionary<string, string>(details)
                {
                    ["package"] = sent.PackageId,
                    ["sha256"] = sent.Sha256,
                    ["size"] = sent.Size.ToString(CultureInfo.InvariantCulture),
                    ["files"] = sent.Files.ToString(CultureInfo.InvariantCulture),
                }, CancellationToken.None);
            }
            catch (Exception failure) when (failure is not OutOfMemoryException)
            {
                await audit.RecordAsync(recipient, AuditAction.PackageSent, target, new Dictionary<string, string>(details) { ["reason"] = failure.GetType().Name },
                    CancellationToken.None, AuditOutcomes.Failure);
                throw;
            }
        }, "application/zip", EvidencePackages.FileName(target, now));
    }

    /// <summary>
    /// The share admits this request: found, not locked, the passcode right, live, and none of its footage state-secret.
    /// A wrong passcode is counted on the share (and may lock it) before the refusal; every refusal after the share is
    /// found is audited in its unit, with the recipient, address and agent. Returns its stored recordings.
    /// </summary>
    private async Task<(ExternalShare Share, IReadOnlyList<FootageRecord> Recordings, Dictionary<string, string> Details)> AdmitAsync(HttpRequest request,
        string shareId, AuditAction action, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (request.Query.Keys.Any(k => string.Equals(k, "passcode", StringComparison.OrdinalIgnoreCase)))
        {
            throw ProblemException.Invalid("passcode", $"Never put the passcode in the address (addresses are kept in logs and histories): send it in the {PasscodeHeader} header or the body.");
        }

        var client = ClientFacts.Of(request.HttpContext);
        if (!ShareId().IsMatch(shareId) || await shares.FindAsync(shareId, cancellationToken) is not { } share)
        {
            // Someone trying links: counted per address like a refused sign-in, so a scan is seen without flooding the trail.
            refusals.Count(client.Address, "anonymous", AuditAction.AuthenticationFailed, "no such share", $"{request.Method} /api/shared");
            throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such share.");
        }

        // From here the recipient is known by the share: refusals are audited in its unit's chain as theirs.
        request.HttpContext.Features.Set(share.RecipientCaller());
        var details = new Dictionary<string, string>(share.Details().Concat(client.Details()));
        var target = ExternalShare.TargetOf(share.Id);
        share.Unlocked(now).OrRefuse(action, target, details);

        var passcode = await PasscodeAsync(request, cancellationToken);
        if (!Passcodes.Matches(share.Passcode, passcode))
        {
            await WrongPasscodeAsync(share, action, target, details, now, cancellationToken);
        }

        share.Live(now).OrRefuse(action, target, details);
        var found = await footage.ByIdsAsync(share.UnitId, share.FootageIds, cancellationToken);
        // Art. 14: footage classified state-secret since the share was made ends the share's serving.
        if (found.Values.Any(r => r.Classification == Classification.StateSecret))
        {
            throw ManageShares.StateSecret.Audited(action, target, details);
        }

        return (share, [.. share.FootageIds.Where(found.ContainsKey).Select(i => found[i]).Where(r => r.IsStored)], details);
    }

    /// <summary>Counts a wrong passcode on the share, with its audit event (the lock's, when it locks the share), then refuses.</summary>
    private async Task WrongPasscodeAsync(ExternalShare share, AuditAction action, string target, Dictionary<string, string> details, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var counted = (await shares.ChangeAsync(share.UnitId, share.Id, s => s.WrongPasscode(now, options.Value), (before, after) =>
        {
            var locked = after.LockedBy(before, now);
            return AuditEntry.By(share.RecipientCaller(), locked ? AuditAction.ShareLocked : AuditAction.SharePasscodeWrong, target, AuditOutcomes.Denied,
                new Dictionary<string, string>(details)
                {
                    ["attempt"] = action.Name,
                    ["reason"] = locked ? $"{options.Value.MaxWrongPasscodes} wrong passcodes within {options.Value.WrongPasscodeWindow}" : "wrong passcode",
                    ["lockedUntil"] = after.LockedUntil?.ToString("O", CultureInfo.InvariantCulture) ?? "",
                });
        }, cancellationToken)).OrRefuse(action, target, details);
        throw counted.Unlocked(now).Refusal is { } locked
            ? new ProblemException(locked.Status, locked.Title, locked.Detail)
            : new ProblemException(StatusCodes.Status403Forbidden, "Wrong passcode.",
                $"The passcode is not this share's. After {options.Value.MaxWrongPasscodes} wrong passcodes within {options.Value.WrongPasscodeWindow} the share is locked for {options.Value.LockDuration}.");
    }

    /// <summary>Admits the recipient on the stored share (still unlocked and live), with the audit event of what they were given.</summary>
    private async Task<ExternalShare> AuditedAdmitAsync(ExternalShare share, AuditAction action, string target, Dictionary<string, string> details, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        (await shares.ChangeAsync(share.UnitId, share.Id, s => s.Admit(now),
            (_, _) => AuditEntry.By(share.RecipientCaller(), action, target, AuditOutcomes.Success, details), cancellationToken))
        .OrRefuse(action, ExternalShare.TargetOf(share.Id), details);

    private static async Task<string?> PasscodeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.Headers[PasscodeHeader].ToString() is { Length: > 0 } header)
        {
            return header;
        }

        if (request.ContentLength is null or 0 && request.Headers.TransferEncoding.Count == 0)
        {
            throw ProblemException.Invalid("passcode", $"Give the share's passcode in the {PasscodeHeader} header or as {{\"passcode\": \"...\"}} in the body.");
        }

        return (await RequestBody.ReadJsonAsync<PasscodeBody>(request, 1024, cancellationToken)).Passcode;
    }
}
