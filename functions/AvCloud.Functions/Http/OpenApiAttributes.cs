namespace AvCloud.Functions.Http;

/// <summary>The JSON body an HTTP function reads (described in <c>GET /api/openapi.json</c>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AcceptsAttribute(Type body) : Attribute
{
    public Type Body { get; } = body;
}

/// <summary>
/// A response an HTTP function gives besides the problems every function may give (400, 401, 403, 404, 413): with a
/// body type for success, or without one for a problem (409, 422, 503 ...).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class AnswersAttribute(int status, Type? body = null) : Attribute
{
    public int Status { get; } = status;

    public Type? Body { get; } = body;

    /// <summary>The body's media type; anything but JSON is described as bytes (a zip, a PDF).</summary>
    public string MediaType { get; init; } = "application/json";
}

/// <summary>A query parameter an HTTP function reads.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class QueryAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    /// <summary>
    /// What the value is, when not free text: an enum (its names are listed, read with
    /// <see cref="AvCloudJson.ParseQuery{T}"/>), <c>int</c>, <c>bool</c>, <c>DateTimeOffset</c>. Unset: a string.
    /// </summary>
    public Type? Type { get; init; }
}

/// <summary>The listing parameters of a paged HTTP function: <c>pageSize</c> and <c>continuationToken</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PagedAttribute : Attribute;
