using System.ComponentModel.DataAnnotations;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Retention;

/// <summary>A unit's rules as data, in the <c>units</c> container (id <c>settings</c>). A unit without one has the defaults.</summary>
public sealed record UnitSettings : Audit.IAudited<UnitSettings>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public UnitSettings WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

    public const string DocumentId = "settings";

    public string Id { get; init; } = DocumentId;

    public required string UnitId { get; init; }

    public const string DocumentType = "unitSettings";

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required string Name { get; init; }

    /// <summary>IANA time zone of the unit (reports and deadlines are shown in it).</summary>
    public required string TimeZone { get; init; }

    /// <summary>Art. 15: months of retention by category; "default" applies to everything, the longest applicable wins.</summary>
    public required IReadOnlyDictionary<string, int> RetentionMonths { get; init; }

    public required int RecoveryWindowDays { get; init; }

    /// <summary>Art. 7: the largest device clock drift corrected at docking; a larger one is refused as a fault to fix.</summary>
    public int MaxClockDriftHours { get; init; } = DefaultMaxClockDriftHours;

    public const int DefaultMaxClockDriftHours = 4;

    /// <summary>
    /// Arts. 5 and 8: how far (minutes) a recording's trusted time may lie outside an activity's span and still be linked
    /// to it by the rule: officers start recording on the way in and stop on the way out.
    /// </summary>
    public int LinkMarginMinutes { get; init; } = DefaultLinkMarginMinutes;

    public const int DefaultLinkMarginMinutes = 15;

    public required PolicyMode PolicyMode { get; init; }

    /// <summary>
    /// Art. 6: the kinds of activity that must be recorded (the reports flag those without recordings or an approved
    /// work record). A unit's list may add kinds to <see cref="RequiredByArticle6"/>, never drop one.
    /// </summary>
    public IReadOnlyList<Activities.ActivityKind> RecordingRequiredFor { get; init; } = RequiredByArticle6;

    /// <summary>On-site enforcement, investigation, hearings, service by leaving and by notice: Art. 6 names them for every unit.</summary>
    public static IReadOnlyList<Activities.ActivityKind> RequiredByArticle6 { get; } =
    [
        Activities.ActivityKind.OnSiteEnforcement, Activities.ActivityKind.Investigation, Activities.ActivityKind.Hearing,
        Activities.ActivityKind.ServiceByLeaving, Activities.ActivityKind.ServiceByNotice,
    ];

    /// <summary>Who approves access requests, by classification, mode and requester role (the strictest match wins).</summary>
    public IReadOnlyList<ApprovalRule> AccessApprovals { get; init; } = AccessRules.Defaults;

    /// <summary>Arts. 3, 7, 9, 12 and 17: the figures the compliance report checks the unit against.</summary>
    public UnitObligations Obligations { get; init; } = new();

    public string? UpdatedBy { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public const string DefaultCategory = "default";

    /// <summary>The retention for footage in <paramref name="categories"/> (the default always applies): the longest.</summary>
    public int MonthsFor(IEnumerable<string> categories) =>
        categories.Append(DefaultCategory).Select(c => RetentionMonths.TryGetValue(c, out var months) ? months : 0).Max();

    public static UnitSettings Defaults(string unitId, RetentionOptions options) => new()
    {
        UnitId = unitId,
        Name = unitId,
        TimeZone = "Asia/Shanghai",
        RetentionMonths = new Dictionary<string, int> { [DefaultCategory] = options.DefaultMonths },
        RecoveryWindowDays = (int)Math.Ceiling(options.RecoveryWindow.TotalDays),
        PolicyMode = options.PolicyMode,
    };

    /// <summary>
    /// These settings with <paramref name="change"/> made by <paramref name="by"/>: refused, by field, when the result is not
    /// valid or would weaken what a Locked policy guarantees (<see cref="Problems"/>).
    /// </summary>
    public Outcome<UnitSettings> Change(UnitSettingsChange change, string by, DateTimeOffset at)
    {
        var changed = this with
        {
            Name = change.Name!,
            TimeZone = change.TimeZone!,
            RetentionMonths = change.RetentionMonths!,
            RecoveryWindowDays = change.RecoveryWindowDays ?? RecoveryWindowDays,
            MaxClockDriftHours = change.MaxClockDriftHours ?? MaxClockDriftHours,
            LinkMarginMinutes = change.LinkMarginMinutes ?? LinkMarginMinutes,
            PolicyMode = change.PolicyMode ?? PolicyMode,
            AccessApprovals = change.AccessApprovals ?? AccessApprovals,
            RecordingRequiredFor = change.RecordingRequiredFor ?? RecordingRequiredFor,
            Obligations = change.Obligations ?? Obligations,
            UpdatedBy = by,
            UpdatedAt = at,
        };
        return Problems(this, changed) is { Count: > 0 } problems
            ? Refusal.Invalid(problems) with { Title = "The settings are not valid." }
            : changed;
    }

    /// <summary>
    /// Why <paramref name="proposed"/> may not replace <paramref name="current"/>, by field. Under a Locked policy mode a
    /// period can only grow, and the mode cannot go back to Unlocked: what Locked policies guarantee is never shortened.
    /// </summary>
    public static Dictionary<string, string[]> Problems(UnitSettings current, UnitSettings proposed)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(proposed.Name) || proposed.Name.Length > 200)
        {
            errors["name"] = ["The unit's name is required (up to 200 characters)."];
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(proposed.TimeZone ?? "", out _))
        {
            errors["timeZone"] = ["The time zone must be an IANA name such as Asia/Shanghai."];
        }

        if (proposed.RetentionMonths is null || !proposed.RetentionMonths.TryGetValue(DefaultCategory, out _))
        {
            errors["retentionMonths"] = ["A \"default\" retention period is required."];
        }
        else if (proposed.RetentionMonths.Any(p => p.Value is < 1 or > 1200 || string.IsNullOrWhiteSpace(p.Key) || p.Key.Length > 64))
        {
            errors["retentionMonths"] = ["Each period is 1 to 1200 months, under a category name of up to 64 characters."];
        }

        if (proposed.MaxClockDriftHours is < 1 or > 168)
        {
            errors["maxClockDriftHours"] = ["The largest clock drift corrected at docking is 1 to 168 hours."];
        }

        if (proposed.LinkMarginMinutes is < 0 or > 240)
        {
            errors["linkMarginMinutes"] = ["The margin for linking recordings to activities is 0 to 240 minutes."];
        }

        if (proposed.RecoveryWindowDays is < 0 or > 365)
        {
            errors["recoveryWindowDays"] = ["The recovery window is 0 to 365 days."];
        }

        if (RequiredByArticle6.Except(proposed.RecordingRequiredFor ?? []).ToList() is { Count: > 0 } dropped)
        {
            errors["recordingRequiredFor"] = [$"Art. 6 requires recording of these for every unit; the list may add kinds, not drop: {string.Join(", ", dropped.Select(AvCloudJson.Name))}."];
        }

        if (AccessRules.Problems(proposed.AccessApprovals) is { Count: > 0 } ruleProblems)
        {
            errors["accessApprovals"] = [.. ruleProblems];
        }

        foreach (var (field, problems) in UnitObligations.Problems(proposed.Obligations))
        {
            errors[field] = problems;
        }

        if (current.PolicyMode == PolicyMode.Locked && errors.Count == 0)
        {
            if (proposed.PolicyMode != PolicyMode.Locked)
            {
                errors["policyMode"] = ["A unit in Locked mode stays Locked: its policies can no longer be shortened or removed."];
            }

            var shorter = current.RetentionMonths.Where(p => !proposed.RetentionMonths!.TryGetValue(p.Key, out var months) || months < p.Value).Select(p => p.Key).ToList();
            if (shorter.Count > 0)
            {
                errors["retentionMonths"] = [$"Under Locked mode periods can only grow; shorter or removed: {string.Join(", ", shorter)}."];
            }
        }

        return errors;
    }
}

/// <summary>
/// <c>GET /api/units/{id}/settings</c> (the unit's keeper, supervisors and head) and <c>PUT</c> (the head): the unit's
/// rules as data. Another unit's settings are "not found". Changes are validated (<see cref="UnitSettings.Change"/>)
/// and audited, refusals too.
/// </summary>
public sealed class ManageUnitSettings(UnitStore units, TimeProvider time)
{
    [Function("GetUnitSettings")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(UnitSettings))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/units/{id}/settings")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        return id != caller.UnitId
            ? NotFound()
            : TypedResults.Ok(await units.SettingsAsync(caller.UnitId, cancellationToken));
    }

    [Function("PutUnitSettings")]
    [RequiresRole(Roles.Head)]
    [Accepts(typeof(UnitSettingsChange))]
    [Answers(StatusCodes.Status200OK, typeof(UnitSettings))]
    public async Task<IResult> Put(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/units/{id}/settings")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        if (id != caller.UnitId)
        {
            return NotFound();
        }

        var proposed = await RequestBody.ReadJsonAsync<UnitSettingsChange>(request, 16 * 1024, cancellationToken);
        // Checked against the settings as they are when written (under their ETag): two heads changing them at once
        // cannot, between them, shorten what a Locked policy guarantees.
        var now = time.GetUtcNow();
        var next = (await units.ChangeSettingsAsync(caller.UnitId, current => current.Change(proposed, caller.UserId, now),
            changed => AuditEntry.By(caller, AuditAction.UnitSettingsChanged, $"units/{id}", AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["retentionMonths"] = string.Join(", ", changed.RetentionMonths.Select(p => $"{p.Key}={p.Value}")),
                ["policyMode"] = changed.PolicyMode.ToString(),
                ["recoveryWindowDays"] = changed.RecoveryWindowDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["maxClockDriftHours"] = changed.MaxClockDriftHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["linkMarginMinutes"] = changed.LinkMarginMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["accessApprovals"] = string.Join("; ", changed.AccessApprovals.Select(r => $"{r.Classification}/{r.Mode}/{r.RequesterRole}->{r.Approver}")),
                ["recordingRequiredFor"] = string.Join(", ", changed.RecordingRequiredFor.Select(AvCloudJson.Name)),
                ["obligations"] = changed.Obligations.Summary(),
            }),
            cancellationToken)).OrRefuse(AuditAction.UnitSettingsChanged, $"units/{id}");
        return TypedResults.Ok(next);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound() =>
        Problems.NotFound("No such unit among yours.");
}

public sealed record UnitSettingsChange([Required] string? Name, [Required] string? TimeZone, [Required] Dictionary<string, int>? RetentionMonths, int? RecoveryWindowDays,
    PolicyMode? PolicyMode,
    IReadOnlyList<ApprovalRule>? AccessApprovals = null, IReadOnlyList<Activities.ActivityKind>? RecordingRequiredFor = null, int? MaxClockDriftHours = null,
    UnitObligations? Obligations = null, int? LinkMarginMinutes = null);
