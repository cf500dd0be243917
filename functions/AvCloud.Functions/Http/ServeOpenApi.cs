using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Http;

/// <summary>
/// <c>GET /api/openapi.json</c> (no token needed): an OpenAPI 3.1 description of every HTTP function, built from the
/// function classes themselves (routes, methods, roles, <see cref="AcceptsAttribute"/>, <see cref="AnswersAttribute"/>,
/// <see cref="QueryAttribute"/>), with JSON schemas from the same serializer options the functions use. It cannot
/// drift from the code: a function added without its description shows up here anyway, and a test checks each one.
/// </summary>
public sealed class ServeOpenApi
{
    private static readonly Lazy<string> Document = new(() => Build(typeof(ServeOpenApi).Assembly).ToJsonString());

    [Function(nameof(ServeOpenApi))]
    [Anonymous]
    [Answers(StatusCodes.Status200OK, typeof(JsonObject))]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        TypedResults.Text(Document.Value, "application/json");

    /// <summary>The description of every HTTP function in <paramref name="assembly"/>.</summary>
    public static JsonObject Build(Assembly assembly)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject { ["Problem"] = ProblemSchema() };
        foreach (var (method, function, trigger) in HttpFunctions(assembly).OrderBy(f => f.Trigger.Route, StringComparer.Ordinal))
        {
            var path = "/api/" + trigger.Route;
            if (paths[path] is not JsonObject item)
            {
                paths[path] = item = [];
            }

            foreach (var verb in trigger.Methods ?? ["get"])
            {
                item[verb.ToLowerInvariant()] = Operation(method, function, path, schemas);
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "AvCloud",
                ["version"] = "1",
                ["description"] = "Law-enforcement audio/video records: upload, catalogue, retention, holds, access. "
                    + "Every call but health and this description needs an Entra ID bearer token whose app roles and unit claim decide what it may do.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject { ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT" } },
            },
        };
    }

    /// <summary>Every method that is an HTTP-triggered function, with its name and trigger.</summary>
    public static IEnumerable<(MethodInfo Method, string Function, HttpTriggerAttribute Trigger)> HttpFunctions(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)
        where function is not null && trigger is not null
        select (method, function.Name, trigger);

    private static JsonObject Operation(MethodInfo method, string function, string path, JsonObject schemas)
    {
        var anonymous = method.GetCustomAttribute<AnonymousAttribute>() is not null;
        var roles = method.GetCustomAttribute<RequiresRoleAttribute>()?.Roles ?? [];
        var summary = function + (anonymous ? " (no token)" : roles.Count > 0 ? $" (roles: {string.Join(", ", roles)})" : "");
        var operation = new JsonObject
        {
            ["operationId"] = function,
            ["summary"] = summary,
            ["tags"] = new JsonArray(path.Split('/')[2]),
            ["x-avcloud-roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]),
        };
        operation["security"] = anonymous ? new JsonArray() : new JsonArray(new JsonObject { ["bearer"] = new JsonArray() });

        var parameters = new JsonArray();
        foreach (var name in path.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}')))
        {
            parameters.Add(new JsonObject { ["name"] = name, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        foreach (var query in method.GetCustomAttributes<QueryAttribute>())
        {
            parameters.Add(new JsonObject { ["name"] = query.Name, ["in"] = "query", ["description"] = query.Description, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        if (method.GetCustomAttribute<PagedAttribute>() is not null)
        {
            parameters.Add(new JsonObject { ["name"] = "pageSize", ["in"] = "query", ["description"] = $"1 to {Listing.MaxPageSize}, default {Listing.DefaultPageSize}.", ["schema"] = new JsonObject { ["type"] = "integer" } });
            parameters.Add(new JsonObject { ["name"] = "continuationToken", ["in"] = "query", ["description"] = "From the previous page.", ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        var responses = new JsonObject();
        var accepts = method.GetCustomAttribute<AcceptsAttribute>();
        if (accepts is not null)
        {
            operation["requestBody"] = new JsonObject { ["required"] = true, ["content"] = Content("application/json", Reference(accepts.Body, schemas)) };
            responses["413"] = Problem("The body is too large.");
        }

        foreach (var answer in method.GetCustomAttributes<AnswersAttribute>())
        {
            responses[answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = answer.Body is null
                ? Problem(Reason(answer.Status))
                : new JsonObject { ["description"] = Reason(answer.Status), ["content"] = Content("application/json", Reference(answer.Body, schemas)) };
        }

        responses["400"] ??= Problem("The request is not valid (see errors by field).");
        if (!anonymous)
        {
            responses["401"] = Problem("No valid token.");
            responses["403"] = Problem("The caller's roles do not allow this.");
        }

        if (path.Contains('{', StringComparison.Ordinal))
        {
            responses["404"] = Problem("Not found in the caller's unit.");
        }

        operation["responses"] = responses;
        return operation;
    }

    private static JsonObject Content(string mediaType, JsonNode schema) => new() { [mediaType] = new JsonObject { ["schema"] = schema } };

    private static JsonObject Problem(string description) =>
        new() { ["description"] = description, ["content"] = Content("application/problem+json", new JsonObject { ["$ref"] = "#/components/schemas/Problem" }) };

    private static JsonObject Reference(Type type, JsonObject schemas)
    {
        if (type == typeof(JsonObject))
        {
            return new JsonObject { ["type"] = "object" };
        }

        if (!schemas.ContainsKey(type.Name))
        {
            schemas[type.Name] = JsonSchemaExporter.GetJsonSchemaAsNode(AvCloudJson.Options, type,
                new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        }

        return new JsonObject { ["$ref"] = $"#/components/schemas/{type.Name}" };
    }

    private static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 9457 problem details; errors holds the messages by field.",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = "string" },
            ["errors"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } } },
        },
    };

    private static string Reason(int status) => status switch
    {
        200 => "OK.",
        201 => "Created.",
        202 => "Accepted.",
        409 => "Not possible in the current state.",
        422 => "Understood, but the rules refuse it.",
        503 => "A dependency is down.",
        _ => $"HTTP {status}.",
    };
}
