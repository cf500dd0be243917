namespace AvCloud.Functions.WebConsole;

/// <summary>
/// The web console: where its published files are and how it signs people in. In Azure the sign-in settings name
/// Entra ID (the tenant's v2.0 authority, the console's app registration, the API's scope); locally they are left
/// empty and the console signs in with the local host's own issuer at the same address as the API.
/// </summary>
public sealed class ConsoleOptions
{
    public const string Section = "AvCloud:Console";

    /// <summary>The published console (its <c>wwwroot</c>); unset: <c>wwwroot</c> beside the function app, as the deployment package has it.</summary>
    public string? Directory { get; init; }

    /// <summary>The OpenID Connect authority, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>; unset: the serving host (the local issuer).</summary>
    public Uri? Authority { get; init; }

    /// <summary>The client id the console signs in as (Entra: the SPA registration's application id).</summary>
    public string ClientId { get; init; } = "avcloud-console";

    /// <summary>The scope that yields a token for the API (Entra: <c>api://avcloud/user_impersonation</c>).</summary>
    public string Scope { get; init; } = "api://avcloud/user_impersonation";

    public string ResolvedDirectory => Directory ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");
}
