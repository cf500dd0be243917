using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using AvCloud.Local.Emulators;

namespace AvCloud.Tests.Worm;

/// <summary>
/// Replays Azure's own recorded sessions of its immutability tests against the local gateway and compares what
/// AvCloud depends on: status, <c>x-ms-error-code</c>, the immutability and legal-hold response headers, and the
/// policy and hold elements of list results. The recordings come from the Azure SDK for .NET (Azure/azure-sdk-for-net,
/// <c>sdk/storage/Azure.Storage.Blobs/tests/SessionRecords/ImmutableStorageWithVersioningTests/</c>); each excerpt in
/// Worm/Recordings names its source file and commit. Each request goes to a fresh local container, signed with the
/// local key, while the local clock reads the time the request was recorded at, so policies expire as they did there.
/// </summary>
public sealed class RecordedSessionTests : IAsyncDisposable
{
    private static readonly string[] ComparedHeaders =
        ["x-ms-error-code", "x-ms-immutability-policy-until-date", "x-ms-immutability-policy-mode", "x-ms-legal-hold"];

    private static readonly string[] ComparedListElements = ["ImmutabilityPolicyUntilDate", "ImmutabilityPolicyMode", "LegalHold"];

    private readonly ReplayClock _clock = new();
    private PrivateAzurite? _azurite;

    public static TheoryData<string> Sessions() =>
        [.. Directory.GetFiles(Path.Combine(Repository.Root, "tests", "AvCloud.Tests", "Worm", "Recordings"), "*.json").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Sessions))]
    public async Task A_recorded_Azure_session_gets_the_same_answers_from_the_local_gateway(string session)
    {
        using var recording = JsonDocument.Parse(await File.ReadAllTextAsync(
            Path.Combine(Repository.Root, "tests", "AvCloud.Tests", "Worm", "Recordings", session), TestContext.Current.CancellationToken));
        var entries = recording.RootElement.GetProperty("entries").EnumerateArray().ToList();
        _clock.Now = RecordedAt(entries[0]);
        _azurite = await PrivateAzurite.StartAsync(_clock);
        using var raw = new SharedKeyRequests(_azurite.BlobEndpoint, Emulator.AzuriteAccount, Emulator.AzuriteKey);
        var recordedContainer = new Uri(entries[0].GetProperty("uri").GetString()!).AbsolutePath.Split('/')[1];
        var container = $"replay-{Guid.NewGuid():N}";
        using (var created = await raw.SendAsync("PUT", $"/{Emulator.AzuriteAccount}/{container}?restype=container"))
        {
            Assert.Equal(201, (int)created.StatusCode);
        }

        var step = 0;
        foreach (var entry in entries)
        {
            step++;
            _clock.Now = RecordedAt(entry);
            var recorded = new Uri(entry.GetProperty("uri").GetString()!);
            var path = $"/{Emulator.AzuriteAccount}/{container}{recorded.AbsolutePath[(recordedContainer.Length + 1)..]}{recorded.Query}";
            var headers = entry.GetProperty("requestHeaders").EnumerateObject()
                .Where(h => !h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Name, h => h.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
            var contentType = entry.GetProperty("requestHeaders").TryGetProperty("Content-Type", out var type) ? type.GetString() : null;
            var body = entry.TryGetProperty("bodyLength", out var length) ? new byte[length.GetInt32()] : null;
            var what = $"{session} step {step}: {entry.GetProperty("method").GetString()} {recorded.PathAndQuery}";

            using var response = await raw.SendAsync(entry.GetProperty("method").GetString()!, path, headers, body, contentType: contentType);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.True(entry.GetProperty("status").GetInt32() == (int)response.StatusCode, $"{what}: status {(int)response.StatusCode}, Azure {entry.GetProperty("status").GetInt32()}; {text}");
            var expected = entry.GetProperty("responseHeaders");
            foreach (var name in ComparedHeaders)
            {
                var want = expected.TryGetProperty(name, out var value) ? value.GetString() : null;
                var got = response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
                Assert.True(want == got, $"{what}: {name} is '{got}', Azure answered '{want}'");
            }

            if (entry.TryGetProperty("listed", out var listed))
            {
                var blobs = XDocument.Parse(text).Descendants("Blob").ToDictionary(b => b.Element("Name")!.Value, b => b.Element("Properties")!);
                foreach (var blob in listed.EnumerateObject())
                {
                    Assert.True(blobs.ContainsKey(blob.Name), $"{what}: {blob.Name} is not listed");
                    foreach (var element in ComparedListElements)
                    {
                        var want = blob.Value.TryGetProperty(element, out var value) ? value.GetString() : null;
                        var got = blobs[blob.Name].Element(element)?.Value;
                        Assert.True(want == got, $"{what}: {blob.Name} lists {element} '{got}', Azure listed '{want}'");
                    }
                }
            }
        }
    }

    private static DateTimeOffset RecordedAt(JsonElement entry) =>
        DateTimeOffset.Parse(entry.GetProperty("requestHeaders").GetProperty("x-ms-date").GetString()!, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>The local cloud's clock set to the time each recorded request was made.</summary>
    private sealed class ReplayClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
