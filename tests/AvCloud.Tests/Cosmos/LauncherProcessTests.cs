using System.Net;
using System.Net.Sockets;
using AvCloud.Local;
using AvCloud.Local.Emulators;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;

namespace AvCloud.Tests.Cosmos;

/// <summary>Behaviour of the launcher process itself: connections, snapshots. Each test starts a launcher of its own.</summary>
public sealed class LauncherProcessTests : IAsyncDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("avcloud-cosmos-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<(NodeProcess Process, Uri Endpoint)> StartAsync(string? dataDirectory)
    {
        var port = Emulator.PickPort(0);
        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        List<string> arguments = ["--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (dataDirectory is not null)
        {
            arguments.AddRange(["--data", dataDirectory]);
        }

        var process = NodeProcess.Start("cosmos", Emulator.FindLocalDirectory(), Path.Combine("cosmos", "launcher.js"), arguments, NullLogger.Instance);
        await Emulator.WaitUntilAnsweringAsync(process, "cosmos", endpoint, needsSuccess: true, Cancel);
        return (process, endpoint);
    }

    private static CosmosClient ClientFor(Uri endpoint, Func<HttpClient>? httpClientFactory = null) => new(endpoint.ToString(), LocalCloud.CosmosKey,
        new CosmosClientOptions
        {
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
            UseSystemTextJsonSerializerWithOptions = Functions.AvCloudJson.Options,
            HttpClientFactory = httpClientFactory,
        });

    [Fact]
    public async Task Connections_are_kept_alive_and_reused()
    {
        var (process, endpoint) = await StartAsync(null);
        await using var _ = process;
        var connections = 0;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = ClientFor(endpoint, () => new HttpClient(handler, disposeHandler: false));
        var container = (await (await client.CreateDatabaseIfNotExistsAsync("keepalive", cancellationToken: Cancel)).Database
            .CreateContainerIfNotExistsAsync("items", "/unitId", cancellationToken: Cancel)).Container;
        await container.CreateItemAsync(new Item("1", "unit-a", "x", 1), new PartitionKey("unit-a"), cancellationToken: Cancel);
        var afterSetup = connections;

        for (var i = 0; i < 50; i++)
        {
            await container.ReadItemAsync<Item>("1", new PartitionKey("unit-a"), cancellationToken: Cancel);
        }

        // Sequential reads over a kept-alive connection open no new ones.
        Assert.Equal(afterSetup, connections);
        using var raw = new HttpClient();
        using var response = await raw.GetAsync(endpoint, Cancel);
        Assert.NotEqual(true, response.Headers.ConnectionClose);
        handler.Dispose();
    }

    [Fact]
    public async Task With_a_data_directory_everything_survives_a_restart()
    {
        string continuation;
        string etag;
        var (first, endpoint) = await StartAsync(_data);
        await using (first)
        {
            using var client = ClientFor(endpoint);
            var database = (await client.CreateDatabaseIfNotExistsAsync("kept", cancellationToken: Cancel)).Database;
            var container = (await database.CreateContainerIfNotExistsAsync(
                new ContainerProperties("items", "/unitId") { UniqueKeyPolicy = new UniqueKeyPolicy { UniqueKeys = { new UniqueKey { Paths = { "/email" } } } } },
                throughput: 600, cancellationToken: Cancel)).Container;
            etag = (await container.CreateItemAsync(new Item("1", "unit-a", "kept", 1, "a@example.org"), new PartitionKey("unit-a"), cancellationToken: Cancel)).ETag;
            using var feed = container.GetChangeFeedIterator<Item>(ChangeFeedStartFrom.Beginning(), ChangeFeedMode.LatestVersion);
            FeedResponse<Item> page;
            do
            {
                page = await feed.ReadNextAsync(Cancel);
            }
            while (page.StatusCode != HttpStatusCode.NotModified);
            continuation = page.ContinuationToken;
        }

        Assert.True(File.Exists(Path.Combine(_data, "cosmos.json")));
        var (second, endpointAfter) = await StartAsync(_data);
        await using (second)
        {
            using var client = ClientFor(endpointAfter);
            var container = client.GetContainer("kept", "items");
            var item = await container.ReadItemAsync<Item>("1", new PartitionKey("unit-a"), cancellationToken: Cancel);
            Assert.Equal("kept", item.Resource.Name);
            Assert.Equal(etag, item.ETag);
            Assert.Equal(600, await container.ReadThroughputAsync(Cancel));
            var conflict = await Assert.ThrowsAsync<CosmosException>(() =>
                container.CreateItemAsync(new Item("2", "unit-a", "dup", 1, "a@example.org"), new PartitionKey("unit-a"), cancellationToken: Cancel));
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

            await container.CreateItemAsync(new Item("3", "unit-a", "after restart", 1), new PartitionKey("unit-a"), cancellationToken: Cancel);
            using var feed = container.GetChangeFeedIterator<Item>(ChangeFeedStartFrom.ContinuationToken(continuation), ChangeFeedMode.LatestVersion);
            var page = await feed.ReadNextAsync(Cancel);
            Assert.Equal(["3"], page.Select(i => i.Id));
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }
}
