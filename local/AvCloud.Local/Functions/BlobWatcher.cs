using Azure.Messaging.EventGrid;
using Azure.Storage.Blobs;

namespace AvCloud.Local.Functions;

/// <summary>
/// Azurite emits no Event Grid events, so the local host watches the containers that blob triggers listen on
/// and, for each blob newly committed there, delivers a BlobCreated event to the function's webhook over HTTP,
/// once per blob version, as an Event Grid subscription would, with the blobs_extension key in the URL as Event Grid's
/// subscription carries it. A delivery that fails is retried with backoff.
/// </summary>
internal sealed partial class BlobWatcher(
    BlobTriggers triggers,
    BlobServiceClient blobs,
    HttpClient webhook,
    string webhookKey,
    TimeSpan interval,
    ILogger<BlobWatcher> logger) : IAsyncDisposable
{
    // Event Grid's default retry policy gives up after 30 attempts; so does the watcher.
    private const int MaxAttempts = 30;

    // Event Grid pushes deliveries concurrently; 32 at a time keeps the watcher close to it (see docs/performance.md).
    private const int MaxConcurrentDeliveries = 32;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Delivery> _deliveries = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _concurrency = new(MaxConcurrentDeliveries, MaxConcurrentDeliveries);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private sealed record Delivery(bool Done, bool InFlight, int Attempts, DateTimeOffset NextAttempt);

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var watched = triggers.EventGridFunctions
            .Select(f => (Function: f, Container: new BlobPathPattern(f.Blob.BlobPath).Container))
            .ToList();
        if (watched.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await ScanAsync(watched, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogScanFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>
    /// One pass over the watched containers: every blob version not yet delivered (and not being delivered) is sent on
    /// its way. Deliveries run in the background, at most <see cref="MaxConcurrentDeliveries"/> at a time, so a slow
    /// function does not hold back the next scan, as Event Grid does not wait for one delivery before the next.
    /// </summary>
    public async Task ScanAsync(IReadOnlyList<(LocalFunction Function, string Container)> watched, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in watched.GroupBy(w => w.Container))
        {
            var container = blobs.GetBlobContainerClient(group.Key);
            await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken))
            {
                foreach (var (function, _) in group)
                {
                    var key = $"{function.Name}|{group.Key}|{item.Name}|{item.Properties.ETag}";
                    seen.Add(key);
                    var delivery = _deliveries.GetValueOrDefault(key);
                    var due = delivery is null
                        || (!delivery.Done && !delivery.InFlight && delivery.Attempts < MaxAttempts && delivery.NextAttempt <= DateTimeOffset.UtcNow);
                    if (!due)
                    {
                        continue;
                    }

                    var attempts = (delivery?.Attempts ?? 0) + 1;
                    _deliveries[key] = new Delivery(false, true, attempts, DateTimeOffset.MaxValue);
                    var (name, etag, length) = (item.Name, item.Properties.ETag.ToString()!, item.Properties.ContentLength ?? 0);
                    _ = Task.Run(async () =>
                    {
                        await _concurrency.WaitAsync(cancellationToken);
                        try
                        {
                            var delivered = await DeliverAsync(function, group.Key, name, etag, length, cancellationToken);
                            _deliveries[key] = new Delivery(delivered, false, attempts,
                                DateTimeOffset.UtcNow + TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, attempts))));
                        }
                        finally
                        {
                            _concurrency.Release();
                        }
                    }, cancellationToken);
                }
            }
        }

        // Forget blobs that are gone (catalogued and removed), so memory stays bounded.
        foreach (var key in _deliveries.Where(d => !d.Value.InFlight && !seen.Contains(d.Key)).Select(d => d.Key).ToList())
        {
            _deliveries.TryRemove(key, out _);
        }
    }

    private async Task<bool> DeliverAsync(LocalFunction function, string container, string blob, string etag, long length, CancellationToken cancellationToken)
    {
        var url = blobs.GetBlobContainerClient(container).GetBlobClient(blob).Uri;
        var data = new Dictionary<string, object?>
        {
            ["api"] = "PutBlockList",
            ["clientRequestId"] = Guid.NewGuid().ToString(),
            ["requestId"] = Guid.NewGuid().ToString(),
            ["eTag"] = etag,
            ["contentType"] = "application/octet-stream",
            ["contentLength"] = length,
            ["blobType"] = "BlockBlob",
            ["url"] = url.ToString(),
            ["sequencer"] = DateTimeOffset.UtcNow.UtcTicks.ToString("x32", System.Globalization.CultureInfo.InvariantCulture),
            ["storageDiagnostics"] = new Dictionary<string, string> { ["batchId"] = Guid.NewGuid().ToString() },
        };
        var created = new EventGridEvent($"/blobServices/default/containers/{container}/blobs/{blob}",
            SystemEventNames.StorageBlobCreated, "", BinaryData.FromObjectAsJson(data))
        {
            Topic = $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/avcloud-local/providers/Microsoft.Storage/storageAccounts/{blobs.AccountName}",
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{BlobTriggers.WebhookPath}?{BlobTriggers.WebhookQuery(function)}&{HostKeys.QueryParameter}={Uri.EscapeDataString(webhookKey)}")
        {
            Content = new StringContent(BinaryData.FromObjectAsJson(new[] { created }).ToString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("aeg-event-type", "Notification");
        try
        {
            using var response = await webhook.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                LogDeliveryFailed(logger, function.Name, container, blob, (int)response.StatusCode);
            }

            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException exception)
        {
            LogDeliveryError(logger, exception, function.Name, container, blob);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Let deliveries under way finish (they were cancelled) before their semaphore goes.
        for (var i = 0; i < 100 && _concurrency.CurrentCount < MaxConcurrentDeliveries; i++)
        {
            await Task.Delay(100);
        }

        _stop.Dispose();
        _concurrency.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching blob containers failed; retrying")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} answered {Status} for {Container}/{Blob}; the event will be delivered again")]
    private static partial void LogDeliveryFailed(ILogger logger, string function, string container, string blob, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering {Container}/{Blob} to {Function} failed; the event will be delivered again")]
    private static partial void LogDeliveryError(ILogger logger, Exception exception, string function, string container, string blob);
}
