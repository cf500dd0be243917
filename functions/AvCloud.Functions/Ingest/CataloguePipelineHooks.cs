namespace AvCloud.Functions.Ingest;

/// <summary>
/// Points in the cataloguing pipeline where tests inject a crash (to prove that a re-run converges) or a write behind
/// the cataloguer's back (to prove the bytes kept are the bytes hashed). In production nothing is registered here and
/// the hooks do nothing.
/// </summary>
public sealed class CataloguePipelineHooks
{
    /// <summary>After the upload is hashed and read, before the copy to <c>footage</c>. Receives the ingest blob name.</summary>
    public Func<string, CancellationToken, Task> BeforeCopy { get; set; } = static (_, _) => Task.CompletedTask;

    /// <summary>After the copy to <c>footage</c>, before the catalogue record is written. Receives the ingest blob name.</summary>
    public Func<string, CancellationToken, Task> AfterCopy { get; set; } = static (_, _) => Task.CompletedTask;
}
