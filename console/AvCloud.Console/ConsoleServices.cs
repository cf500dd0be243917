using AvCloud.Console.Api;
using AvCloud.Console.Client;
using AvCloud.Functions.WebConsole;
using Microsoft.AspNetCore.Components.WebAssembly.Authentication;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace AvCloud.Console;

/// <summary>The console's services: sign-in (OpenID Connect, code + PKCE), the API client with the person's token, the texts.</summary>
internal static class ConsoleServices
{
    public static IServiceCollection AddConsole(this IServiceCollection services, ConsoleSettings settings, Uri baseAddress)
    {
        services.AddOidcAuthentication(options =>
        {
            options.ProviderOptions.Authority = settings.Authority.ToString();
            options.ProviderOptions.ClientId = settings.ClientId;
            options.ProviderOptions.ResponseType = "code";
            options.ProviderOptions.DefaultScopes.Add(settings.Scope);
            // Entra ID and the local issuer both put the app roles in "roles" and the person's name in "name".
            options.UserOptions.RoleClaim = "roles";
            options.UserOptions.NameClaim = "name";
        }).AddAccountClaimsPrincipalFactory<RolesAccountFactory>();

        services.AddLocalization();
        // The console is served from the API's own origin: the token goes there and nowhere else.
        var api = new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + "/");
        services.AddScoped(provider =>
        {
            var handler = provider.GetRequiredService<AuthorizationMessageHandler>()
                .ConfigureHandler([api.ToString()], [settings.Scope]);
            // Headers inspection lets a download keep the name the API gives its file (Content-Disposition).
            handler.InnerHandler = new HeadersInspectionHandler { InnerHandler = new HttpClientHandler() };
            var http = new HttpClient(handler) { BaseAddress = api };
            return (IRequestAdapter)new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = api.ToString().TrimEnd('/') };
        });
        services.AddScoped(provider => new AvCloudClient(provider.GetRequiredService<IRequestAdapter>()));
        services.AddScoped<ApiCalls>();
        services.AddTransient<Feedback>();
        services.AddScoped<Downloads>();
        services.AddScoped<Clock>();
        return services;
    }
}
