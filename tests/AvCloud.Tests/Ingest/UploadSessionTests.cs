using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Ingest;

/// <summary>Opening upload sessions: what a dock may send, and what its upload URLs allow.</summary>
public sealed class UploadSessionTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Recorded = Recent.HoursAgo(4);

    private static readonly string[] DockFields = ["deviceClockAtDocking", "deviceId", "dockedAt", "officerId"];

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private static object File(string name = "clip.mp4", string kind = "video", long size = 1000, string? sha = null) => new
    {
        name,
        kind,
        size,
        sha256 = sha ?? new string('b', 64),
        recordedStart = Recorded,
        recordedEnd = Recorded.AddMinutes(1),
    };

    public static TheoryData<string, string> BadManifests() => new()
    {
        { "files[1].name", Json(File("same.mp4"), File("same.mp4")) },
        { "files[1].name", Json(File("same.mp4"), File("SAME.mp4")) },
        { "files[0].sha256", Json(File(sha: "not-a-hash")) },
        { "files[0].sha256", Json(File(sha: new string('z', 64))) },
        { "files[0].name", Json(File("../../footage/x.mp4")) },
        { "files[0].name", Json(File("unit-a/other/x.mp4")) },
        { "files[0].name", Json(File("dir\\x.mp4")) },
        { "files[0].name", Json(File("bell\u0007.mp4")) },
        { "files[0].name", Json(File("..")) },
        { "files[0].size", Json(File(size: 0)) },
        { "files[0].size", Json(File(size: 300_000_000_000_000)) },
        { "files[0].kind", Json(File(kind: "hologram")) },
        { "files", Json() },
    };

    private static string Json(params object[] files) => JsonContent.Create(new
    {
        dockId = "dock-3",
        deviceId = "bwc-0042",
        officerId = "officer-zhang",
        dockedAt = Recorded.AddHours(1),
        deviceClockAtDocking = Recorded.AddHours(1),
        files,
    }).ReadAsStringAsync().GetAwaiter().GetResult();

    [Theory]
    [MemberData(nameof(BadManifests))]
    public async Task A_bad_manifest_is_a_400_naming_the_field_and_stores_nothing(string field, string manifest)
    {
        var unit = NewUnit();

        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", fixture.DockTokenFor(unit),
            new StringContent(manifest, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
        Assert.NotNull(problem["errors"]![field]);
        await AssertNothingStoredAsync(unit);
    }

    [Fact]
    public async Task Missing_dock_fields_are_each_named()
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", fixture.DockTokenFor(NewUnit()),
            JsonContent.Create(new { files = new[] { File() } }));

        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!["errors"]!.AsObject();
        Assert.Equal(DockFields.Order(StringComparer.Ordinal), errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("{\"dockId\": ", HttpStatusCode.BadRequest)]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("null", HttpStatusCode.BadRequest)]
    public async Task Malformed_bodies_are_refused(string body, HttpStatusCode expected)
    {
        var unit = NewUnit();

        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", fixture.DockTokenFor(unit),
            new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingStoredAsync(unit);
    }

    [Fact]
    public async Task An_oversized_manifest_is_413()
    {
        var unit = NewUnit();
        var files = Enumerable.Range(0, 900).Select(i => File($"{new string('x', 1000)}-{i}.mp4")).ToArray();

        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", fixture.DockTokenFor(unit),
            new StringContent(Json(files), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingStoredAsync(unit);
    }

    [Theory]
    [InlineData(Roles.Officer)]
    [InlineData(Roles.Keeper)]
    [InlineData(Roles.Reviewer)]
    public async Task Only_a_dock_opens_sessions(string role)
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", fixture.TokenFor(NewUnit(), role),
            new StringContent(Json(File()), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Another_units_session_is_not_found()
    {
        var dock = new Dock(fixture, NewUnit());
        var session = await dock.OpenAsync(JsonNode.Parse(Json(File()))!);

        using var other = await fixture.SendAsync(HttpMethod.Get, $"/api/uploads/{session.SessionId}", fixture.TokenFor(NewUnit(), Roles.Keeper));
        using var keeper = await fixture.SendAsync(HttpMethod.Get, $"/api/uploads/{session.SessionId}", fixture.TokenFor(dock.Unit, Roles.Keeper));

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keeper.StatusCode);
    }

    [Fact]
    public async Task An_upload_url_creates_its_one_blob_and_can_do_nothing_else()
    {
        var dock = new Dock(fixture, NewUnit());
        var content = CatalogueTests.WavOf(1);
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(1), TimeSpan.Zero,
            Dock.FileEntry("a.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1)),
            Dock.FileEntry("b.wav", "audio", content, Recorded, TimeSpan.FromSeconds(1))));
        var url = session.Files.Single(f => f.Name == "a.wav").UploadUrl;
        var blob = new BlobClient(url);
        await blob.UploadAsync(new BinaryData(content), Cancel);

        // Read, overwrite, list, and write a blob of another name with the same signature: all refused.
        var read = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DownloadContentAsync(Cancel));
        var overwrite = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(new BinaryData(content), overwrite: true, Cancel));
        var containerUri = new BlobUriBuilder(url) { BlobName = "" }.ToUri();
        var list = await Assert.ThrowsAsync<RequestFailedException>(async () =>
        {
            await foreach (var _ in new BlobContainerClient(containerUri).GetBlobsAsync(cancellationToken: Cancel))
            {
            }
        });
        var elsewhere = new BlobUriBuilder(url) { BlobName = url.AbsolutePath.Split('/')[^1] == "a.wav" ? $"{dock.Unit}/{session.SessionId}/b.wav" : "x" }.ToUri();
        var other = await Assert.ThrowsAsync<RequestFailedException>(() => new BlobClient(elsewhere).UploadAsync(new BinaryData(content), Cancel));

        Assert.Equal(403, read.Status);
        Assert.True(overwrite.Status is 403 or 409, $"overwrite answered {overwrite.Status}");
        Assert.Equal(403, list.Status);
        Assert.Equal(403, other.Status);
    }

    private async Task AssertNothingStoredAsync(string unit)
    {
        var uploads = fixture.Cloud.Services.GetRequiredService<Database>().GetContainer(CosmosContainers.Uploads);
        using var feed = uploads.GetItemQueryIterator<int>(new QueryDefinition("SELECT VALUE COUNT(1) FROM c"),
            requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(unit) });
        Assert.Equal(0, (await feed.ReadNextAsync(Cancel)).Single());
    }
}
