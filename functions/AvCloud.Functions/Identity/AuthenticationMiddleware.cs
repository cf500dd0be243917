using AvCloud.Functions.Audit;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AvCloud.Functions.Identity;

/// <summary>
/// Every HTTP function but the anonymous ones needs a valid bearer token (401 otherwise) and one of the roles its
/// method declares (403 otherwise). Both refusals are problem details and are written to the audit trail as failed
/// attempts. The validated caller is attached to the request for the function (<see cref="CallerExtensions.Caller"/>).
/// </summary>
public sealed class AuthenticationMiddleware(TokenValidator tokens, AuditTrail audit) : IFunctionsWorkerMiddleware
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
            await audit.AppendAsync(new AuditEntry(UnauthenticatedUnit, "anonymous", "", AuditAction.AuthenticationFailed, target, AuditOutcomes.Denied,
                new Dictionary<string, string> { ["reason"] = validation.Failure ?? "" }), context.CancellationToken);
            // RFC 6750: no error code when no credentials were presented at all.
            http.Response.Headers.WWWAuthenticate = string.IsNullOrEmpty(http.Request.Headers.Authorization)
                ? "Bearer"
                : "Bearer error=\"invalid_token\"";
            await TypedResults.Problem(validation.Failure, statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required.")
                .ExecuteAsync(http);
            return;
        }

        var caller = validation.Caller;
        if (validation.MissingUnit || !access.Roles.Any(caller.HasRole))
        {
            var unit = validation.MissingUnit ? UnauthenticatedUnit : caller.UnitId;
            await audit.AppendAsync(new AuditEntry(unit, caller.UserId, caller.RoleList, AuditAction.AuthorizationDenied, target, AuditOutcomes.Denied,
                new Dictionary<string, string> { ["required"] = string.Join(',', access.Roles) }), context.CancellationToken);
            await TypedResults.Problem(
                validation.MissingUnit ? validation.Failure : "Your role does not allow this.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.").ExecuteAsync(http);
            return;
        }

        context.SetCaller(caller);
        await next(context);
    }
}
