using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AvCloud.Functions.Identity;

namespace AvCloud.Tests.Hosting;

/// <summary>An enum field with a name AvCloud does not know is a 400 problem that names the field and lists the names.</summary>
public sealed class EnumProblemTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<JsonNode> RefusedAsync(string json)
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await fixture.SendAsync(HttpMethod.Put, $"/api/units/{unit}/settings", fixture.TokenFor(unit, Roles.Head), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonNode>(Cancel))!;
    }

    [Fact]
    public async Task An_unknown_enum_name_in_a_body_is_a_problem_naming_the_field_and_its_values()
    {
        var problem = await RefusedAsync("""{ "policyMode": "frozen" }""");

        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Equal("The policyMode is one of: unlocked, locked.", problem["errors"]!["policyMode"]![0]!.GetValue<string>());
        Assert.DoesNotContain("frozen", problem.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PolicyMode", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_for_an_enum_in_a_list_is_refused_at_its_index()
    {
        var problem = await RefusedAsync("""{ "recordingRequiredFor": ["HEARING", 2] }""");

        var message = problem["errors"]!["recordingRequiredFor[1]"]![0]!.GetValue<string>();
        Assert.StartsWith("The recordingRequiredFor is one of: onSiteEnforcement, investigation, hearing,", message, StringComparison.Ordinal);
    }
}
