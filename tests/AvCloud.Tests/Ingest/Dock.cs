using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AvCloud.Functions;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;

namespace AvCloud.Tests.Ingest;

/// <summary>What a dock station does, for tests: open a session with a manifest, upload through the SAS URLs, wait.</summary>
internal sealed class Dock(LocalCloudFixture fixture, string unit)
{
    public string Unit { get; } = unit;

    public string DockToken { get; } = fixture.DockTokenFor(unit);

    public static string MediaPath(string file) => Path.Combine(AppContext.BaseDirectory, "Ingest", "Media", file);

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static object FileEntry(string name, string kind, byte[] content, DateTimeOffset start, TimeSpan length, string? sha256 = null, long? size = null,
        string? category = null) => new
    {
        name,
        kind,
        size = size ?? content.Length,
        sha256 = sha256 ?? Sha256(content),
        recordedStart = start,
        recordedEnd = start + length,
        category,
    };

    public static object Manifest(DateTimeOffset dockedAt, TimeSpan deviceClockBehind, params object[] files) => new
    {
        dockId = "dock-3",
        deviceId = DeviceId,
        officerId = "officer-zhang",
        dockedAt,
        deviceClockAtDocking = dockedAt - deviceClockBehind,
        files,
    };

    public const string DeviceId = "bwc-0042";

    /// <summary>A manifest as JSON, to change a field the helpers do not offer.</summary>
    public static System.Text.Json.Nodes.JsonObject Node(object manifest) =>
        System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(manifest, AvCloudJson.Options))!.AsObject();

    private readonly HashSet<string> _registered = [];

    /// <summary>Registers a recorder in the unit (once), as the keeper does before it is first handed out.</summary>
    public async Task RegisterDeviceAsync(string deviceId = DeviceId)
    {
        if (!_registered.Add(deviceId))
        {
            return;
        }

        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/devices", fixture.TokenFor(Unit, Roles.Keeper),
            JsonContent.Create(new { id = deviceId, kind = "bodyWornCamera", serial = $"SN-{deviceId}", model = "DSJ-V9" }));
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public async Task<UploadSessionOpened> OpenAsync(object manifest)
    {
        await RegisterDeviceAsync();
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/uploads", DockToken, JsonContent.Create(manifest));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<UploadSessionOpened>(AvCloudJson.Options, TestContext.Current.CancellationToken))!;
    }

    public static async Task UploadAsync(UploadSessionOpened session, string name, byte[] content)
    {
        var target = new BlobClient(session.Files.Single(f => f.Name == name).UploadUrl);
        await target.UploadAsync(new BinaryData(content), new BlobUploadOptions
        {
            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
        }, TestContext.Current.CancellationToken);
    }

    public async Task<UploadSession> SessionAsync(string sessionId)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/uploads/{sessionId}", DockToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UploadSession>(AvCloudJson.Options, TestContext.Current.CancellationToken))!;
    }

    /// <summary>Waits until every named file has left Awaiting/Received.</summary>
    public Task<UploadSession> SettledAsync(string sessionId, params string[] names) =>
        Eventually.That(async () =>
        {
            var session = await SessionAsync(sessionId);
            return session.Files.Where(f => names.Length == 0 || names.Contains(f.Name)).All(f => f.State is not (FileState.Awaiting or FileState.Received))
                ? session
                : null;
        }, $"the files of session {sessionId} to settle", TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

    public async Task<FootageRecord> FootageAsync(string id, string role = Roles.Keeper)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/footage/{id}", fixture.TokenFor(Unit, role));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<FootageRecord>(AvCloudJson.Options, TestContext.Current.CancellationToken))!;
    }

    /// <summary>
    /// Docks <paramref name="count"/> one-second audio recordings (contents from <paramref name="seed"/> on), a minute
    /// apart from <paramref name="recorded"/>, in one session, and waits until each is catalogued.
    /// </summary>
    public async Task<IReadOnlyList<FootageRecord>> CataloguedAudioAsync(int seed, int count, DateTimeOffset recorded)
    {
        var contents = Enumerable.Range(0, count).Select(i => SyntheticWav.Create(seed + i, 8000)).ToList();
        var session = await OpenAsync(Manifest(recorded.AddHours(2), TimeSpan.Zero,
            [.. contents.Select((c, i) => FileEntry($"a{i}.wav", "audio", c, recorded.AddMinutes(i), TimeSpan.FromSeconds(1)))]));
        for (var i = 0; i < count; i++)
        {
            await UploadAsync(session, $"a{i}.wav", contents[i]);
        }

        await SettledAsync(session.SessionId);
        var footage = new List<FootageRecord>();
        foreach (var content in contents)
        {
            footage.Add(await FootageAsync(Sha256(content)));
        }

        return footage;
    }
}
