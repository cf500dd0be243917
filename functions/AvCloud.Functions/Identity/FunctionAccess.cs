using System.Collections.Concurrent;
using System.Reflection;

namespace AvCloud.Functions.Identity;

/// <summary>Who may call a function, from the attributes on its method: <see cref="AnonymousAttribute"/> or <see cref="RequiresRoleAttribute"/>.</summary>
public sealed record FunctionAccess(bool Anonymous, IReadOnlyList<string> Roles)
{
    private static readonly ConcurrentDictionary<string, FunctionAccess> Cache = new(StringComparer.Ordinal);

    /// <summary>A function that declares neither is closed to everyone: access is never granted by omission.</summary>
    public static FunctionAccess Closed { get; } = new(false, []);

    public static FunctionAccess Of(MethodInfo method) =>
        method.GetCustomAttribute<AnonymousAttribute>() is not null ? new FunctionAccess(true, [])
        : method.GetCustomAttribute<RequiresRoleAttribute>() is { } required ? new FunctionAccess(false, required.Roles)
        : Closed;

    /// <summary>The rule for a function by its entry point (<c>Namespace.Class.Method</c>), as the worker names it.</summary>
    public static FunctionAccess ForEntryPoint(string entryPoint) => Cache.GetOrAdd(entryPoint, static entry =>
    {
        var dot = entry.LastIndexOf('.');
        var typeName = entry[..dot];
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        var method = type?.GetMethod(entry[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
        return method is null ? Closed : Of(method);
    });
}
