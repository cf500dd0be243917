using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Storage.Blobs;

namespace AvCloud.Tests.Hosting;

public sealed class BlobWebhookTests(LocalCloudFixture fixture)
{
    private string Webhook => fixture.Webhook(nameof(RecordProbeBlob));

    private BlobContainerClient ProbeContainer =>
        new BlobServiceClient(fixture.Cloud.StorageConnectionString).GetBlobContainerClient(RecordProbeBlob.Container);

    [Fact]
    public async Task Event_Grid_subscription_validation_is_answered_with_the_code()
    {
        var validation = new
        {
            id = Guid.NewGuid().ToString(),
            topic = "/subscriptions/x/resourceGroups/avcloud/providers/Microsoft.Storage/storageAccounts/footage",
            subject = "",
            eventType = "Microsoft.EventGrid.SubscriptionValidationEvent",
            eventTime = DateTimeOffset.UtcNow,
            data = new { validationCode = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl = "https://example.invalid/validate" },
            dataVersion = "1",
            metadataVersion = "1",
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, Webhook) { Content = JsonContent.Create(new[] { validation }) };
        request.Headers.Add("aeg-event-type", "SubscriptionValidation");

        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", body?["validationResponse"]?.GetValue<string>());
    }

    [Fact]
    public async Task CloudEvents_abuse_protection_handshake_allows_the_origin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, Webhook);
        request.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");

        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventgrid.azure.net", response.Headers.GetValues("WebHook-Allowed-Origin").Single());
    }

    [Fact]
    public async Task A_committed_blob_runs_its_function_once()
    {
        var name = $"watched-{Guid.NewGuid():N}.mp4";
        await ProbeContainer.UploadBlobAsync(name, BinaryData.FromString("footage"), TestContext.Current.CancellationToken);

        await Eventually.That(() => fixture.Probes.CountBlob(name) >= 1, $"the watcher to deliver {name}", TestContext.Current.CancellationToken);
        // Several more watcher passes (every 250 ms) must not deliver it again; a delivery that does not happen signals nothing.
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.Equal(1, fixture.Probes.CountBlob(name));
    }

    [Fact]
    public async Task The_same_event_delivered_twice_runs_the_function_once()
    {
        var name = $"direct-{Guid.NewGuid():N}.mp4";
        var blob = ProbeContainer.GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromString("footage"), TestContext.Current.CancellationToken);
        var created = BlobCreated(blob.Uri);

        for (var i = 0; i < 2; i++)
        {
            using var response = await fixture.Http.PostAsync(Webhook, EventGridBody(created), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The webhook ran the function before answering; a second run (from the watcher, every 250 ms) would signal nothing.
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.Equal(1, fixture.Probes.CountBlob(name));
    }

    [Fact]
    public async Task A_CloudEvents_delivery_runs_the_function()
    {
        var name = $"cloudevent-{Guid.NewGuid():N}.wav";
        var blob = ProbeContainer.GetBlobClient(name);
        await blob.UploadAsync(BinaryData.FromString("audio"), TestContext.Current.CancellationToken);
        var cloudEvent = new CloudEvent("/subscriptions/x/resourceGroups/avcloud/providers/Microsoft.Storage/storageAccounts/footage",
            "Microsoft.Storage.BlobCreated", new { api = "PutBlockList", url = blob.Uri.ToString(), blobType = "BlockBlob" });
        using var content = new StringContent(BinaryData.FromObjectAsJson(new[] { cloudEvent }).ToString(), Encoding.UTF8, "application/cloudevents-batch+json");

        using var response = await fixture.Http.PostAsync(Webhook, content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.That(() => fixture.Probes.CountBlob(name) >= 1, $"the CloudEvents delivery of {name} to run", TestContext.Current.CancellationToken);
        Assert.Equal(1, fixture.Probes.CountBlob(name));
    }

    [Fact]
    public async Task An_event_for_a_blob_that_is_gone_is_acknowledged_without_running()
    {
        var name = $"gone-{Guid.NewGuid():N}.mp4";
        var created = BlobCreated(ProbeContainer.GetBlobClient(name).Uri);

        using var response = await fixture.Http.PostAsync(Webhook, EventGridBody(created), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, fixture.Probes.CountBlob(name));
    }

    [Fact]
    public async Task An_unknown_function_is_not_found()
    {
        using var response = await fixture.Http.PostAsync(fixture.Webhook("Nope"),
            EventGridBody(BlobCreated(new Uri("http://127.0.0.1/devstoreaccount1/probe/x"))), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_body_that_is_not_an_event_batch_is_a_bad_request()
    {
        using var content = new StringContent("{not json", Encoding.UTF8, "application/json");

        using var response = await fixture.Http.PostAsync(Webhook, content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("function-key")]
    public async Task Without_the_blobs_extension_key_the_webhook_is_unauthorized_and_runs_nothing(string? key)
    {
        // A function-level key is not a system key; in Azure only blobs_extension (or the master key) opens the webhook.
        var path = "/runtime/webhooks/blobs?functionName=Host.Functions.RecordProbeBlob" + (key is null ? "" : $"&code={key}");

        using var response = await fixture.Http.SendAsync(Handshake(path), TestContext.Current.CancellationToken);
        using var options = new HttpRequestMessage(HttpMethod.Options, path);
        options.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");
        using var optionsResponse = await fixture.Http.SendAsync(options, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Unauthorized, optionsResponse.StatusCode);
        Assert.False(optionsResponse.Headers.Contains("WebHook-Allowed-Origin"));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("code")]
    [InlineData("master")]
    public async Task The_blobs_extension_key_in_the_header_or_the_code_parameter_or_the_master_key_opens_the_webhook(string how)
    {
        var keys = fixture.Cloud.Keys;
        var path = "/runtime/webhooks/blobs?functionName=Host.Functions.RecordProbeBlob" + how switch
        {
            "code" => $"&code={Uri.EscapeDataString(keys.BlobsExtensionKey)}",
            "master" => $"&code={Uri.EscapeDataString(keys.Master)}",
            _ => "",
        };
        using var request = Handshake(path);
        if (how == "header")
        {
            request.Headers.Add("x-functions-key", keys.BlobsExtensionKey);
        }

        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("0b1b6b1e-7c1a-4f55-9d7e-5a3c1f0e2d4b", body?["validationResponse"]?.GetValue<string>());
    }

    private static HttpRequestMessage Handshake(string path)
    {
        var validation = new
        {
            id = Guid.NewGuid().ToString(),
            topic = "/subscriptions/x/resourceGroups/avcloud/providers/Microsoft.Storage/storageAccounts/footage",
            subject = "",
            eventType = "Microsoft.EventGrid.SubscriptionValidationEvent",
            eventTime = DateTimeOffset.UtcNow,
            data = new { validationCode = "0b1b6b1e-7c1a-4f55-9d7e-5a3c1f0e2d4b" },
            dataVersion = "1",
            metadataVersion = "1",
        };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new[] { validation }) };
        request.Headers.Add("aeg-event-type", "SubscriptionValidation");
        return request;
    }

    private static EventGridEvent BlobCreated(Uri blob) => new(
        $"/blobServices/default/containers/{RecordProbeBlob.Container}/blobs/x", "Microsoft.Storage.BlobCreated", "1",
        new { api = "PutBlob", url = blob.ToString(), blobType = "BlockBlob", contentLength = 7 })
    {
        Topic = "/subscriptions/x/resourceGroups/avcloud/providers/Microsoft.Storage/storageAccounts/footage",
    };

    private static StringContent EventGridBody(EventGridEvent e) =>
        new(BinaryData.FromObjectAsJson(new[] { e }).ToString(), Encoding.UTF8, "application/json");
}
