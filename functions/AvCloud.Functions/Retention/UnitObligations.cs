namespace AvCloud.Functions.Retention;

/// <summary>
/// The unit's figures for the regulation's obligations that the compliance report checks against (Arts. 3, 7, 9, 12,
/// 17), part of its settings. A unit that never set them has these defaults.
/// </summary>
public sealed record UnitObligations
{
    /// <summary>Art. 3: recording devices (not retired) per active officer the unit aims for, as the provincial rules set it.</summary>
    public double DevicesPerOfficer { get; init; } = 1;

    /// <summary>Art. 3: the device models that meet the technical requirements; empty means the unit keeps no list (nothing is flagged).</summary>
    public IReadOnlyList<string> ApprovedModels { get; init; } = [];

    /// <summary>Art. 7: "电池电量充足": the least battery charge a device is checked out with.</summary>
    public int MinBatteryPercent { get; init; } = 80;

    /// <summary>Art. 7: "有足够存储空间": the least free storage, in MB, a device is checked out with.</summary>
    public int MinStorageFreeMb { get; init; } = 4096;

    /// <summary>Art. 9: the standard words officers use to tell the party they are being recorded.</summary>
    public string NoticeWording { get; init; } = DefaultNoticeWording;

    public const string DefaultNoticeWording = "您好，我们是执法人员，现依法开展执法工作，为保障您的合法权益，执法过程将全程音像记录。";

    /// <summary>Art. 12: "及时": hours after an activity's end within which its work record is filed.</summary>
    public int WorkRecordDueHours { get; init; } = 24;

    /// <summary>Art. 17: each year's review of recordings is completed by the end of this month (1 to 12) of that year.</summary>
    public int ReviewDueMonth { get; init; } = 12;

    /// <summary>Why these figures cannot be the unit's, by field (named under <c>obligations.</c>).</summary>
    public static Dictionary<string, string[]> Problems(UnitObligations? proposed)
    {
        var errors = new Dictionary<string, string[]>();
        if (proposed is null)
        {
            errors["obligations"] = ["The obligations are required."];
            return errors;
        }

        if (proposed.DevicesPerOfficer is < 0.1 or > 20 || double.IsNaN(proposed.DevicesPerOfficer))
        {
            errors["obligations.devicesPerOfficer"] = ["Devices per officer is 0.1 to 20."];
        }

        if (proposed.ApprovedModels is null || proposed.ApprovedModels.Count > 200 || proposed.ApprovedModels.Any(m => string.IsNullOrWhiteSpace(m) || m.Length > 500))
        {
            errors["obligations.approvedModels"] = ["Up to 200 models, each up to 500 characters."];
        }

        if (proposed.MinBatteryPercent is < 1 or > 100)
        {
            errors["obligations.minBatteryPercent"] = ["The least battery charge is 1 to 100 percent."];
        }

        if (proposed.MinStorageFreeMb is < 1 or > 10_000_000)
        {
            errors["obligations.minStorageFreeMb"] = ["The least free storage is 1 to 10000000 MB."];
        }

        if (string.IsNullOrWhiteSpace(proposed.NoticeWording) || proposed.NoticeWording.Length > 2000)
        {
            errors["obligations.noticeWording"] = ["The standard wording is required (up to 2000 characters)."];
        }

        if (proposed.WorkRecordDueHours is < 1 or > 720)
        {
            errors["obligations.workRecordDueHours"] = ["A work record is due 1 to 720 hours after the activity."];
        }

        if (proposed.ReviewDueMonth is < 1 or > 12)
        {
            errors["obligations.reviewDueMonth"] = ["The review is due by a month from 1 to 12."];
        }

        return errors;
    }

    /// <summary>As the audit event of a settings change keeps them.</summary>
    public string Summary() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"devicesPerOfficer={DevicesPerOfficer}; approvedModels={string.Join("|", ApprovedModels)}; minBatteryPercent={MinBatteryPercent}; minStorageFreeMb={MinStorageFreeMb}; workRecordDueHours={WorkRecordDueHours}; reviewDueMonth={ReviewDueMonth}; noticeWording={NoticeWording}");
}
