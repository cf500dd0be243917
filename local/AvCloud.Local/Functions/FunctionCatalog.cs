using System.Reflection;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;
using Microsoft.Azure.Functions.Worker.Http;

namespace AvCloud.Local.Functions;

/// <summary>Finds the <c>[Function]</c> methods of the given assemblies by reflection, as the worker's generator does.</summary>
public static class FunctionCatalog
{
    private static readonly HashSet<Type> BlobInputTypes =
    [
        typeof(BlobClient), typeof(BlockBlobClient), typeof(BlobBaseClient), typeof(Stream), typeof(string),
        typeof(byte[]), typeof(BinaryData),
    ];

    public static IReadOnlyList<LocalFunction> Discover(IEnumerable<Assembly> assemblies) =>
    [
        .. assemblies.Distinct()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => Describe(x.Attribute!.Name, x.Method))
            .OrderBy(f => f.Name, StringComparer.Ordinal),
    ];

    private static LocalFunction Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            switch (parameter.GetCustomAttributes().FirstOrDefault(a => a is HttpTriggerAttribute or BlobTriggerAttribute or TimerTriggerAttribute))
            {
                case HttpTriggerAttribute http:
                    return new LocalFunction(name, method, TriggerKind.Http, parameter, http)
                    {
                        Problem = parameter.ParameterType == typeof(HttpRequest) ? Unbindable(method) : "HTTP triggers must take an HttpRequest",
                    };
                case BlobTriggerAttribute blob:
                    return new LocalFunction(name, method, TriggerKind.Blob, parameter, blob)
                    {
                        Problem = blob.Source != BlobTriggerSource.EventGrid
                            ? "blob triggers must use Source = BlobTriggerSource.EventGrid (polling is not how AvCloud runs)"
                            : !BlobInputTypes.Contains(parameter.ParameterType)
                                ? $"blob trigger parameter type {parameter.ParameterType.Name} is not supported"
                                : Unbindable(method),
                    };
                case TimerTriggerAttribute timer:
                    return new LocalFunction(name, method, TriggerKind.Timer, parameter, timer)
                    {
                        Problem = parameter.ParameterType == typeof(TimerInfo) ? Unbindable(method) : "timer triggers must take a TimerInfo",
                    };
            }
        }

        return new LocalFunction(name, method, TriggerKind.Unsupported, null, null) { Problem = "its trigger type is not served locally" };
    }

    // Input and output bindings other than the trigger are not served locally; AvCloud uses SDK clients instead.
    private static string? Unbindable(MethodInfo method)
    {
        var binding = method.GetParameters()
            .SelectMany(p => p.GetCustomAttributes())
            .FirstOrDefault(a => a is BindingAttribute and not TriggerBindingAttribute && a is not FromBodyAttribute);
        return binding is null ? null : $"binding {binding.GetType().Name} is not served locally";
    }
}
