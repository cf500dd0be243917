using System.ComponentModel.DataAnnotations;

namespace AvCloud.Functions.Identity;

/// <summary>
/// Where bearer tokens come from. In Azure: Entra ID's metadata
/// (<c>https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration</c>); locally: the local
/// host's own issuer. The same validation runs against either.
/// </summary>
public sealed class IdentityOptions
{
    public const string Section = "AvCloud:Identity";

    /// <summary>The OpenID Connect metadata document; its issuer and signing keys are what tokens are checked against.</summary>
    [Required]
    public required Uri MetadataAddress { get; init; }

    /// <summary>The API's audience (Entra: the app ID URI or client id).</summary>
    [Required]
    public required string Audience { get; init; }

    /// <summary>False only for the local issuer, which serves its metadata over plain HTTP on loopback.</summary>
    public bool RequireHttpsMetadata { get; init; } = true;

    /// <summary>The claim that names the caller's enforcement unit (the tenant).</summary>
    [Required]
    public string UnitClaim { get; init; } = "unit";

    /// <summary>Tolerated difference between the issuer's clock and ours.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Refused sign-ins from one source within this window, from its first refusal, make one audit event.</summary>
    [Range(typeof(TimeSpan), "00:00:04", "1.00:00:00")]
    public TimeSpan RefusalWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How many sources of refused sign-ins are told apart at once; beyond them, all are counted together.</summary>
    [Range(1, 1_000_000)]
    public int RefusalSources { get; init; } = 1000;
}
