using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Http;

/// <summary>
/// <c>GET /api/openapi.json</c> (no token needed): an OpenAPI 3.1 description of every HTTP function, built from the
/// function classes themselves (routes, methods, roles, <see cref="AcceptsAttribute"/>, <see cref="AnswersAttribute"/>,
/// <see cref="QueryAttribute"/>), with JSON schemas from the same serializer options the functions use. It cannot
/// drift from the code: a function added without its description shows up here anyway, and a test checks each one.
/// Every enum and every object type is one named schema under <c>components</c>, so a generated client has one type
/// for each; the description passes the recommended lint rules and a generated client is built and called in a test.
/// </summary>
public sealed partial class ServeOpenApi
{
    /// <summary>The licence the description states: AvCloud is the agency's own software, licensed to nobody else.</summary>
    public const string LicenseName = "Proprietary";

    /// <summary>An SPDX reference of the agency's own (no SPDX licence applies to unlicensed software).</summary>
    public const string LicenseIdentifier = "LicenseRef-AvCloud-Proprietary";

    private static readonly Lazy<string> Document = new(() => Build(typeof(ServeOpenApi).Assembly).ToJsonString());

    [Function(nameof(ServeOpenApi))]
    [Anonymous]
    [Answers(StatusCodes.Status200OK, typeof(JsonObject))]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/openapi.json")] HttpRequest request) =>
        TypedResults.Text(Document.Value, "application/json");

    /// <summary>The description of every HTTP function in <paramref name="assembly"/>.</summary>
    public static JsonObject Build(Assembly assembly)
    {
        var paths = new JsonObject();
        var schemas = new Schemas();
        foreach (var (method, function, trigger) in HttpFunctions(assembly).OrderBy(f => f.Trigger.Route, StringComparer.Ordinal))
        {
            // Routes are written whole (host.json's route prefix is empty): api/... for the API, the console at the root.
            var path = "/" + RouteParameter().Replace(trigger.Route ?? "", "{${name}}");
            if (paths[path] is not JsonObject item)
            {
                paths[path] = item = [];
            }

            foreach (var verb in trigger.Methods ?? ["get"])
            {
                item[verb.ToLowerInvariant()] = Operation(method, function, path, trigger.Route ?? "", schemas);
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
                ["license"] = new JsonObject { ["name"] = LicenseName, ["identifier"] = LicenseIdentifier },
            },
            // Relative: the host that serves this description serves the API, whatever name it is reached by
            // (the local host, a function app, a gateway), so the description is the same everywhere.
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/", ["description"] = "The host that serves this description." }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.Sorted(),
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

    private static JsonObject Operation(MethodInfo method, string function, string path, string route, Schemas schemas)
    {
        var anonymous = method.GetCustomAttribute<AnonymousAttribute>() is not null;
        var roles = method.GetCustomAttribute<RequiresRoleAttribute>()?.Roles ?? [];
        var summary = function + (anonymous ? " (no token)" : roles.Count > 0 ? $" (roles: {string.Join(", ", roles)})" : "");
        var operation = new JsonObject
        {
            ["operationId"] = function,
            ["summary"] = summary,
            ["tags"] = new JsonArray(path.Split('/') is ["", "api", var tag, ..] ? tag : "console"),
            ["x-avcloud-roles"] = new JsonArray([.. roles.Select(r => (JsonNode)r)]),
        };
        operation["security"] = anonymous ? new JsonArray() : new JsonArray(new JsonObject { ["bearer"] = new JsonArray() });

        var parameters = new JsonArray();
        foreach (Match parameter in RouteParameter().Matches(route))
        {
            var type = parameter.Groups["constraint"].Value switch
            {
                ":int" or ":long" => "integer",
                _ => "string",
            };
            parameters.Add(new JsonObject { ["name"] = parameter.Groups["name"].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = type } });
        }

        foreach (var query in method.GetCustomAttributes<QueryAttribute>())
        {
            parameters.Add(new JsonObject
            {
                ["name"] = query.Name,
                ["in"] = "query",
                ["description"] = query.Description,
                ["schema"] = query.Type is { } type ? schemas.For(type) : new JsonObject { ["type"] = "string" },
            });
        }

        if (method.GetCustomAttribute<PagedAttribute>() is not null)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = "pageSize",
                ["in"] = "query",
                ["description"] = $"1 to {Listing.MaxPageSize}, default {Listing.DefaultPageSize}.",
                ["schema"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = Listing.MaxPageSize, ["default"] = Listing.DefaultPageSize },
            });
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
            operation["requestBody"] = new JsonObject { ["required"] = true, ["content"] = Content("application/json", schemas.For(accepts.Body)) };
            responses["413"] = Problem("The body is too large.");
        }

        foreach (var answer in method.GetCustomAttributes<AnswersAttribute>())
        {
            var status = answer.Status.ToString(CultureInfo.InvariantCulture);
            if (answer.Body is null)
            {
                responses[status] = Problem(Reason(answer.Status));
                continue;
            }

            var schema = answer.MediaType == "application/json" ? schemas.For(answer.Body) : new JsonObject { ["type"] = "string", ["format"] = "binary" };
            // One status may answer in several media types (custody as JSON or as a PDF).
            if (responses[status] is JsonObject { } known && known["content"] is JsonObject content)
            {
                content[answer.MediaType] = new JsonObject { ["schema"] = schema };
            }
            else
            {
                responses[status] = new JsonObject { ["description"] = Reason(answer.Status), ["content"] = Content(answer.MediaType, schema) };
            }
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
        new() { ["description"] = description, ["content"] = Content("application/problem+json", Schemas.Reference("Problem")) };

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
            ["invocationId"] = new JsonObject { ["type"] = "string" },
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

    // {id}, {id:int}, {id?}: the name, and the constraint that says its type.
    [GeneratedRegex(@"\{\*?(?<name>[A-Za-z0-9_]+)(?<constraint>:[a-z]+)?[^}]*\}")]
    private static partial Regex RouteParameter();

    /// <summary>
    /// The named schemas of the description. Enums and object types are exported once each, under their type name,
    /// and referred to with <c>$ref</c>; everything else (strings, numbers, dates, lists, maps) is inline.
    /// </summary>
    private sealed class Schemas
    {
        // The same contract the functions use, but numbers are numbers: the web defaults also read "42" for 42, a
        // leniency a client need not know about (it would make every number a string-or-number union).
        private static readonly JsonSerializerOptions Exported = CreateExported();

        private readonly Dictionary<Type, string> _names = [];
        private readonly Dictionary<string, JsonNode> _components = new(StringComparer.Ordinal) { ["Problem"] = ProblemSchema() };
        private readonly NullabilityInfoContext _nullability = new();
        private readonly JsonSchemaExporterOptions _exporter;

        public Schemas() =>
            _exporter = new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = Transform };

        public static JsonObject Reference(string name) => new() { ["$ref"] = $"#/components/schemas/{name}" };

        /// <summary>The schema of <paramref name="type"/> where a body or parameter uses it.</summary>
        public JsonNode For(Type type) =>
            type == typeof(JsonObject) ? new JsonObject { ["type"] = "object" }
            : Named(type) ? Reference(Register(type))
            : Export(type);

        public JsonObject Sorted() => new(_components.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value)));

        private static JsonSerializerOptions CreateExported()
        {
            var options = new JsonSerializerOptions(AvCloudJson.Options)
            {
                NumberHandling = JsonNumberHandling.Strict,
                // Described as callers are sent them.
                TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { Audit.AuditedRecords.HideOutbox } },
            };
            options.MakeReadOnly();
            return options;
        }

        private static Type? EnumOf(Type type) => type.IsEnum ? type : Nullable.GetUnderlyingType(type) is { IsEnum: true } underlying ? underlying : null;

        private static bool Named(Type type) => EnumOf(type) is not null || Exported.GetTypeInfo(type).Kind == JsonTypeInfoKind.Object;

        private string Register(Type type)
        {
            type = EnumOf(type) ?? type;
            if (_names.TryGetValue(type, out var name))
            {
                return name;
            }

            name = type.Name;
            if (_components.ContainsKey(name))
            {
                name = type.FullName!.Replace('.', '_').Replace('+', '_');
            }

            _names[type] = name;
            _components[name] = new JsonObject(); // taken while it is exported: a type that contains itself refers to it
            _components[name] = type.IsEnum ? EnumSchema(type) : Export(type);
            return name;
        }

        private JsonNode Export(Type type)
        {
            var schema = Exported.GetJsonSchemaAsNode(type, _exporter);
            if (schema is JsonObject root)
            {
                root.Remove("$schema");
            }

            return schema;
        }

        private static JsonObject EnumSchema(Type type) => new()
        {
            ["type"] = "string",
            ["enum"] = new JsonArray([.. AvCloudJson.NamesOf(type).Select(n => (JsonNode)n)]),
        };

        private JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
        {
            var info = context.TypeInfo;
            var isRoot = context.Path.IsEmpty;
            if (!isRoot && Named(info.Type))
            {
                return Reference(Register(info.Type));
            }

            if (schema is JsonObject { } node && node["$ref"] is JsonValue reference && !reference.GetValue<string>().StartsWith("#/components/", StringComparison.Ordinal))
            {
                // The exporter refers to a type it has already written elsewhere in this schema; that place may now
                // be a reference itself, so the type is written again here.
                return Export(info.Type);
            }

            if (info.Kind == JsonTypeInfoKind.Enumerable && schema is JsonObject list && !list.ContainsKey("items") && info.ElementType is { } element)
            {
                list["items"] = For(element);
            }

            if (isRoot && info.Kind == JsonTypeInfoKind.Object && schema is JsonObject item)
            {
                item.Remove("required");
                var described = item["properties"] as JsonObject;
                var required = new JsonArray([.. info.Properties.Where(p => described?.ContainsKey(p.Name) == true && IsRequired(p)).Select(p => (JsonNode)p.Name)]);
                if (required.Count > 0)
                {
                    item["required"] = required;
                }
            }

            return schema;
        }

        /// <summary>
        /// A property a caller must send and always gets back: a <c>required</c> member, a constructor parameter with no
        /// default that is not nullable, or one marked <see cref="System.ComponentModel.DataAnnotations.RequiredAttribute"/>
        /// (request fields are nullable so that a missing one is named in the 400, not refused by the parser). Nullable or
        /// defaulted ones may be left out (and are not written when null).
        /// </summary>
        private bool IsRequired(JsonPropertyInfo property) =>
            property.IsRequired
            || property.AssociatedParameter is { HasDefaultValue: false } parameter && !IsNullable(parameter)
            // A request field the function itself insists on (and names in its 400 when missing) is marked [Required].
            || property.AssociatedParameter?.AttributeProvider?.IsDefined(typeof(System.ComponentModel.DataAnnotations.RequiredAttribute), inherit: false) == true;

        private bool IsNullable(JsonParameterInfo parameter) =>
            Nullable.GetUnderlyingType(parameter.ParameterType) is not null
            || parameter.AttributeProvider is ParameterInfo info && _nullability.Create(info).WriteState == NullabilityState.Nullable;
    }
}
