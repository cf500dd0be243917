using AvCloud.Functions.Activities;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;

namespace AvCloud.Functions.Cases;

/// <summary>
/// Art. 16 on a whole case: a case hold holds every stored recording of the case's activities through the per-recording
/// machinery (<see cref="FootageHolds"/>: legal hold and verified, labelled second copy), under the case hold's own id;
/// a recording linked later to one of its activities while the hold stands is held when it is linked (at cataloguing, a
/// relink, or the activity joining the case). Releasing the case hold releases exactly the holds it placed.
/// </summary>
public sealed class CaseHolds(ActivityStore activities, FootageStore footage, FootageHolds holds, TimeProvider time)
{
    /// <summary>Every stored recording of <paramref name="activityIds"/> held under each of <paramref name="which"/> (holds of <paramref name="enforcementCase"/>); how many holds were placed now.</summary>
    public async Task<int> HoldRecordingsAsync(Caller actor, EnforcementCase enforcementCase, IReadOnlyList<CaseHold> which, IReadOnlyList<string> activityIds,
        CancellationToken cancellationToken)
    {
        var placed = 0;
        if (which.Count == 0 || activityIds.Count == 0)
        {
            return placed;
        }

        await foreach (var record in footage.FindStoredAsync(enforcementCase.UnitId, new FootageFilter(Activities: activityIds), cancellationToken))
        {
            foreach (var hold in which.Where(h => record.Holds.All(held => held.Id != h.Id)))
            {
                placed += (await holds.PlaceAsync(actor, record.Id, enforcementCase.OnRecording(hold, actor.UserId, time.GetUtcNow()), cancellationToken)).IsRefused ? 0 : 1;
            }
        }

        return placed;
    }

    /// <summary>
    /// At link time: <paramref name="record"/>, just linked to <paramref name="activityId"/> by <paramref name="actor"/>,
    /// held under every standing hold of the cases that group that activity. Returns the record as it stands after.
    /// </summary>
    public async Task<FootageRecord> HoldForActivityAsync(Caller actor, FootageRecord record, string activityId, CancellationToken cancellationToken)
    {
        foreach (var enforcementCase in await activities.HeldCasesOfAsync(record.UnitId, activityId, cancellationToken))
        {
            foreach (var hold in enforcementCase.Holds.Where(h => record.Holds.All(held => held.Id != h.Id)))
            {
                if ((await holds.PlaceAsync(actor, record.Id, enforcementCase.OnRecording(hold, actor.UserId, time.GetUtcNow()), cancellationToken)).Value is { } held)
                {
                    record = held;
                }
            }
        }

        return record;
    }

    /// <summary>The holds case <paramref name="caseId"/>'s hold <paramref name="holdId"/> placed, released by <paramref name="actor"/>; how many.</summary>
    public async Task<int> ReleaseRecordingsAsync(Caller actor, string caseId, string holdId, string reason, CancellationToken cancellationToken)
    {
        var released = 0;
        foreach (var id in await footage.HeldUnderAsync(actor.UnitId, holdId, cancellationToken))
        {
            released += (await holds.ReleaseAsync(actor, id, holdId, reason, cancellationToken, byCase: caseId)).IsRefused ? 0 : 1;
        }

        return released;
    }
}
