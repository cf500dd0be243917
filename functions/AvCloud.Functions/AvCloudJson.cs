using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AvCloud.Functions.Http;

namespace AvCloud.Functions;

/// <summary>
/// One JSON shape for documents, requests and responses: camelCase, enums as camelCase strings. Enums are read one way
/// everywhere, in bodies (<see cref="Options"/>) and in query strings (<see cref="ParseQuery{T}"/>): by name, ignoring
/// case; a number or an unknown name is refused with the names that would do.
/// </summary>
public static partial class AvCloudJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>How <paramref name="value"/> is written in JSON (and in queries): its camelCase name.</summary>
    public static string Name<T>(T value)
        where T : struct, Enum =>
        EnumNames<T>.Of(value) ?? value.ToString();

    /// <summary>The enum value whose JSON name is exactly <paramref name="name"/>, or null.</summary>
    public static T? Parse<T>(string? name)
        where T : struct, Enum =>
        name is not null && EnumNames<T>.Find(name) is { } value && EnumNames<T>.Of(value) == name ? value : null;

    /// <summary>The JSON names of <typeparamref name="T"/>, for error messages.</summary>
    public static string Names<T>()
        where T : struct, Enum =>
        string.Join(", ", EnumNames<T>.All);

    /// <summary>The JSON names of the enum <paramref name="type"/>, in declaration order (for schemas).</summary>
    internal static IReadOnlyList<string> NamesOf(Type type) =>
        (IReadOnlyList<string>)typeof(EnumNames<>).MakeGenericType(type).GetProperty(nameof(EnumNames<>.All))!.GetValue(null)!;

    /// <summary>
    /// An enum filter from the query string: null when the parameter is absent or empty, else the value named by
    /// <paramref name="value"/> in any case ("PENDING", "pending"). A number or an unknown name is a 400 problem naming
    /// <paramref name="field"/> and the names that would do.
    /// </summary>
    public static T? ParseQuery<T>(string? value, string field)
        where T : struct, Enum =>
        string.IsNullOrEmpty(value) ? null
        : EnumNames<T>.Find(value) ?? throw ProblemException.Invalid(field, OneOf(field, EnumNames<T>.All));

    /// <summary>The message for a value that is not one of <paramref name="names"/>.</summary>
    internal static string OneOf(string field, IEnumerable<string> names) => $"The {field} is one of: {string.Join(", ", names)}.";

    /// <summary>
    /// The field a serializer path names, as callers write it: <c>$.files[0].Kind</c> is <c>files[0].kind</c>,
    /// <c>$['odd name']</c> is <c>odd name</c>; the body itself (<c>$</c>) is <c>body</c>.
    /// </summary>
    internal static string Field(string? path)
    {
        var field = new StringBuilder();
        foreach (Match segment in PathSegment().Matches(path ?? "$"))
        {
            if (segment.Groups["index"].Success)
            {
                field.Append('[').Append(segment.Groups["index"].Value).Append(']');
                continue;
            }

            var name = segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value;
            field.Append(field.Length > 0 ? "." : "").Append(JsonNamingPolicy.CamelCase.ConvertName(name));
        }

        return field.Length > 0 ? field.ToString() : "body";
    }

    /// <summary>The last name in <paramref name="field"/>, without indexes: <c>files[0].kind</c> is <c>kind</c>.</summary>
    internal static string Leaf(string field) => PathIndex().Replace(field[(field.LastIndexOf('.') + 1)..], "");

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new EnumConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^'\\]|\\.)*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex PathIndex();
}

/// <summary>
/// A JSON value where an enum was expected that names none of its values (or is a number, or not a string). The
/// serializer fills in <see cref="JsonException.Path"/>; <see cref="ProblemDetailsMiddleware"/> answers 400 naming the
/// field and <see cref="Allowed"/>. Its message carries nothing from the request.
/// </summary>
public sealed class JsonEnumException(Type enumType, IReadOnlyList<string> allowed)
    : JsonException($"Not a name of {enumType.Name}.")
{
    public Type EnumType { get; } = enumType;

    /// <summary>The JSON names that would have been accepted.</summary>
    public IReadOnlyList<string> Allowed { get; } = allowed;

    /// <summary>The field, as the caller wrote it (<c>files[0].kind</c>).</summary>
    public string Field => AvCloudJson.Field(Path);
}

/// <summary>The JSON names of one enum: camelCase (or its <see cref="JsonStringEnumMemberNameAttribute"/>), read in any case.</summary>
internal static class EnumNames<T>
    where T : struct, Enum
{
    private static readonly (T Value, string Name)[] Members =
    [
        .. typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static).Select(field => (
            (T)field.GetValue(null)!,
            field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(field.Name))),
    ];

    private static readonly Dictionary<string, T> ByName = Members.ToDictionary(m => m.Name, m => m.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every name, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Members.Select(m => m.Name)];

    public static string? Of(T value)
    {
        foreach (var member in Members)
        {
            if (EqualityComparer<T>.Default.Equals(member.Value, value))
            {
                return member.Name;
            }
        }

        return null;
    }

    public static T? Find(string name) => ByName.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Every enum as its camelCase name, read in any case; numbers and unknown names are refused.</summary>
internal sealed class EnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(EnumConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class EnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? Find(reader.GetString()) : throw Refused();

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(EnumNames<T>.Of(value) ?? throw Unnamed());

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Find(reader.GetString());

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WritePropertyName(EnumNames<T>.Of(value) ?? throw Unnamed());

        private static T Find(string? name) => name is not null && EnumNames<T>.Find(name) is { } value ? value : throw Refused();

        private static JsonEnumException Refused() => new(typeof(T), EnumNames<T>.All);

        // A value outside the enum would be written as a number that no reader accepts: a bug, refused where it happens.
        private static JsonException Unnamed() => new($"{typeof(T).Name} has no member with this value.");
    }
}
