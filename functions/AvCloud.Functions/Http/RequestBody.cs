using System.Text.Json;

namespace AvCloud.Functions.Http;

/// <summary>Reads a JSON request body with a size limit: oversized is 413, malformed or empty is 400.</summary>
public static class RequestBody
{
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "The request is not valid.", "The request body is empty.");
        }

        buffer.Position = 0;
        return await JsonSerializer.DeserializeAsync<T>(buffer, AvCloudJson.Options, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status400BadRequest, "The request is not valid.", "The request body is empty.");
    }

    private static ProblemException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "The request is too large.", $"The body may be at most {maxBytes} bytes.");
}
