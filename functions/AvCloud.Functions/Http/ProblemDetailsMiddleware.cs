using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Azure;
using Microsoft.Azure.Cosmos;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace AvCloud.Functions.Http;

/// <summary>
/// Turns failures of HTTP functions into RFC 9457 problem details: refusals keep their status and message, an enum
/// field with an unknown name is a 400 naming the field and its values, anything unexpected becomes a 500 that names
/// the invocation (for the logs) and never echoes exception text. A dependency that throttles or is briefly unavailable
/// (Cosmos DB or storage answering 429/503/timeout, a reset connection) is a 503 with <c>Retry-After</c>, so a client
/// knows to try again (every AvCloud write is safe to repeat). Non-HTTP triggers are left alone so the platform retries them.
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
            if (RetryAfter(exception) is { } wait)
            {
                LogTransientFailure(logger, exception, context.FunctionDefinition.Name, context.InvocationId);
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    "A service AvCloud relies on is busy or briefly unavailable. Try again after the time in Retry-After.",
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again shortly.",
                    extensions: new Dictionary<string, object?> { ["invocationId"] = context.InvocationId }).ExecuteAsync(http);
                return;
            }

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

    /// <summary>How long to wait when <paramref name="exception"/> is a dependency throttling or briefly unavailable; null otherwise.</summary>
    internal static TimeSpan? RetryAfter(Exception exception) => exception switch
    {
        CosmosException cosmos when cosmos.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout
            => cosmos.RetryAfter ?? TimeSpan.FromSeconds(1),
        RequestFailedException storage when storage.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504 => TimeSpan.FromSeconds(2),
        HttpRequestException or TimeoutException => TimeSpan.FromSeconds(2),
        IOException { InnerException: SocketException } => TimeSpan.FromSeconds(2),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {Function} met a dependency throttling or briefly unavailable (invocation {InvocationId}); answered 503 with Retry-After")]
    private static partial void LogTransientFailure(ILogger logger, Exception exception, string function, string invocationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed unexpectedly (invocation {InvocationId})")]
    private static partial void LogUnexpectedFailure(ILogger logger, Exception exception, string function, string invocationId);
}
