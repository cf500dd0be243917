using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AvCloud.Tests.Hosting;

public sealed class ProblemDetailsTests(LocalCloudFixture fixture)
{
    [Fact]
    public async Task An_unexpected_failure_is_a_500_problem_that_hides_the_exception()
    {
        using var response = await fixture.Http.GetAsync("/api/probe/fail", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(500, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["invocationId"]?.GetValue<string>()));
    }

    [Theory]
    [InlineData("cosmos-throttled")]
    [InlineData("storage-unavailable")]
    public async Task A_dependency_throttling_or_briefly_unavailable_is_a_503_with_a_retry_hint(string failure)
    {
        using var response = await fixture.Http.GetAsync($"/api/probe/fail?as={failure}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.Equal(503, JsonNode.Parse(text)!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_dependency_refusal_that_retrying_cannot_cure_stays_a_500_without_a_retry_hint()
    {
        using var response = await fixture.Http.GetAsync("/api/probe/fail?as=storage-refused", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        using var content = new StringContent("{\"text\": ", Encoding.UTF8, "application/json");

        using var response = await fixture.Http.PostAsync("/api/probe/echo/7", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_validation_failure_names_the_field()
    {
        using var response = await fixture.Http.PostAsJsonAsync("/api/probe/echo/7", new { text = " " }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("Text must not be empty.", problem["errors"]!["text"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Route_values_and_the_body_bind_to_parameters()
    {
        using var response = await fixture.Http.PostAsJsonAsync("/api/probe/echo/42", new { text = "hello" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(42, body["id"]!.GetValue<int>());
        Assert.Equal("hello", body["text"]!.GetValue<string>());
    }
}
