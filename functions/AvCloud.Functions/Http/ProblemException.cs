namespace AvCloud.Functions.Http;

/// <summary>
/// A request AvCloud refuses, with what the caller needs to put it right. Thrown from anywhere in an HTTP
/// function; <see cref="ProblemDetailsMiddleware"/> turns it into an RFC 9457 response. Messages are written
/// for the caller and never carry exception text from below.
/// </summary>
public class ProblemException(int status, string title, string? detail = null) : Exception(title)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    /// <summary>Field-level validation failures, reported as <c>errors</c> in the problem document.</summary>
    public IDictionary<string, string[]>? Errors { get; init; }

    /// <summary>The reason a person gives for a consequential step (release, extension, cancellation): required, up to 500 characters.</summary>
    public static string RequireReason(string? reason, string step) =>
        string.IsNullOrWhiteSpace(reason) || reason.Length > 500
            ? throw Invalid("reason", $"{step} needs a reason (up to 500 characters).")
            : reason;

    /// <summary>Throws one 400 problem naming every field in <paramref name="errors"/>, if there are any.</summary>
    public static void ThrowIfAny(IDictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "The request is not valid.", "See errors for each field.") { Errors = errors };
        }
    }

    public static ProblemException Invalid(string field, string message) =>
        new(StatusCodes.Status400BadRequest, "The request is not valid.", message)
        {
            Errors = new Dictionary<string, string[]> { [field] = [message] },
        };
}
