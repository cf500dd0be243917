using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Components.WebAssembly.Authentication;
using Microsoft.AspNetCore.Components.WebAssembly.Authentication.Internal;

namespace AvCloud.Console;

/// <summary>
/// The signed-in person as the console sees them: Entra ID and the local issuer both send the app roles as one
/// <c>roles</c> claim holding a list, which becomes one role claim per role here (the menu and buttons follow them;
/// the API decides on its own token).
/// </summary>
internal sealed class RolesAccountFactory(IAccessTokenProviderAccessor accessor) : AccountClaimsPrincipalFactory<RemoteUserAccount>(accessor)
{
    public override async ValueTask<ClaimsPrincipal> CreateUserAsync(RemoteUserAccount account, RemoteAuthenticationUserOptions options)
    {
        var user = await base.CreateUserAsync(account, options);
        // No account: nobody is signed in.
        if (user.Identity is ClaimsIdentity identity && account?.AdditionalProperties.TryGetValue(options.RoleClaim ?? "roles", out var roles) == true
            && roles is JsonElement { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var claim in identity.FindAll(identity.RoleClaimType).ToList())
            {
                identity.RemoveClaim(claim);
            }

            foreach (var role in list.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String))
            {
                identity.AddClaim(new Claim(identity.RoleClaimType, role.GetString()!));
            }
        }

        return user;
    }
}
