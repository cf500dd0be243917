namespace AvCloud.Functions.Storage;

/// <summary>
/// The storage service's own clock. SAS start and expiry, upload windows and blob timestamps are checked by storage
/// against its time, which is real time even where the app's <see cref="TimeProvider"/> is shifted (the local host
/// runs with a shifted clock for demos and tests). Whatever storage will compare takes its time from here.
/// </summary>
public sealed class StorageClock(TimeProvider time)
{
    public DateTimeOffset GetUtcNow() => time.GetUtcNow();
}
