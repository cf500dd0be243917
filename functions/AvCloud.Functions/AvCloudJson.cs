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

    /// <summary>The enum value whose JSON name is exactly <paramref name="name"/>, or null.</summary>
    public static T? Parse<T>(string? name)
        where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => Name(v) == name).Cast<T?>().FirstOrDefault();

    /// <summary>The JSON names of <typeparamref name="T"/>, for error messages.</summary>
    public static string Names<T>()
        where T : struct, Enum =>
        string.Join(", ", Enum.GetValues<T>().Select(v => Name(v)));

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
