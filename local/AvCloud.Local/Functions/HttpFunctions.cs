namespace AvCloud.Local.Functions;

/// <summary>Serves HTTP-triggered functions on their routes, under host.json's route prefix, as the Functions host does.</summary>
internal static class HttpFunctions
{
    /// <summary>
    /// host.json's <c>extensions.http.routePrefix</c> ("api" when unset, as in Azure). AvCloud's is empty: the console is
    /// served at the site's root and every API route is written with its <c>api/</c> prefix.
    /// </summary>
    public static string RoutePrefix { get; } = ReadRoutePrefix(Path.Combine(AppContext.BaseDirectory, "host.json"));

    internal static string ReadRoutePrefix(string hostJson) =>
        File.Exists(hostJson)
        && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(hostJson))?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() is { } prefix
            ? prefix.Trim('/')
            : "api";

    /// <summary>The path a function's route is served at.</summary>
    public static string PathOf(LocalFunction function) => RoutePrefix.Length == 0 ? $"/{function.Route}" : $"/{RoutePrefix}/{function.Route}";

    public static void Map(IEndpointRouteBuilder endpoints, IEnumerable<LocalFunction> functions)
    {
        foreach (var function in functions.Where(f => f.Kind == TriggerKind.Http && f.Problem is null))
        {
            endpoints.MapMethods(PathOf(function), function.HttpMethods, http => InvokeAsync(function, http))
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
