using System.Globalization;
using System.Text;
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
/// A recorded URL in a header (<c>x-ms-copy-source</c>) is moved to the local container the same way. Azurite stamps
/// Last-Modified with the machine's own time, not the local cloud's clock, so a recorded If-Modified-Since or
/// If-Unmodified-Since is moved by as much as the replay is later than the recording: it keeps its distance from the
/// blob's Last-Modified (the recorded conditions are a day either side of it). An entry's request body is its
/// <c>body</c> text (a block list) or <c>bodyLength</c> zero bytes (the recorded content does not matter here).
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

        var recordedOrigin = new Uri(entries[0].GetProperty("uri").GetString()!).GetLeftPart(UriPartial.Authority);
        string Local(Uri recorded) =>
            $"/{Emulator.AzuriteAccount}/{container}{recorded.AbsolutePath[(recordedContainer.Length + 1)..]}{recorded.Query}";

        var step = 0;
        foreach (var entry in entries)
        {
            step++;
            _clock.Now = RecordedAt(entry);
            var late = DateTimeOffset.UtcNow - _clock.Now;
            var recorded = new Uri(entry.GetProperty("uri").GetString()!);
            var path = Local(recorded);
            var headers = entry.GetProperty("requestHeaders").EnumerateObject()
                .Where(h => !h.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Name, h => h.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
            foreach (var name in headers.Keys.ToList())
            {
                var value = headers[name];
                if (value.StartsWith(recordedOrigin + "/", StringComparison.Ordinal))
                {
                    headers[name] = _azurite.BlobEndpoint.GetLeftPart(UriPartial.Authority) + Local(new Uri(value));
                }
                else if (name.Equals("If-Modified-Since", StringComparison.OrdinalIgnoreCase) || name.Equals("If-Unmodified-Since", StringComparison.OrdinalIgnoreCase))
                {
                    headers[name] = (DateTimeOffset.Parse(value, CultureInfo.InvariantCulture) + late).ToString("R", CultureInfo.InvariantCulture);
                }
            }

            var contentType = entry.GetProperty("requestHeaders").TryGetProperty("Content-Type", out var type) ? type.GetString() : null;
            var body = entry.TryGetProperty("body", out var bodyText) ? Encoding.UTF8.GetBytes(bodyText.GetString()!)
                : entry.TryGetProperty("bodyLength", out var length) ? new byte[length.GetInt32()] : null;
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
