using System.Text.Json;
using System.Text.Json.Serialization;

namespace AvCloud.DockSync;

/// <summary>How this dock signs in: a token file locally, the dock's Entra app identity in Azure. Never on the command line.</summary>
public sealed record DockAuth
{
    /// <summary>Locally: a file holding a Dock token (<c>./avcloud token --role Dock</c>), read on every call so it can be renewed.</summary>
    public string? TokenFile { get; init; }

    public string? TenantId { get; init; }

    public string? ClientId { get; init; }

    /// <summary>A PEM or PFX client certificate of the dock's app registration.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The name of an environment variable holding a client secret (the secret itself is never in this file).</summary>
    public string? ClientSecretVariable { get; init; }

    /// <summary>The AvCloud API's scope, e.g. <c>api://avcloud/.default</c>.</summary>
    public string? Scope { get; init; }

    /// <summary>Entra ID's sign-in address, for a sovereign cloud (e.g. <c>https://login.chinacloudapi.cn/</c>); the public cloud's by default.</summary>
    public Uri? AuthorityHost { get; init; }

    /// <summary>For a private cloud whose sign-in address Entra ID's instance discovery does not know: trust <see cref="AuthorityHost"/> as given.</summary>
    public bool DisableInstanceDiscovery { get; init; }
}

/// <summary>The dock station's settings file (<c>avdock.json</c>).</summary>
public sealed record DockSettings
{
    /// <summary>The AvCloud API, e.g. <c>http://127.0.0.1:7071/api/</c>.</summary>
    public required Uri Api { get; init; }

    public required string DockId { get; init; }

    /// <summary>The journal of sessions, blocks and file states; what makes a run resumable.</summary>
    public required string Journal { get; init; }

    public required DockAuth Auth { get; init; }

    /// <summary>A device whose clock is further off than this is not uploaded until its clock is set (Art. 7).</summary>
    public double MaxClockDriftSeconds { get; init; } = 300;

    public int BlockSizeBytes { get; init; } = 8 * 1024 * 1024;

    public int ParallelBlocks { get; init; } = 4;

    public int ParallelFiles { get; init; } = 2;

    /// <summary>A file whose size or time changes within this many seconds is still being written and waits.</summary>
    public double StableSeconds { get; init; } = 2;

    /// <summary>How long a push waits for AvCloud to report its files catalogued before it ends (watch keeps checking).</summary>
    public double VerifySeconds { get; init; } = 60;

    /// <summary>Files due within this many hours of their 24-hour deadline are shown as near it.</summary>
    public double NearDeadlineHours { get; init; } = 6;

    /// <summary>
    /// How many days after its recording ended the journal forgets a file that is handed over and gone from the
    /// recorder (wiped, or removed there). The journal stays the size of what is on the recorders, not of all time.
    /// </summary>
    public double JournalKeepDays { get; init; } = 30;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Reads and checks the settings file; every problem is named.</summary>
    public static DockSettings Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DockException($"No settings file at {path}. Give one with --settings or AVDOCK_SETTINGS.");
        }

        DockSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<DockSettings>(File.ReadAllText(path), Json);
        }
        catch (JsonException exception)
        {
            throw new DockException($"The settings file {path} is not valid: {exception.Message}");
        }

        var problems = new List<string>();
        if (settings is null)
        {
            throw new DockException($"The settings file {path} is empty.");
        }

        if (settings.Auth.TokenFile is null && (settings.Auth.TenantId is null || settings.Auth.ClientId is null || settings.Auth.Scope is null
            || (settings.Auth.CertificatePath is null && settings.Auth.ClientSecretVariable is null)))
        {
            problems.Add("auth needs either tokenFile, or tenantId, clientId, scope and a certificatePath or clientSecretVariable");
        }

        if (settings.Auth.AuthorityHost is { } authority && (!authority.IsAbsoluteUri || authority.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add("auth.authorityHost is an https:// address");
        }

        if (settings.JournalKeepDays < 1)
        {
            problems.Add("journalKeepDays is at least 1");
        }

        if (settings.BlockSizeBytes is < 64 * 1024 or > 100 * 1024 * 1024)
        {
            problems.Add("blockSizeBytes is 64 KiB to 100 MiB");
        }

        if (settings.ParallelBlocks is < 1 or > 64 || settings.ParallelFiles is < 1 or > 16)
        {
            problems.Add("parallelBlocks is 1 to 64 and parallelFiles 1 to 16");
        }

        return problems.Count == 0 ? settings : throw new DockException($"The settings file {path}: {string.Join("; ", problems)}.");
    }
}

/// <summary>A problem the person at the dock can act on; reported as a message, never as a stack trace.</summary>
public sealed class DockException(string message) : Exception(message);
