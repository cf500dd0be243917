using AvCloud.Functions.Audit;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AvCloud.Functions.Identity;

/// <summary>
/// Every HTTP function but the anonymous ones needs a valid bearer token (401 otherwise) and one of the roles its
/// method declares (403 otherwise). Both refusals are problem details and are audited as failed attempts: a caller
/// with a unit in that unit's chain, one by one; a refused sign-in, whose token names no unit that can be trusted,
/// counted per source and window and written as one summary each (<see cref="SignInRefusals"/>). The validated caller
/// is attached to the request for the function (<see cref="CallerExtensions.Caller"/>).
/// </summary>
public sealed class AuthenticationMiddleware(TokenValidator tokens, AuditTrail audit, SignInRefusals refusals) : IFunctionsWorkerMiddleware
{
    /// <summary>Failed sign-ins carry no trustworthy unit; they are chained in a partition of their own.</summary>
    public const string UnauthenticatedUnit = "_unauthenticated";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext();
        var access = FunctionAccess.ForEntryPoint(context.FunctionDefinition.EntryPoint);
        if (http is null || access.Anonymous)
        {
            await next(context);
            return;
        }

        var target = $"{http.Request.Method} {http.Request.Path}";
        var validation = await tokens.ValidateAsync(http.Request.Headers.Authorization, context.CancellationToken);
        if (validation.Caller is null)
        {
            refusals.Count(Http.ClientFacts.AddressOf(http), "anonymous", AuditAction.AuthenticationFailed, validation.Failure ?? "", target);
            // RFC 6750: no error code when no credentials were presented at all.
            http.Response.Headers.WWWAuthenticate = string.IsNullOrEmpty(http.Request.Headers.Authorization)
                ? "Bearer"
                : "Bearer error=\"invalid_token\"";
            await TypedResults.Problem(validation.Failure, statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required.")
                .ExecuteAsync(http);
            return;
        }

        var caller = validation.Caller;
        if (validation.MissingUnit)
        {
            // Authentic, but with no unit to chain it in: summarised like a refused sign-in, under the user's id.
            refusals.Count(Http.ClientFacts.AddressOf(http), caller.UserId, AuditAction.AuthorizationDenied, validation.Failure ?? "", target);
            await TypedResults.Problem(validation.Failure, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.").ExecuteAsync(http);
            return;
        }

        if (!access.Roles.Any(caller.HasRole))
        {
            await audit.AppendAsync(new AuditEntry(caller.UnitId, caller.UserId, caller.RoleList, AuditAction.AuthorizationDenied, target, AuditOutcomes.Denied,
                new Dictionary<string, string> { ["required"] = string.Join(',', access.Roles) }), context.CancellationToken);
            await TypedResults.Problem("Your role does not allow this.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.").ExecuteAsync(http);
            return;
        }

        context.SetCaller(caller);
        await next(context);
    }
}
