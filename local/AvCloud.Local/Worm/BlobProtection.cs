namespace AvCloud.Local.Worm;

public enum PolicyMode
{
    Unlocked,
    Locked,
}

/// <summary>
/// The immutability state of one blob, as Azure keeps it for a blob version: a time-based retention policy
/// (until a date, Unlocked or Locked) and a legal hold, each independent of the other.
/// </summary>
public sealed record BlobProtection(DateTimeOffset? PolicyUntil, PolicyMode? Mode, bool LegalHold)
{
    public static BlobProtection None { get; } = new(null, null, false);

    public bool IsEmpty => PolicyUntil is null && !LegalHold;

    /// <summary>Whether the policy still protects the blob at <paramref name="now"/>.</summary>
    public bool PolicyActive(DateTimeOffset now) => PolicyUntil is { } until && until > now;

    /// <summary>Why a write to the blob's data or metadata is refused at <paramref name="now"/>, or null if it is allowed.</summary>
    public StorageError? BlocksWrites(DateTimeOffset now) =>
        LegalHold ? StorageError.ImmutableDueToLegalHold
        : PolicyActive(now) ? StorageError.ImmutableDueToPolicy
        : null;

    /// <summary>
    /// Whether a new policy may replace this one. A Locked policy that has not expired can only be extended, and stays
    /// Locked; an Unlocked one can be changed freely. A date that is not in the future is never accepted.
    /// </summary>
    public StorageError? RefusesPolicy(DateTimeOffset until, PolicyMode mode, DateTimeOffset now)
    {
        if (until <= now)
        {
            return StorageError.PolicyInThePast;
        }

        if (Mode == PolicyMode.Locked && PolicyActive(now))
        {
            if (mode != PolicyMode.Locked)
            {
                return StorageError.LockedPolicyCannotBeUnlocked;
            }

            if (until < PolicyUntil)
            {
                return StorageError.LockedPolicyCannotBeShortened;
            }
        }

        return null;
    }

    /// <summary>Whether the policy may be deleted: only an Unlocked one (or one that has expired).</summary>
    public StorageError? RefusesPolicyDeletion(DateTimeOffset now) =>
        Mode == PolicyMode.Locked && PolicyActive(now) ? StorageError.LockedPolicyCannotBeDeleted : null;
}
