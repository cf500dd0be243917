using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Health;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Tests.Identity;

public sealed class RoleMatrixTests(LocalCloudFixture fixture)
{
    public static TheoryData<string, string, bool> Matrix()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var endpoint in new[] { "/api/audit", "/api/audit/verify" })
        {
            foreach (var role in Roles.All)
            {
                data.Add(endpoint, role, role is Roles.Supervisor or Roles.Head);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Only_the_declared_roles_may_call_an_endpoint(string endpoint, string role, bool allowed)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, endpoint, fixture.TokenFor($"unit-{Guid.NewGuid():N}"[..13], role));

        Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_refused_role_is_audited_in_the_callers_unit_and_other_units_never_see_it()
    {
        var unitA = $"unit-{Guid.NewGuid():N}"[..13];
        var unitB = $"unit-{Guid.NewGuid():N}"[..13];
        using (var refused = await fixture.SendAsync(HttpMethod.Get, "/api/audit", fixture.TokenFor(unitA, Roles.Officer)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var inA = await ReadAsync(unitA, "?action=authorization.denied");
        var inB = await ReadAsync(unitB, "");

        var denied = Assert.Single(inA.Items);
        Assert.Equal(AuditOutcomes.Denied, denied.Outcome);
        Assert.Equal("Officer", denied.Role);
        Assert.Equal("GET /api/audit", denied.Target);
        Assert.All(inB.Items, e => Assert.Equal(unitB, e.UnitId));
        Assert.DoesNotContain(inB.Items, e => e.Action == AuditAction.AuthorizationDenied.Name);
    }

    [Fact]
    public void Every_HTTP_function_declares_who_may_call_it_and_only_health_the_api_description_the_console_and_the_share_recipients_side_are_anonymous()
    {
        var httpFunctions = typeof(CheckHealth).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null
                && m.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null))
            .ToList();

        Assert.NotEmpty(httpFunctions);
        foreach (var method in httpFunctions)
        {
            var access = FunctionAccess.Of(method);
            Assert.True(access.Anonymous || access.Roles.Count > 0, $"{method.DeclaringType!.Name} declares neither [Anonymous] nor [RequiresRole].");
            // An outside recipient has no token: the share's id and passcode admit them (ServeShares checks both at every request).
            // The console's files are public; everything it shows comes from the API with the person's own token.
            Assert.Equal(method.DeclaringType == typeof(CheckHealth) || method.DeclaringType == typeof(Functions.Http.ServeOpenApi)
                || method.DeclaringType == typeof(Functions.Shares.ServeShares) || method.DeclaringType == typeof(Functions.WebConsole.ServeConsole), access.Anonymous);
        }
    }

    private async Task<AuditPage> ReadAsync(string unit, string query)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/audit{query}", fixture.TokenFor(unit, Roles.Supervisor));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AuditPage>(Functions.AvCloudJson.Options, TestContext.Current.CancellationToken))!;
    }
}
