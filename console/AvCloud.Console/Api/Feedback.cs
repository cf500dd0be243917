namespace AvCloud.Console.Api;

/// <summary>
/// What a page tells the person about the last thing it did: the API's refusal (title and detail, via
/// <see cref="ApiCalls"/>), or a line saying the change was made. A new call clears both, so the page never shows an
/// old answer next to a new one.
/// </summary>
public sealed class Feedback(ApiCalls api)
{
    public Shown? Problem { get; private set; }

    public string? Notice { get; private set; }

    /// <summary>Reads something for the page; null after the refusal is shown.</summary>
    public Task<T?> ReadAsync<T>(Func<Task<T?>> call)
    {
        Problem = null;
        return api.CallAsync(call, shown => Problem = shown);
    }

    /// <summary>Makes a change; its answer with <paramref name="done"/> shown, or null after the refusal is shown.</summary>
    public async Task<T?> ChangeAsync<T>(Func<Task<T?>> call, string done)
    {
        Problem = null;
        Notice = null;
        var answer = await api.CallAsync(call, shown => Problem = shown);
        if (answer is not null)
        {
            Notice = done;
        }

        return answer;
    }
}
