using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace AvCloud.Functions.Http;

/// <summary>
/// Turns failures of HTTP functions into RFC 9457 problem details: refusals keep their status and message, an enum
/// field with an unknown name is a 400 naming the field and its values, anything unexpected becomes a 500 that names
/// the invocation (for the logs) and never echoes exception text. Non-HTTP triggers are left alone so the platform
/// retries them.
/// </summary>
public sealed partial class ProblemDetailsMiddleware(ILogger<ProblemDetailsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.GetHttpContext() is { Response.HasStarted: false } http
            && !http.RequestAborted.IsCancellationRequested)
        {
            var result = ToProblem(exception, context);
            await result.ExecuteAsync(http);
        }
    }

    private ProblemHttpResult ToProblem(Exception exception, FunctionContext context)
    {
        var extensions = new Dictionary<string, object?> { ["invocationId"] = context.InvocationId };
        switch (exception)
        {
            case ProblemException problem:
                if (problem.Errors is { } errors)
                {
                    extensions["errors"] = errors;
                }

                return TypedResults.Problem(problem.Detail, statusCode: problem.Status, title: problem.Title, extensions: extensions);
            case JsonEnumException unknown:
                // Which field, and the names that would do: from the enum, never from the request or the exception text.
                return ToProblem(ProblemException.Invalid(unknown.Field, AvCloudJson.OneOf(AvCloudJson.Leaf(unknown.Field), unknown.Allowed)), context);
            case JsonException:
                return TypedResults.Problem(
                    "The request body is not valid JSON.", statusCode: StatusCodes.Status400BadRequest,
                    title: "The request is not valid.", extensions: extensions);
            case BadHttpRequestException bad:
                return TypedResults.Problem(
                    bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request could not be read.",
                    statusCode: bad.StatusCode, title: "The request is not valid.", extensions: extensions);
            default:
                LogUnexpectedFailure(logger, exception, context.FunctionDefinition.Name, context.InvocationId);
                return TypedResults.Problem(
                    "AvCloud could not complete the request. Quote the invocation id when reporting it.",
                    statusCode: StatusCodes.Status500InternalServerError, title: "Unexpected error.", extensions: extensions);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed unexpectedly (invocation {InvocationId})")]
    private static partial void LogUnexpectedFailure(ILogger logger, Exception exception, string function, string invocationId);
}
