using AvCloud.Local.Functions;

namespace AvCloud.Tests.Hosting;

/// <summary>
/// The local host serves HTTP functions under host.json's route prefix, as the Functions host does: AvCloud's is empty
/// (the console has the site's root, every API route is written with <c>api/</c>), and an unset one is Azure's "api".
/// </summary>
public sealed class RoutePrefixTests
{
    [Fact]
    public void The_repositorys_host_json_has_no_route_prefix_and_every_route_names_its_own()
    {
        Assert.Equal("", HttpFunctions.ReadRoutePrefix(Path.Combine(Repository.Root, "host.json")));
        Assert.All(Functions.Http.ServeOpenApi.HttpFunctions(typeof(Functions.Http.ServeOpenApi).Assembly),
            f => Assert.True(f.Trigger.Route!.StartsWith("api/", StringComparison.Ordinal) || f.Function == "ServeConsole", $"{f.Function}: {f.Trigger.Route}"));
    }

    [Theory]
    [InlineData("""{ "version": "2.0" }""", "api")]
    [InlineData("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "/v1/" } } }""", "v1")]
    [InlineData("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "" } } }""", "")]
    public void The_prefix_is_read_as_the_functions_host_reads_it(string hostJson, string prefix)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, hostJson);
            Assert.Equal(prefix, HttpFunctions.ReadRoutePrefix(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Without_host_json_the_prefix_is_azures_default() =>
        Assert.Equal("api", HttpFunctions.ReadRoutePrefix(Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "host.json")));
}
