using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Tests.Hosting;

/// <summary>A listing's filters as a function declares them: an enum read with <see cref="AvCloudJson.ParseQuery{T}"/>, a time, a typed route value.</summary>
public sealed class FilterProbe
{
    [Function(nameof(FilterProbe))]
    [Anonymous]
    [Query("status", "Which requests.", Type = typeof(AccessStatus))]
    [Query("from", "From (ISO 8601).", Type = typeof(DateTimeOffset))]
    [Answers(StatusCodes.Status200OK, typeof(JsonObject))]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/probe/filter/{page:int}")] HttpRequest request, int page) =>
        TypedResults.Ok(new { page, status = AvCloudJson.ParseQuery<AccessStatus>(request.Query["status"], "status") });
}

/// <summary>Enum filters in query strings are read like enums in bodies, refused the same way, and described with their names.</summary>
public sealed class QueryFilterTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("?status=PENDING", "pending")]
    [InlineData("?status=Revoked", "revoked")]
    [InlineData("", null)]
    public async Task An_enum_filter_is_read_in_any_case_and_may_be_left_out(string query, string? status)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/probe/filter/3" + query, token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>(Cancel))!;
        Assert.Equal(3, body["page"]!.GetValue<int>());
        Assert.Equal(status, body["status"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("2")]
    [InlineData("open")]
    public async Task An_enum_filter_naming_no_value_is_a_problem_listing_the_names(string status)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/probe/filter/3?status=" + status, token: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>(Cancel))!;
        Assert.Equal("The status is one of: pending, approved, rejected, revoked, expired.", problem["errors"]!["status"]![0]!.GetValue<string>());
    }

    [Fact]
    public void The_description_gives_filters_and_route_values_their_types()
    {
        var document = ServeOpenApi.Build(typeof(FilterProbe).Assembly);

        var operation = document["paths"]!["/api/probe/filter/{page}"]!["get"]!;
        var parameters = operation["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);
        Assert.Equal("path", parameters["page"]["in"]!.GetValue<string>());
        Assert.Equal("integer", parameters["page"]["schema"]!["type"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/AccessStatus", parameters["status"]["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal(AvCloudJson.Names<AccessStatus>(),
            string.Join(", ", document["components"]!["schemas"]!["AccessStatus"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>())));
        Assert.Equal("date-time", parameters["from"]["schema"]!["format"]!.GetValue<string>());
    }
}
