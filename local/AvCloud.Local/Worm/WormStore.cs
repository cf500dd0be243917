using System.Collections.Concurrent;
using System.Text.Json;

namespace AvCloud.Local.Worm;

/// <summary>
/// The gateway's record of policies and holds, by <c>account/container/blob</c>. With a data directory it is
/// written to <c>worm.json</c> on every change (atomically), so policies and holds survive a restart.
/// </summary>
public sealed class WormStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly ConcurrentDictionary<string, BlobProtection> _blobs = new(StringComparer.Ordinal);
    private readonly string? _file;
    private readonly Lock _saving = new();

    public WormStore(string? dataDirectory)
    {
        if (dataDirectory is null)
        {
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        _file = Path.Combine(dataDirectory, "worm.json");
        if (File.Exists(_file))
        {
            foreach (var (key, protection) in JsonSerializer.Deserialize<Dictionary<string, BlobProtection>>(File.ReadAllText(_file), Json) ?? [])
            {
                _blobs[key] = protection;
            }
        }
    }

    public static string Key(string account, string container, string blob) => $"{account}/{container}/{blob}";

    public BlobProtection Get(string key) => _blobs.TryGetValue(key, out var protection) ? protection : BlobProtection.None;

    public void Set(string key, BlobProtection protection)
    {
        if (protection.IsEmpty)
        {
            _blobs.TryRemove(key, out _);
        }
        else
        {
            _blobs[key] = protection;
        }

        Save();
    }

    public void Remove(string key)
    {
        if (_blobs.TryRemove(key, out _))
        {
            Save();
        }
    }

    /// <summary>Blobs of a container whose data cannot change at <paramref name="now"/>.</summary>
    public bool AnyImmutableIn(string account, string container, DateTimeOffset now)
    {
        var prefix = $"{account}/{container}/";
        return _blobs.Any(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Value.BlocksWrites(now) is not null);
    }

    public void RemoveContainer(string account, string container)
    {
        var prefix = $"{account}/{container}/";
        foreach (var key in _blobs.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _blobs.TryRemove(key, out _);
        }

        Save();
    }

    private void Save()
    {
        if (_file is null)
        {
            return;
        }

        lock (_saving)
        {
            var temporary = $"{_file}.{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(_blobs.ToDictionary(kv => kv.Key, kv => kv.Value), Json));
            File.Move(temporary, _file, overwrite: true);
        }
    }
}
