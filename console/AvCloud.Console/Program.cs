using System.Net.Http.Json;
using AvCloud.Console;
using AvCloud.Console.Api;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

// Where people sign in comes from the host that serves the console (settings.json): Entra ID in Azure, the local
// issuer on one machine. The same client code serves both.
var baseAddress = new Uri(builder.HostEnvironment.BaseAddress);
using (var bootstrap = new HttpClient { BaseAddress = baseAddress })
{
    var settings = await bootstrap.GetFromJsonAsync("settings.json", ConsoleJson.Default.ConsoleSettings)
        ?? throw new InvalidOperationException("settings.json is empty.");
    builder.Services.AddConsole(settings, baseAddress);
}

var host = builder.Build();
await Cultures.ApplyAsync(host.Services.GetRequiredService<IJSRuntime>());
await host.RunAsync();
