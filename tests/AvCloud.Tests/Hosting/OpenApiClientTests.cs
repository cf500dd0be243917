using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions.Identity;

namespace AvCloud.Tests.Hosting;

/// <summary>
/// The served description is good enough to generate a client from: Kiota (pinned in <c>.config/dotnet-tools.json</c>)
/// generates a C# client from <c>GET /api/openapi.json</c>, a small program around it builds, and it calls the local
/// cloud with a token, reading enums, pages and problems as the description says they are.
/// </summary>
public sealed class OpenApiClientTests(LocalCloudFixture fixture)
{
    private const string KiotaVersion = "2.1.6";

    // Outside the repository, so none of its build settings (central package versions, analyzers) apply.
    private const string ProbeProject = $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.Kiota.Abstractions" Version="{KiotaVersion}" />
            <PackageReference Include="Microsoft.Kiota.Http.HttpClientLibrary" Version="{KiotaVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Json" Version="{KiotaVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Text" Version="{KiotaVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Form" Version="{KiotaVersion}" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Multipart" Version="{KiotaVersion}" />
          </ItemGroup>
        </Project>
        """;

    // No base URL is set: the client takes it from the description's relative servers entry, resolved against the
    // address the description was generated from.
    private const string ProbeProgram = """
        using AvCloud.Client;
        using AvCloud.Client.Models;
        using Microsoft.Kiota.Abstractions.Authentication;
        using Microsoft.Kiota.Http.HttpClientLibrary;

        var token = Environment.GetEnvironmentVariable("AVCLOUD_TOKEN") ?? throw new InvalidOperationException("AVCLOUD_TOKEN is not set.");
        var client = new AvCloudClient(new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new Token(token))));

        var page = await client.Api.Devices.GetAsync(request => request.QueryParameters.PageSize = 10);
        foreach (var device in page?.Items ?? [])
        {
            Console.WriteLine($"device {device.Id} {device.Kind} {device.Status}");
        }

        try
        {
            await client.Api.Devices["no-such-device"].GetAsync();
        }
        catch (Problem problem)
        {
            Console.WriteLine($"problem {problem.Status} {problem.Title}");
        }

        sealed class Token(string token) : IAccessTokenProvider
        {
            public AllowedHostsValidator AllowedHostsValidator { get; } = new();

            public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
                CancellationToken cancellationToken = default) => Task.FromResult(token);
        }
        """;

    [Fact]
    public async Task A_client_generated_from_the_description_builds_and_lists_the_units_devices()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var keeper = fixture.TokenFor(unit, Roles.Keeper);
        var id = $"bwc-{Guid.NewGuid():N}"[..12];
        using (var registered = await fixture.SendAsync(HttpMethod.Post, "/api/devices", keeper,
            JsonContent.Create(new { id, kind = "bodyWornCamera", serial = "SN-" + id, model = "DSJ-V9" })))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        var directory = Directory.CreateTempSubdirectory("avcloud-kiota-");
        try
        {
            // Kiota itself is restored by ./avcloud test (dotnet tool restore), before any test runs: tests reach nothing but loopback.
            var description = new Uri(fixture.Http.BaseAddress!, "/api/openapi.json").ToString();
            var generate = await Tools.RunAsync("dotnet",
                ["tool", "run", "kiota", "generate", "--language", "CSharp", "--openapi", description, "--output", Path.Combine(directory.FullName, "Client"),
                    "--class-name", "AvCloudClient", "--namespace-name", "AvCloud.Client", "--exclude-backward-compatible", "--log-level", "Warning"],
                Repository.Root, TimeSpan.FromMinutes(3),
                new Dictionary<string, string> { ["TMPDIR"] = directory.FullName }); // Kiota's cache goes with the rest
            Assert.True(generate.ExitCode == 0, $"kiota generate: {generate}");

            // Empty build files stop MSBuild looking further up for any.
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Directory.Build.props"), "<Project />", TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Directory.Build.targets"), "<Project />", TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Probe.csproj"), ProbeProject, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Program.cs"), ProbeProgram, TestContext.Current.CancellationToken);
            var output = Path.Combine(directory.FullName, "out");
            // No build server or reused nodes: nothing may outlive the build holding its output open.
            // Its packages come from the local cache the test project's own restore filled: no package source is asked.
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var build = await Tools.RunAsync("dotnet",
                ["build", "Probe.csproj", "-c", "Release", "-o", output, "--nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false",
                    "--source", packages],
                directory.FullName, TimeSpan.FromMinutes(5),
                new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" });
            Assert.True(build.ExitCode == 0, $"dotnet build of the generated client: {build}");

            var run = await Tools.RunAsync("dotnet", [Path.Combine(output, "Probe.dll")], directory.FullName, TimeSpan.FromMinutes(1),
                new Dictionary<string, string> { ["AVCLOUD_TOKEN"] = keeper });

            Assert.True(run.ExitCode == 0, $"the generated client: {run}");
            Assert.Equal([$"device {id} BodyWornCamera InService", "problem 404 Not found."],
                run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
