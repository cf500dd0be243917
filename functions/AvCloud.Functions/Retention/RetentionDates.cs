using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;

namespace AvCloud.Functions.Retention;

/// <summary>A record's retention date before and after it was worked out again.</summary>
public sealed record RetentionChange(FootageRecord Before, FootageRecord After, DateTimeOffset RuleDate, bool HeldByLockedPolicy);

/// <summary>
/// Works a record's retention date out again from the unit's current rules, when its categories change (and, once
/// activities exist, when it is linked to one) or when the sweep finds the unit's periods have grown. The date is the
/// latest of: the rule (corrected recording start + the longest period of its categories), a keeper's explicit
/// extension, and, while the blob's policy is Locked, the policy's own date, which can only move later. Storage moves
/// first, then the record, so a record never promises less protection than the blob has.
/// </summary>
public sealed class RetentionDates(Database database, BlobServiceClient blobs, TimeProvider time, IOptions<RetentionOptions> options)
{
    private Container Footage => database.GetContainer(CosmosContainers.Footage);

    /// <summary>
    /// The date the rules alone give <paramref name="record"/> under <paramref name="settings"/>: the longest period among
    /// its <paramref name="categories"/> and the kind of its activity, if it is linked to one.
    /// </summary>
    public static DateTimeOffset RuleDate(FootageRecord record, UnitSettings settings, IReadOnlyList<string> categories) =>
        RetentionRule.RetainUntil(record.CorrectedStart,
            settings.MonthsFor(record.ActivityKind is { } kind ? categories.Append(AvCloudJson.Name(kind)) : categories));

    /// <summary>
    /// Gives the record the categories <paramref name="categories"/> picks under the unit's settings (null: keeps its own;
    /// it may throw a problem to refuse them) and the retention date that follows. Null when the record does not exist
    /// in the unit; a 409 problem when it is purged or quarantined.
    /// </summary>
    public async Task<RetentionChange?> ApplyAsync(string unitId, string id, Func<UnitSettings, IReadOnlyList<string>>? categories,
        CancellationToken cancellationToken)
    {
        if (await Documents.ReadAsync<FootageRecord>(Footage, id, unitId, cancellationToken) is not { Document: var before })
        {
            return null;
        }

        if (before.Status is FootageStatus.Purged or FootageStatus.Quarantined)
        {
            throw new ProblemException(StatusCodes.Status409Conflict, "Not possible now.", $"The footage is {before.Status.ToString().ToLowerInvariant()}; it has no retention date to change.");
        }

        var settings = await UnitSettings.ReadAsync(database, unitId, options.Value, cancellationToken);
        var applicable = categories?.Invoke(settings) ?? before.Categories;
        var ruleDate = RuleDate(before, settings, applicable);
        var blob = blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(before.BlobName);
        var policy = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ImmutabilityPolicy;
        var now = time.GetUtcNow();
        var locked = policy?.PolicyMode == BlobImmutabilityPolicyMode.Locked && policy.ExpiresOn > now;
        var until = Latest(ruleDate, before.RetentionExtendedUntil, locked ? policy!.ExpiresOn : null);

        if (until > now)
        {
            if (policy?.ExpiresOn is not { } expires || expires != Truncate(until))
            {
                await blob.SetImmutabilityPolicyAsync(new BlobImmutabilityPolicy
                {
                    ExpiresOn = until,
                    PolicyMode = locked || settings.PolicyMode == PolicyMode.Locked ? BlobImmutabilityPolicyMode.Locked : BlobImmutabilityPolicyMode.Unlocked,
                }, cancellationToken: cancellationToken);
            }
        }
        else if (policy?.ExpiresOn > now)
        {
            // An Unlocked (trial) policy that the rules no longer call for: lifted, so disposal review can take its course.
            await blob.DeleteImmutabilityPolicyAsync(cancellationToken);
        }

        var after = await FootageChanges.ChangeAsync(Footage, id, unitId, r => r.Status is FootageStatus.Purged or FootageStatus.Quarantined ? null : r with
        {
            Categories = applicable,
            RetentionUntil = until,
            // Footage kept longer leaves disposal review; footage whose date has now passed waits for the next sweep.
            Status = until > now && r.Status is FootageStatus.DisposalPending or FootageStatus.DisposalApproved ? FootageStatus.Available : r.Status,
            Disposal = until > now ? null : r.Disposal,
        }, cancellationToken);
        return after is null ? null : new RetentionChange(before, after, ruleDate, locked && policy!.ExpiresOn > ruleDate);
    }

    private static DateTimeOffset Latest(DateTimeOffset rule, params DateTimeOffset?[] others) =>
        others.Aggregate(rule, (latest, other) => other > latest ? other.Value : latest);

    // Storage keeps policy dates to the second.
    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
