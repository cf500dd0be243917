using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Identity;

/// <summary>Who is calling, from a validated token: the user (or dock), their unit and their roles.</summary>
public sealed record Caller(string UserId, string? Name, string UnitId, IReadOnlySet<string> Roles)
{
    public bool HasRole(string role) => Roles.Contains(role);

    /// <summary>The roles, for the audit trail.</summary>
    public string RoleList => string.Join(',', Roles.Order(StringComparer.Ordinal));

    /// <summary>AvCloud itself acting in <paramref name="unitId"/> (a timer or trigger named by <paramref name="actor"/>, e.g. <c>system:link</c>), as the audit trail names it.</summary>
    public static Caller System(string actor, string unitId) => new(actor, null, unitId, new HashSet<string> { "system" });
}

public static class CallerExtensions
{
    /// <summary>The authenticated caller of this HTTP invocation (set by <see cref="AuthenticationMiddleware"/>).</summary>
    public static Caller Caller(this HttpRequest request) =>
        request.HttpContext.Features.Get<Caller>() ?? throw new InvalidOperationException("The request has no authenticated caller.");

    internal static void SetCaller(this FunctionContext context, Caller caller) => context.GetHttpContext()!.Features.Set(caller);
}

/// <summary>The function answers without a token (health only).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AnonymousAttribute : Attribute;

/// <summary>The caller needs one of these roles; anyone else gets 403.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRoleAttribute(params string[] roles) : Attribute
{
    public IReadOnlyList<string> Roles { get; } = roles;
}
