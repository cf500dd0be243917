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
    /// <summary>Every stored recording of <paramref name="activityIds"/> held under each of <paramref name="which"/> (holds of <paramref name="enforcementCase"/>).</summary>
    public async Task HoldRecordingsAsync(Caller actor, EnforcementCase enforcementCase, IReadOnlyList<CaseHold> which, IReadOnlyList<string> activityIds,
        CancellationToken cancellationToken)
    {
        if (which.Count == 0 || activityIds.Count == 0)
        {
            return;
        }

        await foreach (var record in footage.FindStoredAsync(enforcementCase.UnitId, new FootageFilter(Activities: activityIds), cancellationToken))
        {
            foreach (var hold in which.Where(h => record.Holds.All(held => held.Id != h.Id)))
            {
                await PlaceAsync(actor, record.Id, enforcementCase, hold, cancellationToken);
            }
        }
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
                record = await PlaceAsync(actor, record.Id, enforcementCase, hold, cancellationToken) ?? record;
            }
        }

        return record;
    }

    /// <summary>
    /// <paramref name="hold"/> of <paramref name="enforcementCase"/> placed on recording <paramref name="id"/>; null when refused.
    /// The case is read again after: a release that ran meanwhile may have missed this recording (it looks for the
    /// recordings that carry the hold after the case lets go, this looks at the case after the recording carries it, so
    /// one of the two sees the other), and the hold goes again rather than stay with no case hold to release it.
    /// </summary>
    private async Task<FootageRecord?> PlaceAsync(Caller actor, string id, EnforcementCase enforcementCase, CaseHold hold, CancellationToken cancellationToken)
    {
        if ((await holds.PlaceAsync(actor, id, enforcementCase.OnRecording(hold, actor.UserId, time.GetUtcNow()), cancellationToken)).Value is not { } held)
        {
            return null;
        }

        if ((await activities.ReadCaseAsync(enforcementCase.UnitId, enforcementCase.Id, cancellationToken))?.Holds.Any(h => h.Id == hold.Id) is true)
        {
            return held;
        }

        return (await holds.ReleaseAsync(actor, id, hold.Id, "The case hold was released while this recording was being held under it.", cancellationToken,
            byCase: enforcementCase.Id)).Value ?? held;
    }

    /// <summary>The holds case <paramref name="caseId"/>'s hold <paramref name="holdId"/> placed, released by <paramref name="actor"/> with <paramref name="reason"/>.</summary>
    public async Task ReleaseRecordingsAsync(Caller actor, string caseId, string holdId, string reason, CancellationToken cancellationToken)
    {
        foreach (var id in await footage.HeldUnderAsync(actor.UnitId, holdId, cancellationToken))
        {
            await holds.ReleaseAsync(actor, id, holdId, reason, cancellationToken, byCase: caseId);
        }
    }
}
