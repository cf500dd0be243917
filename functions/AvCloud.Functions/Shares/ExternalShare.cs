using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Identity;

namespace AvCloud.Functions.Shares;

public enum ShareStatus
{
    Pending,
    Approved,
    Revoked,

    /// <summary>Approved, but its window has ended. Not stored: worked out when the share is read.</summary>
    Expired,
}

/// <summary>What the recipient may do: watch the recordings, or also download the evidence package.</summary>
public enum ShareMode
{
    View,
    Package,
}

/// <summary>Who the recipient is, for the record: the prosecutor, a court, a party's lawyer, someone else.</summary>
public enum RecipientKind
{
    Prosecutor,
    Court,
    Lawyer,
    Other,
}

/// <summary>The named person outside the agency a share is for, and the organisation they act for.</summary>
public sealed record ShareRecipient(string Name, RecipientKind Kind, string Organisation);

/// <summary>
/// A share of footage with a named outside recipient (the prosecutor, a court, a party's lawyer), in the <c>shares</c>
/// container (partition <c>/unitId</c>). A keeper or reviewer makes it; a head who did not make it approves it, and
/// only then is a passcode made (kept as a salted hash) and the share served, until it expires or is revoked. The
/// recipient has no token: the share's id (its link) and the passcode admit them, and wrong passcodes lock it for a
/// while. Its id is 256 random bits, so the link cannot be guessed.
/// </summary>
public sealed record ExternalShare : Audit.IAudited<ExternalShare>
{
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public ExternalShare WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentType = "externalShare";

    /// <summary>The role an outside recipient acts in, in the audit trail: they hold none of the app's roles.</summary>
    public const string RecipientRole = "External";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ShareRecipient Recipient { get; init; }

    public required string Purpose { get; init; }

    public required IReadOnlyList<string> FootageIds { get; init; }

    /// <summary>The approved access request whose footage is shared, when the share was made from one.</summary>
    public string? RequestId { get; init; }

    public required ShareMode Mode { get; init; }

    /// <summary>How long the share lasts, from approval.</summary>
    public required TimeSpan Duration { get; init; }

    public ShareStatus Status { get; init; } = ShareStatus.Pending;

    public AccessDecision? Approval { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public AccessDecision? Revocation { get; init; }

    /// <summary>Set on approval; never shown to anyone.</summary>
    public PasscodeHash? Passcode { get; init; }

    /// <summary>When wrong passcodes were given, within the counting window.</summary>
    public IReadOnlyList<DateTimeOffset> WrongPasscodes { get; init; } = [];

    /// <summary>Until when the share refuses every passcode, after too many wrong ones.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    /// <summary>How many times the recipient was admitted (opens, plays, downloads).</summary>
    public int Uses { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public static string TargetOf(string id) => $"shares/{id}";

    /// <summary>The share as staff see it: the passcode's hash and the times of wrong passcodes are nobody's business.</summary>
    public ExternalShare Shown(DateTimeOffset now) => AsOf(now) with { Passcode = null, WrongPasscodes = [], Outbox = [] };

    public ExternalShare AsOf(DateTimeOffset now) =>
        Status == ShareStatus.Approved && ExpiresAt <= now ? this with { Status = ShareStatus.Expired } : this;

    /// <summary>Whether <paramref name="caller"/> may approve it now: a head who did not make it (whatever other roles either holds), while pending.</summary>
    public Outcome<ExternalShare> Approvable(Caller caller, DateTimeOffset now) => this switch
    {
        _ when CreatedBy == caller.UserId => Refusal.Forbidden("Not yours to approve.", "Nobody approves a share they made, whatever roles they hold.", "own share"),
        _ when !caller.HasRole(Roles.Head) => Refusal.Forbidden("Not yours to approve.", "External shares are approved by the head.", "needs Head"),
        { Status: ShareStatus.Pending } => this,
        _ => Refusal.Conflict($"The share is {AvCloudJson.Name(AsOf(now).Status)}, not pending.", $"share is {AvCloudJson.Name(AsOf(now).Status)}"),
    };

    /// <summary>Approved by <paramref name="caller"/>: it lasts its duration from now, and the passcode is the one made now.</summary>
    public Outcome<ExternalShare> Approve(Caller caller, PasscodeHash passcode, DateTimeOffset now) => Approvable(caller, now).Then(s => s with
    {
        Status = ShareStatus.Approved,
        Approval = new AccessDecision(caller.UserId, Roles.Head, now, null),
        ExpiresAt = now + Duration,
        Passcode = passcode,
    });

    /// <summary>Revoked, pending or while it lasts, by the head or the person who made it.</summary>
    public Outcome<ExternalShare> Revoke(Caller caller, string reason, DateTimeOffset now)
    {
        if (!caller.HasRole(Roles.Head) && CreatedBy != caller.UserId)
        {
            return Refusal.Forbidden("Not yours to revoke.", "A share is revoked by the head or by the person who made it.", "neither its maker nor the head");
        }

        var status = AsOf(now).Status;
        return status is ShareStatus.Pending or ShareStatus.Approved
            ? this with { Status = ShareStatus.Revoked, Revocation = new AccessDecision(caller.UserId, caller.HasRole(Roles.Head) ? Roles.Head : string.Join(',', caller.Roles.Order(StringComparer.Ordinal)), now, reason) }
            : Refusal.Conflict($"The share is {AvCloudJson.Name(status)}; only a pending or approved share is revoked.", $"share is {AvCloudJson.Name(status)}");
    }

    /// <summary>Whether the share refuses every passcode now, after too many wrong ones.</summary>
    public Outcome<ExternalShare> Unlocked(DateTimeOffset now) => LockedUntil > now
        ? new Refusal(StatusCodes.Status429TooManyRequests, "Locked.",
            string.Create(CultureInfo.InvariantCulture, $"Too many wrong passcodes: the share is locked until {LockedUntil:O}, whatever passcode is given."), "share locked")
        : this;

    /// <summary>Whether the share serves its recipient now: approved, unexpired, unrevoked.</summary>
    public Outcome<ExternalShare> Live(DateTimeOffset now) => AsOf(now).Status switch
    {
        ShareStatus.Approved => this,
        ShareStatus.Pending => Refusal.Conflict("The share has not been approved yet.", "share is pending"),
        var status => new Refusal(StatusCodes.Status410Gone, "The share has ended.", $"The share is {AvCloudJson.Name(status)}: it serves nothing any more.",
            $"share is {AvCloudJson.Name(status)}"),
    };

    /// <summary>
    /// A wrong passcode, counted: the <see cref="ShareOptions.MaxWrongPasscodes"/>th within
    /// <see cref="ShareOptions.WrongPasscodeWindow"/> locks the share for <see cref="ShareOptions.LockDuration"/>. Judged
    /// on the stored share under its ETag, so guesses sent at once are all counted.
    /// </summary>
    public Outcome<ExternalShare> WrongPasscode(DateTimeOffset now, ShareOptions options) => Unlocked(now).Then(_ =>
    {
        var recent = WrongPasscodes.Where(t => t > now - options.WrongPasscodeWindow).Append(now).ToList();
        return recent.Count >= options.MaxWrongPasscodes
            ? this with { WrongPasscodes = [], LockedUntil = now + options.LockDuration }
            : this with { WrongPasscodes = recent };
    });

    /// <summary>The recipient admitted with the right passcode: the share unlocked and live, judged on the stored share.</summary>
    public Outcome<ExternalShare> Admit(DateTimeOffset now) =>
        Unlocked(now).Then(s => s.Live(now)).Then(s => s with { Uses = s.Uses + 1, LastUsedAt = now });

    /// <summary>Whether this change locked the share.</summary>
    public bool LockedBy(ExternalShare before, DateTimeOffset now) => LockedUntil > now && before.LockedUntil != LockedUntil;

    /// <summary>Who the recipient is in the audit trail and its refusals: the share, in its unit, in no role of the app.</summary>
    public Caller RecipientCaller() => new($"share:{Id}", Recipient.Name, UnitId, new HashSet<string> { RecipientRole });

    /// <summary>What every audit event about the share says of it.</summary>
    public Dictionary<string, string> Details() => new()
    {
        ["share"] = Id,
        ["recipient"] = Recipient.Name,
        ["recipientKind"] = AvCloudJson.Name(Recipient.Kind),
        ["organisation"] = Recipient.Organisation,
        ["mode"] = AvCloudJson.Name(Mode),
    };
}

public sealed class ShareOptions
{
    public const string Section = "AvCloud:Shares";

    /// <summary>How long the link one play hands out lives (default 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan PlayLinkLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest a share may last.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromDays(90);

    /// <summary>The most recordings one share may hold.</summary>
    [Range(1, 1000)]
    public int MaxItems { get; init; } = 200;

    /// <summary>Wrong passcodes within <see cref="WrongPasscodeWindow"/> that lock the share.</summary>
    [Range(1, 100)]
    public int MaxWrongPasscodes { get; init; } = 5;

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan WrongPasscodeWindow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a locked share refuses every passcode, the right one too.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(15);
}
