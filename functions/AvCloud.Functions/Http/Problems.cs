using Microsoft.AspNetCore.Http.HttpResults;

namespace AvCloud.Functions.Http;

/// <summary>The answers HTTP functions give most often. Another unit's things are always "not found", never "forbidden".</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static ProblemHttpResult NoSuchFootage => NotFound("No such footage in your unit.");
}
