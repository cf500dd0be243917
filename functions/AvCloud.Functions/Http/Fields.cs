namespace AvCloud.Functions.Http;

/// <summary>Field checks shared by the request bodies: each problem is added to <c>errors</c> under the field's name.</summary>
public static class Fields
{
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
