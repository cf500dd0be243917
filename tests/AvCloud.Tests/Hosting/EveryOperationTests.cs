using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Local.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Hosting;

/// <summary>
/// Every operation the API describes (<c>GET /api/openapi.json</c>), called the wrong way: without a token or with a
/// forged one, with a role it does not list, with a body that is malformed or too large. Each gets an RFC 9457 problem
/// with the status the description promises, and nothing changes: the unit's audit trail records no success.
/// </summary>
public sealed class EveryOperationTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string[] AllRoles = [Roles.Officer, Roles.Keeper, Roles.Reviewer, Roles.Supervisor, Roles.Head, Roles.Dock];

    private sealed record Operation(string Id, HttpMethod Method, string Path, bool Anonymous, IReadOnlyList<string> Roles, bool HasBody);

    private async Task<List<Operation>> OperationsAsync()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/openapi.json", token: null);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                // Route parameters name nothing that exists: every call here is refused before it could find anything.
                var concrete = System.Text.RegularExpressions.Regex.Replace(path, "{([^}]+)}", m => $"no-such-{m.Groups[1].Value}");
                operations.Add(new Operation(
                    operation!["operationId"]!.GetValue<string>(),
                    new HttpMethod(method.ToUpperInvariant()),
                    concrete,
                    operation["security"]!.AsArray().Count == 0,
                    [.. operation["x-avcloud-roles"]!.AsArray().Select(r => r!.GetValue<string>())],
                    operation["requestBody"] is not null));
            }
        }

        Assert.True(operations.Count > 40, $"only {operations.Count} operations described");
        return operations;
    }

    private async Task<(HttpStatusCode Status, string? MediaType)> CallAsync(Operation operation, string? token, HttpContent? body = null)
    {
        using var response = await fixture.SendAsync(operation.Method, operation.Path, token, body);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType);
    }

    private static string Unit() => $"unit-{Guid.NewGuid():N}"[..13];

    private async Task AssertNothingSucceededAsync(string unit)
    {
        var trail = fixture.Cloud.Services.GetRequiredService<AuditTrail>();
        await foreach (var entry in trail.ReadChainAsync(unit, Cancel))
        {
            Assert.True(entry.Outcome != AuditOutcomes.Success, $"{entry.Action} on {entry.Target} succeeded");
        }
    }

    [Fact]
    public async Task Every_operation_but_health_and_the_description_refuses_a_missing_or_forged_token()
    {
        var unit = Unit();
        using var impostor = LocalIssuer.LoadOrCreate(null);
        var forged = impostor.Mint("head-1", unit, AllRoles, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var operations = await OperationsAsync();

        foreach (var operation in operations.Where(o => !o.Anonymous))
        {
            Assert.Equal((HttpStatusCode.Unauthorized, "application/problem+json"), await CallAsync(operation, token: null));
            Assert.Equal((HttpStatusCode.Unauthorized, "application/problem+json"), await CallAsync(operation, forged));
        }

        Assert.Equal(["CheckHealth", "DownloadSharedPackage", "OpenShare", "PlaySharedFootage", "ServeOpenApi"], operations.Where(o => o.Anonymous).Select(o => o.Id).Order(StringComparer.Ordinal));
        await AssertNothingSucceededAsync(unit);
    }

    [Fact]
    public async Task Every_operation_refuses_the_roles_it_does_not_list()
    {
        var unit = Unit();
        var checkedAny = 0;
        foreach (var operation in (await OperationsAsync()).Where(o => !o.Anonymous && o.Roles.Count > 0))
        {
            foreach (var role in AllRoles.Except(operation.Roles))
            {
                var (status, mediaType) = await CallAsync(operation, fixture.TokenFor(unit, role));
                Assert.True(status == HttpStatusCode.Forbidden && mediaType == "application/problem+json",
                    $"{operation.Id} as {role}: {(int)status} {mediaType}");
                checkedAny++;
            }
        }

        Assert.True(checkedAny > 100, $"only {checkedAny} refusals checked");
        await AssertNothingSucceededAsync(unit);
    }

    [Fact]
    public async Task Every_body_that_is_malformed_or_too_large_is_refused_and_changes_nothing()
    {
        var unit = Unit();
        var withBodies = (await OperationsAsync()).Where(o => o.HasBody).ToList();
        Assert.NotEmpty(withBodies);
        var tooLarge = "{\"reason\":\"" + new string('x', 3 * 1024 * 1024) + "\"}";

        var bodiesRead = 0;
        foreach (var described in withBodies)
        {
            // The unit's own settings exist; any other named thing does not, and may be looked up before the body is read.
            var operation = described with { Path = described.Path.Replace("/units/no-such-id/", $"/units/{unit}/", StringComparison.Ordinal) };
            var token = fixture.TokenFor(unit, [.. operation.Roles]);
            var malformed = await CallAsync(operation, token, new StringContent("{\"reason\": ", Encoding.UTF8, "application/json"));
            var oversized = await CallAsync(operation, token, new StringContent(tooLarge, Encoding.UTF8, "application/json"));

            var notFound = (HttpStatusCode.NotFound, "application/problem+json");
            var namesSomething = operation.Path.Contains("/no-such-", StringComparison.Ordinal);
            Assert.True(malformed == (HttpStatusCode.BadRequest, "application/problem+json") || (namesSomething && malformed == notFound),
                $"{operation.Id}, malformed: {malformed}");
            Assert.True(oversized == (HttpStatusCode.RequestEntityTooLarge, "application/problem+json") || (namesSomething && oversized == notFound),
                $"{operation.Id}, too large: {oversized}");
            bodiesRead += malformed.Status == HttpStatusCode.BadRequest && oversized.Status == HttpStatusCode.RequestEntityTooLarge ? 1 : 0;
        }

        Assert.True(bodiesRead >= withBodies.Count / 2, $"only {bodiesRead} of {withBodies.Count} operations read the body before refusing");
        await AssertNothingSucceededAsync(unit);
    }
}
