namespace AvCloud.Local.Functions;

/// <summary>Serves HTTP-triggered functions on their routes under <c>/api</c>, as the Functions host does.</summary>
internal static class HttpFunctions
{
    // host.json leaves extensions.http.routePrefix at Azure's default.
    public const string RoutePrefix = "api";

    public static void Map(IEndpointRouteBuilder endpoints, IEnumerable<LocalFunction> functions)
    {
        foreach (var function in functions.Where(f => f.Kind == TriggerKind.Http && f.Problem is null))
        {
            endpoints.MapMethods($"/{RoutePrefix}/{function.Route}", function.HttpMethods, http => InvokeAsync(function, http))
                .WithDisplayName(function.Name);
        }
    }

    private static async Task InvokeAsync(LocalFunction function, HttpContext http)
    {
        // Binding data, as the host builds it: route values, then the query string.
        var bindingData = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in http.Request.Query)
        {
            bindingData[key] = value.ToString();
        }

        foreach (var (key, value) in http.Request.RouteValues)
        {
            bindingData[key] = value;
        }

        await FunctionInvoker.InvokeAsync(function, http.RequestServices, http, bindingData,
            (_, _) => ValueTask.FromResult<object?>(http.Request), http.RequestAborted);
    }
}
