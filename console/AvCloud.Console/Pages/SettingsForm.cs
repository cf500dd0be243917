using System.Globalization;
using AvCloud.Console.Client.Models;

namespace AvCloud.Console.Pages;

/// <summary>
/// The unit's settings as the head edits them: plain values for the form's fields, read from the API's settings and
/// turned back into its change. It checks nothing: the API says what it refuses.
/// </summary>
public sealed class SettingsForm
{
    public sealed class Period
    {
        public string Category { get; set; } = "";

        public int Months { get; set; }
    }

    public sealed class Rule
    {
        public string Classification { get; set; } = "*";

        public string Mode { get; set; } = "*";

        public string RequesterRole { get; set; } = "*";

        public string Approver { get; set; } = Roles.Keeper;
    }

    /// <summary>The kinds of activity the API knows, in its names.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["onSiteEnforcement", "investigation", "hearing", "serviceByLeaving", "serviceByNotice", "other"];

    public string Name { get; set; } = "";

    public string TimeZone { get; set; } = "";

    public List<Period> Retention { get; } = [];

    public int RecoveryWindowDays { get; set; }

    public int MaxClockDriftHours { get; set; }

    public int LinkMarginMinutes { get; set; }

    public string PolicyMode { get; set; } = "Unlocked";

    public HashSet<string> RecordingRequiredFor { get; } = new(StringComparer.Ordinal);

    public List<Rule> AccessApprovals { get; } = [];

    public double DevicesPerOfficer { get; set; }

    /// <summary>The approved device models, one per line.</summary>
    public string ApprovedModels { get; set; } = "";

    public int MinBatteryPercent { get; set; }

    public int MinStorageFreeMb { get; set; }

    public string NoticeWording { get; set; } = "";

    public int WorkRecordDueHours { get; set; }

    public int ReviewDueMonth { get; set; }

    public static SettingsForm Of(UnitSettings settings)
    {
        var form = new SettingsForm
        {
            Name = settings.Name ?? "",
            TimeZone = settings.TimeZone ?? "",
            RecoveryWindowDays = settings.RecoveryWindowDays ?? 0,
            MaxClockDriftHours = settings.MaxClockDriftHours ?? 0,
            LinkMarginMinutes = settings.LinkMarginMinutes ?? 0,
            PolicyMode = settings.PolicyMode?.ToString() ?? "Unlocked",
            DevicesPerOfficer = settings.Obligations?.DevicesPerOfficer ?? 0,
            ApprovedModels = string.Join('\n', settings.Obligations?.ApprovedModels ?? []),
            MinBatteryPercent = settings.Obligations?.MinBatteryPercent ?? 0,
            MinStorageFreeMb = settings.Obligations?.MinStorageFreeMb ?? 0,
            NoticeWording = settings.Obligations?.NoticeWording ?? "",
            WorkRecordDueHours = settings.Obligations?.WorkRecordDueHours ?? 0,
            ReviewDueMonth = settings.Obligations?.ReviewDueMonth ?? 0,
        };
        foreach (var (category, months) in settings.RetentionMonths?.AdditionalData ?? new Dictionary<string, object>())
        {
            form.Retention.Add(new Period { Category = category, Months = Convert.ToInt32(months, CultureInfo.InvariantCulture) });
        }

        foreach (var kind in (settings.RecordingRequiredFor ?? []).OfType<ActivityKind>())
        {
            form.RecordingRequiredFor.Add(Camel(kind.ToString()));
        }

        foreach (var rule in settings.AccessApprovals ?? [])
        {
            form.AccessApprovals.Add(new Rule { Classification = rule.Classification ?? "", Mode = rule.Mode ?? "", RequesterRole = rule.RequesterRole ?? "", Approver = rule.Approver ?? "" });
        }

        return form;
    }

    /// <summary>The change the API is sent: every field as the form has it.</summary>
    public UnitSettingsChange Change() => new()
    {
        Name = Name,
        TimeZone = TimeZone,
        RetentionMonths = new UnitSettingsChange_retentionMonths { AdditionalData = Retention.ToDictionary(p => p.Category.Trim(), p => (object)p.Months) },
        RecoveryWindowDays = RecoveryWindowDays,
        MaxClockDriftHours = MaxClockDriftHours,
        LinkMarginMinutes = LinkMarginMinutes,
        PolicyMode = Enum.Parse<PolicyMode>(PolicyMode),
        RecordingRequiredFor = [.. Kinds.Where(RecordingRequiredFor.Contains).Select(k => (ActivityKind?)Enum.Parse<ActivityKind>(k, ignoreCase: true))],
        AccessApprovals = [.. AccessApprovals.Select(r => new ApprovalRule { Classification = r.Classification, Mode = r.Mode, RequesterRole = r.RequesterRole, Approver = r.Approver })],
        Obligations = new UnitObligations
        {
            DevicesPerOfficer = DevicesPerOfficer,
            ApprovedModels = [.. ApprovedModels.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            MinBatteryPercent = MinBatteryPercent,
            MinStorageFreeMb = MinStorageFreeMb,
            NoticeWording = NoticeWording,
            WorkRecordDueHours = WorkRecordDueHours,
            ReviewDueMonth = ReviewDueMonth,
        },
    };

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
