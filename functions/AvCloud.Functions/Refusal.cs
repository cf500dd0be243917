using AvCloud.Functions.Audit;
using AvCloud.Functions.Http;

namespace AvCloud.Functions;

/// <summary>
/// Why a record will not make a state change: the answer the caller gets (status, title, detail, and for a bad field
/// its name) and the reason the audit trail keeps. Transitions on the record types return one instead of the new state;
/// the HTTP path turns it into an audited denial and an RFC 9457 problem (<see cref="RefusedException"/>), and timers
/// skip what is refused.
/// </summary>
public sealed record Refusal(int Status, string Title, string Detail, string Reason)
{
    /// <summary>Field-level problems, when the refusal is about what was asked (400) rather than when.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>The record is not in a state that allows the change (409).</summary>
    public static Refusal Conflict(string detail, string? reason = null) =>
        new(StatusCodes.Status409Conflict, "Not possible now.", detail, reason ?? detail);

    /// <summary>The caller may not make this change, whatever the record's state (403).</summary>
    public static Refusal Forbidden(string title, string detail, string reason) =>
        new(StatusCodes.Status403Forbidden, title, detail, reason);

    /// <summary>Nothing of that kind in the caller's unit (404); another unit's things are never "forbidden".</summary>
    public static Refusal NotFound(string detail) =>
        new(StatusCodes.Status404NotFound, "Not found.", detail, "not found in the caller's unit");

    /// <summary>What the rules never allow, by anyone (422).</summary>
    public static Refusal Never(string detail, string reason) =>
        new(StatusCodes.Status422UnprocessableEntity, "Never allowed.", detail, reason);

    /// <summary>A value the record cannot take (400), named by field.</summary>
    public static Refusal Invalid(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, "The request is not valid.", detail, detail)
        {
            Errors = new Dictionary<string, string[]> { [field] = [detail] },
        };

    /// <summary>Several values the record cannot take (400), by field.</summary>
    public static Refusal Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "The request is not valid.", "See errors for each field.", string.Join(" ", errors.SelectMany(e => e.Value)))
        {
            Errors = errors,
        };

    /// <summary>The refusal as the exception the HTTP path audits and answers.</summary>
    public RefusedException Audited(AuditAction action, string target, IReadOnlyDictionary<string, string>? details = null) =>
        new(action, target, this) { Details = details, Errors = Errors?.ToDictionary(e => e.Key, e => e.Value) };
}

/// <summary>
/// What a transition gives: the record's new state, or the <see cref="Refusal"/> that stops it. The same transition
/// serves the check before side effects and the ETag-guarded write, so a guard is written once, and a writer that lost
/// a race is judged again on what the winner left: it gets the refusal, never a success it did not have.
/// </summary>
public readonly struct Outcome<T>
    where T : class
{
    private Outcome(T? value, Refusal? refusal) => (Value, Refusal) = (value, refusal);

    /// <summary>The new state; null when refused.</summary>
    public T? Value { get; }

    /// <summary>Why not; null when the change is allowed.</summary>
    public Refusal? Refusal { get; }

    public bool IsRefused => Refusal is not null;

#pragma warning disable CA2225 // The conversions are the point: a transition returns either branch as it is.
    public static implicit operator Outcome<T>(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(null, refusal ?? throw new ArgumentNullException(nameof(refusal)));
#pragma warning restore CA2225

    /// <summary>The next transition on the new state, or this refusal.</summary>
    public Outcome<T> Then(Func<T, Outcome<T>> next) => Refusal is null ? next(Value!) : this;

    /// <summary>
    /// The new state, or a <see cref="RefusedException"/> that the HTTP pipeline audits as a denial of
    /// <paramref name="action"/> on <paramref name="target"/> and answers as a problem.
    /// </summary>
    public T OrRefuse(AuditAction action, string target, IReadOnlyDictionary<string, string>? details = null) =>
        Refusal is null ? Value! : throw Refusal.Audited(action, target, details);
}

/// <summary>
/// A refusal on its way out of an HTTP function: the problem the caller gets, with what the audit trail needs.
/// <see cref="RefusalAuditMiddleware"/> records it in the caller's chain as a denial (action, target, reason) before
/// the problem is written: one path for every refusal.
/// </summary>
public sealed class RefusedException(AuditAction action, string target, Refusal refusal)
    : ProblemException(refusal.Status, refusal.Title, refusal.Detail)
{
    public AuditAction Action { get; } = action;

    public string Target { get; } = target;

    public Refusal Refusal { get; } = refusal;

    /// <summary>Extra facts for the audit entry (what was asked), besides the reason.</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
