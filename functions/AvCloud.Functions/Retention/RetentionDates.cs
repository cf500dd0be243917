using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AvCloud.Functions.Retention;

/// <summary>A record's retention date before and after it was worked out again.</summary>
public sealed record RetentionChange(FootageRecord Before, FootageRecord After, bool HeldByLockedPolicy);

/// <summary>
/// Works a record's retention date out again from the unit's current rules, when its categories change, when it is
/// linked to an activity, or when the sweep finds the unit's periods have grown. The date is the
/// latest of: the rule (corrected recording start + the longest period of its categories), a keeper's explicit
/// extension, and, while the blob's policy is Locked, the policy's own date, which can only move later. Storage moves
/// first, then the record, so a record never promises less protection than the blob has.
/// </summary>
public sealed class RetentionDates(FootageStore footage, UnitStore units, BlobServiceClient blobs, SecondCopies secondCopies, TimeProvider time)
{
    /// <summary>
    /// The date the rules alone give <paramref name="record"/> under <paramref name="settings"/>: the longest period among
    /// its <paramref name="categories"/> and the kind of its activity, if it is linked to one.
    /// </summary>
    public static DateTimeOffset RuleDate(FootageRecord record, UnitSettings settings, IReadOnlyList<string> categories) =>
        RuleDate(record.CorrectedStart, record.CataloguedAt, record.ActivityKind, settings, categories);

    /// <summary>
    /// Art. 15: the corrected recording start plus the longest period among <paramref name="categories"/> and the
    /// activity's kind; and never less than the unit's own minimum from <paramref name="cataloguedAt"/>, AvCloud's time,
    /// so no claimed date, however far back, makes retention shorter than the unit keeps anything.
    /// </summary>
    public static DateTimeOffset RuleDate(DateTimeOffset correctedStart, DateTimeOffset cataloguedAt, Activities.ActivityKind? kind, UnitSettings settings,
        IReadOnlyList<string> categories)
    {
        var byRecording = RetentionRule.RetainUntil(correctedStart, settings.MonthsFor(kind is { } k ? categories.Append(AvCloudJson.Name(k)) : categories));
        var byReceipt = RetentionRule.RetainUntil(cataloguedAt, settings.MonthsFor([]));
        return byRecording > byReceipt ? byRecording : byReceipt;
    }

    /// <summary>
    /// Gives the record the categories <paramref name="categories"/> picks under the unit's settings (null: keeps its own;
    /// it may throw a problem to refuse them) and the retention date that follows. Refused when the record is not in the
    /// unit, or no longer stored (<see cref="FootageRecord.Retain"/>). The change carries the audit event
    /// <paramref name="audited"/> makes of it.
    /// </summary>
    public async Task<Outcome<RetentionChange>> ApplyAsync(string unitId, string id, Func<UnitSettings, IReadOnlyList<string>>? categories,
        Func<RetentionChange, AuditEntry> audited, CancellationToken cancellationToken)
    {
        if (await footage.ReadAsync(unitId, id, cancellationToken) is not { } before)
        {
            return FootageStore.NoSuchFootage;
        }

        var now = time.GetUtcNow();
        if (before.Retain(before.Categories, before.RetentionUntil, now).Refusal is { } refused)
        {
            return refused;
        }

        var settings = await units.SettingsAsync(unitId, cancellationToken);
        var applicable = categories?.Invoke(settings) ?? before.Categories;
        var ruleDate = RuleDate(before, settings, applicable);
        var blob = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(before.BlobName);
        var policy = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ImmutabilityPolicy;
        var locked = policy?.PolicyMode == BlobImmutabilityPolicyMode.Locked && policy.ExpiresOn > now;
        var until = Latest(ruleDate, before.RetentionExtendedUntil, locked ? policy!.ExpiresOn : null);

        if (until > now)
        {
            if (policy?.ExpiresOn is not { } expires || expires != Truncate(until))
            {
                await blob.SetImmutabilityPolicyAsync(Immutability.Until(until, settings.PolicyMode, stayLocked: locked), cancellationToken: cancellationToken);
            }
        }
        else if (policy?.ExpiresOn > now)
        {
            // An Unlocked (trial) policy that the rules no longer call for: lifted, so disposal review can take its course.
            await blob.DeleteImmutabilityPolicyAsync(cancellationToken);
        }

        var heldByLockedPolicy = locked && policy!.ExpiresOn > ruleDate;
        var after = await footage.ChangeAsync(unitId, id, r => r.Retain(applicable, until, now),
            (current, next) => audited(new RetentionChange(current, next, heldByLockedPolicy)), cancellationToken);
        if (after.Refusal is { } lost)
        {
            return lost;
        }

        // Art. 16: the second copy keeps the footage's date, later or (under an Unlocked policy) earlier.
        await secondCopies.FollowRetentionAsync(after.Value!, cancellationToken);

        return new RetentionChange(before, after.Value!, heldByLockedPolicy);
    }

    private static DateTimeOffset Latest(DateTimeOffset rule, params DateTimeOffset?[] others) =>
        others.Aggregate(rule, (latest, other) => other > latest ? other.Value : latest);

    // Storage keeps policy dates to the second.
    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
