using System.Diagnostics;
using System.Net;
using Azure.Storage.Blobs;
using AvCloud.Local;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Hosting;

/// <summary>A second local cloud of its own: what `./avcloud up --data DIR` promises across a stop and a start.</summary>
public sealed class LocalCloudLifecycleTests : IAsyncDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("avcloud-up-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private LocalCloudOptions Options => new()
    {
        Port = 0,
        AzuritePort = 0,
        CosmosPort = 0,
        DataDirectory = _data,
        RunTimerSchedules = false,
        MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
    };

    private sealed record Note(string Id, string UnitId, string Text);

    [Fact]
    public async Task Stopping_leaves_no_process_behind_and_data_and_holds_survive_a_restart()
    {
        IReadOnlyList<int> children;
        await using (var cloud = await LocalCloud.StartAsync(Options, Cancel))
        {
            children = cloud.ChildProcessIds;
            var catalogue = cloud.Services.GetRequiredService<Database>().GetContainer("footage");
            await catalogue.CreateItemAsync(new Note("n1", "unit-a", "kept"), new PartitionKey("unit-a"), cancellationToken: Cancel);
            var kept = new BlobServiceClient(cloud.StorageConnectionString).GetBlobContainerClient("ingest").GetBlobClient("kept.mp4");
            await kept.UploadAsync(BinaryData.FromString("footage"), Cancel);
            await kept.SetLegalHoldAsync(true, Cancel);
        }

        foreach (var pid in children)
        {
            Assert.False(IsRunning(pid), $"Emulator process {pid} is still running after the local cloud stopped.");
        }

        await using (var cloud = await LocalCloud.StartAsync(Options, Cancel))
        {
            var note = await cloud.Services.GetRequiredService<Database>().GetContainer("footage")
                .ReadItemAsync<Note>("n1", new PartitionKey("unit-a"), cancellationToken: Cancel);
            Assert.Equal("kept", note.Resource.Text);
            var kept = new BlobServiceClient(cloud.StorageConnectionString).GetBlobContainerClient("ingest").GetBlobClient("kept.mp4");
            var blob = await kept.DownloadContentAsync(Cancel);
            Assert.Equal("footage", blob.Value.Content.ToString());
            // The legal hold survived the restart, and still refuses the delete.
            Assert.True(blob.Value.Details.HasLegalHold);
            var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => kept.DeleteAsync(cancellationToken: Cancel));
            Assert.Equal("BlobImmutableDueToLegalHold", refused.ErrorCode);
            using var http = new HttpClient { BaseAddress = cloud.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/health", Cancel)).StatusCode);
        }
    }

    [Fact]
    public async Task A_host_on_emulators_it_did_not_start_leaves_them_running_and_their_data_is_there_for_the_next_host()
    {
        await using var emulators = await Local.Emulators.LocalEmulators.StartAsync(Local.Emulators.Emulator.PickPort(0), Local.Emulators.Emulator.PickPort(0),
            dataDirectory: null, clock: null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Cancel);
        var options = new LocalCloudOptions
        {
            Port = 0, Emulators = emulators.Endpoints, RunTimerSchedules = false, MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Error,
        };
        await using (var cloud = await LocalCloud.StartAsync(options, Cancel))
        {
            Assert.Empty(cloud.ChildProcessIds);
            Assert.Equal(emulators.Endpoints.BlobEndpoint, cloud.BlobEndpoint);
            await cloud.Services.GetRequiredService<Database>().GetContainer("footage")
                .CreateItemAsync(new Note("n2", "unit-b", "outlives the host"), new PartitionKey("unit-b"), cancellationToken: Cancel);
        }

        Assert.All(emulators.ProcessIds, pid => Assert.True(IsRunning(pid), $"Emulator process {pid} stopped with a host that did not start it."));
        await using (var next = await LocalCloud.StartAsync(options, Cancel))
        {
            var note = await next.Services.GetRequiredService<Database>().GetContainer("footage")
                .ReadItemAsync<Note>("n2", new PartitionKey("unit-b"), cancellationToken: Cancel);
            Assert.Equal("outlives the host", note.Resource.Text);
        }
    }

    [Theory]
    [InlineData("--blob-endpoint", "http://127.0.0.1:10000/devstoreaccount1")]
    [InlineData("--cosmos-endpoint", "http://127.0.0.1:8081/")]
    public async Task Up_refuses_one_running_emulator_without_the_other(string option, string address) =>
        Assert.Equal(2, await Local.Program.Main([option, address]));

    [Theory]
    [InlineData("http://10.0.0.5:10000/devstoreaccount1")]
    [InlineData("https://127.0.0.1:10000/devstoreaccount1")]
    [InlineData("not-an-address")]
    public async Task Up_refuses_an_emulator_address_off_this_machine(string address) =>
        Assert.Equal(2, await Local.Program.Main(["--blob-endpoint", address, "--cosmos-endpoint", "http://127.0.0.1:8081/"]));

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }
}
