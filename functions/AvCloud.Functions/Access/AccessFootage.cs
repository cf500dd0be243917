using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Retention;

namespace AvCloud.Functions.Access;

/// <summary>The footage an access request names, as access sees it.</summary>
public static class AccessFootage
{
    /// <summary>The recordings <paramref name="ids"/> of the unit, every one still stored; a 400 problem naming any that are not.</summary>
    public static async Task<IReadOnlyList<FootageRecord>> StoredForAccessAsync(this FootageStore footage, string unitId, IReadOnlyList<string> ids,
        CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var found = await footage.ByIdsAsync(unitId, distinct, cancellationToken);
        var missing = distinct.Where(i => !found.TryGetValue(i, out var record) || !record.IsStored).ToList();
        return missing.Count > 0
            ? throw ProblemException.Invalid("footageIds", $"No stored footage in your unit with these ids: {string.Join(", ", missing)}.")
            : [.. distinct.Select(i => found[i])];
    }

    /// <summary>
    /// What approved request <paramref name="id"/> gives <paramref name="caller"/> now (read links, a package): its state
    /// judged by <paramref name="allows"/> first, so nobody else learns anything about the footage from the refusal; its
    /// footage as stored, never what Art. 14 forbids in its mode; and <paramref name="allows"/> again with the approver the
    /// unit's rules require for the footage as it is classified now, so footage classified since approval needs a new one.
    /// Every refusal is audited under <paramref name="action"/>.
    /// </summary>
    public static async Task<(AccessRequest Request, IReadOnlyList<FootageRecord> Footage)> GrantedAsync(RequestStore requests, FootageStore footage,
        UnitStore units, Caller caller, string id, Func<AccessRequest, string, Outcome<AccessRequest>> allows, AuditAction action,
        CancellationToken cancellationToken)
    {
        var target = AccessRequest.TargetOf(id);
        var asked = await requests.ReadVisibleAsync(caller, id, cancellationToken) ?? throw RequestStore.NotVisible();
        allows(asked, asked.ApproverRole).OrRefuse(action, target);

        var stored = await footage.StoredForAccessAsync(caller.UnitId, asked.FootageIds, cancellationToken);
        var levels = stored.Select(f => f.Classification).ToList();
        if (AccessRules.NeverAllowed(levels, asked.Mode) is { } never)
        {
            throw never.Audited(action, target);
        }

        var settings = await units.SettingsAsync(caller.UnitId, cancellationToken);
        var required = AccessRules.RequiredApprover(settings.AccessApprovals, levels, asked.Mode, asked.RequesterRoles.ToHashSet());
        return (allows(asked, required).OrRefuse(action, target), stored);
    }
}
