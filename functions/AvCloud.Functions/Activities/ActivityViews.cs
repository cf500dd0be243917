using AvCloud.Functions.Access;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Retention;

namespace AvCloud.Functions.Activities;

/// <summary>Arts. 6, 8 and 12: activities as people read them, with their recordings, coverage and work records.</summary>
public sealed class ActivityViews(ActivityStore activities, FootageStore footage)
{
    /// <summary>
    /// The views of <paramref name="of"/> (activities of one unit), with two queries whatever their number: their
    /// recordings and their work records, each fetched for all of them at once. Recordings <paramref name="clearance"/>
    /// does not see are counted, never shown (Art. 14).
    /// </summary>
    public async Task<IReadOnlyList<ActivityView>> ViewsAsync(string unitId, IReadOnlyList<Activity> of, UnitSettings settings, Clearance clearance,
        CancellationToken cancellationToken)
    {
        if (of.Count == 0)
        {
            return [];
        }

        var ids = of.Select(a => a.Id).ToList();
        var recordings = new List<FootageRecord>();
        await foreach (var record in footage.FindAsync(unitId, new FootageFilter(Activities: ids), cancellationToken))
        {
            recordings.Add(record);
        }

        var byActivity = recordings.ToLookup(r => r.ActivityId!, StringComparer.Ordinal);
        var workRecords = await activities.WorkRecordsOfAsync(unitId, ids, cancellationToken);
        return [.. of.Select(activity => ActivityView.Of(activity, settings, byActivity[activity.Id], workRecords[activity.Id], clearance))];
    }
}
