using System.Text.RegularExpressions;

namespace AvCloud.Functions.Http;

/// <summary>Field checks shared by the request bodies: each problem is added to <c>errors</c> under the field's name.</summary>
public static partial class Fields
{
    // \z, not $: "$" would also take a trailing newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex SafeId();

    /// <summary>Whether <paramref name="value"/> is an id people and docks give (devices, officers): 1-128 letters, digits, '.', '_' or '-', never a path.</summary>
    public static bool IsId(string? value) => value is not null && SafeId().IsMatch(value);

    /// <summary>An id of <see cref="IsId"/>'s form, required; the problem is added under <paramref name="field"/>.</summary>
    public static string? Id(string? value, string field, string what, Dictionary<string, string[]> errors)
    {
        if (IsId(value))
        {
            return value;
        }

        errors[field] = [$"The {what} is required: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit."];
        return null;
    }

    /// <summary>A required value of enum <typeparamref name="T"/> (the JSON converter has already refused unknown names).</summary>
    public static T? Required<T>(T? value, string field, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        if (value is null)
        {
            // A value the body gave but the enum does not have is already named, with the values that would do.
            errors.TryAdd(field, [$"The {field} is required: one of {AvCloudJson.Names<T>()}."]);
        }

        return value;
    }

    /// <summary>
    /// Free text a person typed: up to <paramref name="max"/> characters, no control characters, required unless
    /// <paramref name="required"/> is false. Returns it trimmed, or null when it is missing or wrong.
    /// </summary>
    public static string? Text(string? value, string field, int max, Dictionary<string, string[]> errors, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors[field] = [$"The {field} is required (up to {max} characters, no control characters)."];
            }

            return null;
        }

        if (value.Length > max || value.Any(char.IsControl))
        {
            errors[field] = [$"The {field} is up to {max} characters, with no control characters."];
            return null;
        }

        return value.Trim();
    }
}
