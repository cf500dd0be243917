using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AvCloud.Local.Functions;

/// <summary>
/// The blob extension's Event Grid webhook, <c>POST /runtime/webhooks/blobs?functionName=Host.Functions.NAME</c>:
/// answers the subscription validation handshake (Event Grid schema and CloudEvents), and runs the named
/// blob-triggered function for each BlobCreated event. Like the Functions host it keeps a receipt per blob
/// version (ETag) in <c>azure-webjobs-hosts</c>, so an event delivered twice runs the function once.
/// </summary>
internal sealed partial class BlobTriggers(
    IReadOnlyList<LocalFunction> functions,
    BlobServiceClient blobs,
    IServiceScopeFactory scopes,
    ILogger<BlobTriggers> logger)
{
    public const string WebhookPath = "/runtime/webhooks/blobs";
    public const string ReceiptsContainer = "azure-webjobs-hosts";
    private const string FunctionNamePrefix = "Host.Functions.";

    private readonly ConcurrentDictionary<string, Lazy<Task>> _inFlight = new(StringComparer.Ordinal);

    public IEnumerable<LocalFunction> EventGridFunctions =>
        functions.Where(f => f.Kind == TriggerKind.Blob && f.Problem is null);

    public static string WebhookQuery(LocalFunction function) => $"functionName={FunctionNamePrefix}{function.Name}";

    /// <summary>Maps the webhook; as in Azure, it needs the blobs_extension system key (or the master key).</summary>
    public void Map(IEndpointRouteBuilder endpoints, HostKeys keys)
    {
        endpoints.MapPost(WebhookPath, HandleAsync).RequireHostKey(keys, keys.BlobsExtensionKey);
        // CloudEvents abuse protection: the subscriber confirms it accepts deliveries from the origin.
        endpoints.MapMethods(WebhookPath, ["OPTIONS"], (HttpContext http) =>
        {
            http.Response.Headers["WebHook-Allowed-Origin"] = http.Request.Headers["WebHook-Request-Origin"].ToString() is { Length: > 0 } origin ? origin : "*";
            http.Response.Headers["WebHook-Allowed-Rate"] = "*";
            return Results.Ok();
        }).RequireHostKey(keys, keys.BlobsExtensionKey);
    }

    private async Task<IResult> HandleAsync(HttpContext http, string? functionName)
    {
        var function = EventGridFunctions.FirstOrDefault(f => functionName == FunctionNamePrefix + f.Name);
        if (function is null)
        {
            return TypedResults.Problem($"No blob-triggered function named '{functionName}' listens for Event Grid events.",
                statusCode: StatusCodes.Status404NotFound, title: "Unknown function.");
        }

        var body = await BinaryData.FromStreamAsync(http.Request.Body, http.RequestAborted);
        List<(string Type, BinaryData? Data)> events;
        try
        {
            events = Parse(body);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or ArgumentException or FormatException)
        {
            return TypedResults.Problem("The body is not an Event Grid or CloudEvents batch.",
                statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.");
        }

        foreach (var (type, data) in events)
        {
            if (type == SystemEventNames.EventGridSubscriptionValidation && data is not null)
            {
                var code = JsonNode.Parse(data)?["validationCode"]?.GetValue<string>();
                return TypedResults.Ok(new { validationResponse = code });
            }
        }

        var created = new List<BlobUriBuilder>();
        foreach (var (type, data) in events.Where(e => e.Type == SystemEventNames.StorageBlobCreated))
        {
            if (data is null || JsonNode.Parse(data)?["url"]?.GetValue<string>() is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                return TypedResults.Problem("A BlobCreated event has no blob URL.", statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.");
            }

            created.Add(new BlobUriBuilder(uri));
        }

        foreach (var blob in created)
        {
            try
            {
                await RunOnceAsync(function, blob.BlobContainerName, blob.BlobName, http.RequestAborted);
            }
            catch (Exception exception) when (!http.RequestAborted.IsCancellationRequested)
            {
                // As the Functions host does: the delivery fails (500) and Event Grid delivers the event again.
                LogRunFailed(logger, exception, function.Name, blob.BlobContainerName, blob.BlobName);
                return TypedResults.Problem("The function failed; the event will be delivered again.",
                    statusCode: StatusCodes.Status500InternalServerError, title: "Function failed.");
            }
        }

        return TypedResults.Ok();
    }

    private static List<(string Type, BinaryData? Data)> Parse(BinaryData body)
    {
        var node = JsonNode.Parse(body);
        var first = node is JsonArray array ? array.FirstOrDefault() : node;
        if (first?["specversion"] is not null)
        {
            return [.. CloudEvent.ParseMany(body).Select(e => (e.Type, e.Data))];
        }

        return [.. EventGridEvent.ParseMany(body).Select(e => (e.EventType, (BinaryData?)e.Data))];
    }

    /// <summary>Runs <paramref name="function"/> for the current version of a blob unless it already ran for it.</summary>
    public async Task RunOnceAsync(LocalFunction function, string container, string blobName, CancellationToken cancellationToken)
    {
        var pattern = new BlobPathPattern(function.Blob.BlobPath);
        var bindingData = pattern.Match(container, blobName);
        if (bindingData is null)
        {
            LogNotMatched(logger, function.Name, container, blobName);
            return;
        }

        var blob = blobs.GetBlobContainerClient(container).GetBlobClient(blobName);
        BlobProperties properties;
        try
        {
            properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == StatusCodes.Status404NotFound)
        {
            // Already handled and removed, or deleted before delivery: nothing to do, as in Azure.
            LogBlobGone(logger, function.Name, container, blobName);
            return;
        }

        var receipt = blobs.GetBlobContainerClient(ReceiptsContainer)
            .GetBlobClient($"blobreceipts/avcloud-local/{function.Name}/{properties.ETag.ToString().Trim('"')}/{container}/{blobName}");
        var key = receipt.Name;
        var run = _inFlight.GetOrAdd(key, _ => new Lazy<Task>(() => RunAndReceiptAsync(function, blob, bindingData, receipt, cancellationToken)));
        try
        {
            await run.Value;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, run));
        }
    }

    private async Task RunAndReceiptAsync(LocalFunction function, BlobClient blob, IReadOnlyDictionary<string, object?> bindingData,
        BlobClient receipt, CancellationToken cancellationToken)
    {
        if (await receipt.ExistsAsync(cancellationToken))
        {
            LogAlreadyDone(logger, function.Name, blob.BlobContainerName, blob.Name);
            return;
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, http: null, bindingData,
                (parameter, ct) => BindBlobAsync(parameter.ParameterType, blob, ct), cancellationToken);
        }

        await receipt.UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken);
    }

    private static async ValueTask<object?> BindBlobAsync(Type type, BlobClient blob, CancellationToken cancellationToken)
    {
        if (type == typeof(BlobClient) || type == typeof(BlobBaseClient))
        {
            return blob;
        }

        if (type == typeof(BlockBlobClient))
        {
            return blob.GetParentBlobContainerClient().GetBlockBlobClient(blob.Name);
        }

        if (type == typeof(Stream))
        {
            return await blob.OpenReadAsync(cancellationToken: cancellationToken);
        }

        var content = (await blob.DownloadContentAsync(cancellationToken)).Value.Content;
        return type == typeof(string) ? content.ToString() : type == typeof(byte[]) ? content.ToArray() : content;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} failed for {Container}/{Blob}")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string function, string container, string blob);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: blob {Container}/{Blob} does not match its trigger path")]
    private static partial void LogNotMatched(ILogger logger, string function, string container, string blob);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Function}: blob {Container}/{Blob} no longer exists; event acknowledged")]
    private static partial void LogBlobGone(ILogger logger, string function, string container, string blob);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Function}: already ran for this version of {Container}/{Blob}")]
    private static partial void LogAlreadyDone(ILogger logger, string function, string container, string blob);
}
