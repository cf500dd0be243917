using System.Text.Json;
using System.Text.Json.Serialization;

namespace AvCloud.Functions;

/// <summary>One JSON shape for documents, requests and responses: camelCase, enums as camelCase strings.</summary>
public static class AvCloudJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>How <paramref name="value"/> is written in JSON (and in queries): its camelCase name.</summary>
    public static string Name<T>(T value)
        where T : struct, Enum =>
        JsonSerializer.Serialize(value, Options).Trim('"');

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
