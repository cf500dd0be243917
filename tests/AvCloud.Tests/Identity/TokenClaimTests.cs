using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Local.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Identity;

/// <summary>
/// Tokens the issuer really signed, with claims AvCloud cannot rely on. Each asks for the audit trail as a supervisor,
/// which on success records an <c>audit.read</c> in the unit the token names: a refusal shows as 401 and no such event.
/// </summary>
public sealed class TokenClaimTests(LocalCloudFixture fixture)
{
    private const string Endpoint = "/api/audit";

    private LocalIssuer Issuer => fixture.Cloud.Issuer;

    private AuditTrail Audit => fixture.Cloud.Services.GetRequiredService<AuditTrail>();

    private static string Unit() => $"unit-{Guid.NewGuid():N}"[..13];

    private static string User() => $"user-{Guid.NewGuid():N}"[..13];

    private string Token(string user, IReadOnlyDictionary<string, object?> claims, params string[] roles) =>
        Issuer.Mint(user, "", roles.Length == 0 ? [Roles.Supervisor] : roles, TimeSpan.FromHours(1), DateTimeOffset.UtcNow, claims: claims);

    private async Task<HttpResponseMessage> CallAsync(string token) => await fixture.SendAsync(HttpMethod.Get, Endpoint, token);

    /// <summary>The 401 carries a problem and a Bearer challenge, and <paramref name="user"/> left no success in any of <paramref name="units"/>.</summary>
    private async Task AssertRefusedAsync(string token, string user, params string[] units)
    {
        using (var response = await CallAsync(token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        }

        foreach (var unit in units.Where(u => !string.IsNullOrWhiteSpace(u)).Distinct())
        {
            await foreach (var e in Audit.ReadChainAsync(unit, TestContext.Current.CancellationToken))
            {
                Assert.False(e.Actor == user && e.Outcome == AuditOutcomes.Success, $"{user} succeeded in {unit}: {e.Action}");
            }
        }
    }

    public static TheoryData<string> ReservedOrMalformedUnits() =>
    [
        AuthenticationMiddleware.UnauthenticatedUnit, Cataloguer.UnknownUnit, "_anything", "", " ", "unit-7\n", " unit-7", "unit 7",
        "unit-7/../unit-8", "unit-7/x", "-unit", ".unit", new string('u', 65), "单位七",
    ];

    [Theory]
    [MemberData(nameof(ReservedOrMalformedUnits))]
    public async Task A_unit_that_is_reserved_empty_or_not_a_unit_id_is_401_and_nothing_is_read_there(string unit)
    {
        var user = User();

        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = unit }), user, unit, unit.Trim(), "unit-7");
    }

    [Fact]
    public async Task A_list_of_units_is_401_even_with_a_single_entry_and_no_unit_in_it_is_touched()
    {
        var (a, b) = (Unit(), Unit());
        var user = User();

        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = new[] { a, b } }), user, a, b);
        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = new[] { a } }), user, a);
    }

    [Fact]
    public async Task A_unit_that_is_a_number_an_object_or_a_boolean_is_401()
    {
        var user = User();

        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = 42 }), user, "42");
        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = new Dictionary<string, object> { ["id"] = "unit-7" } }), user, "unit-7");
        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = true }), user, "true", "True");
    }

    [Fact]
    public async Task A_token_naming_no_user_is_401()
    {
        var unit = Unit();

        await AssertRefusedAsync(Token("", new Dictionary<string, object?> { ["unit"] = unit, ["oid"] = null, ["sub"] = null }), "", unit);
        await AssertRefusedAsync(Token("", new Dictionary<string, object?> { ["unit"] = unit, ["oid"] = " ", ["sub"] = " " }), " ", unit);
    }

    [Fact]
    public async Task An_oid_that_is_not_one_string_is_401_even_when_sub_names_someone()
    {
        var unit = Unit();
        var user = User();

        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = unit, ["oid"] = 42 }), user, unit);
        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = unit, ["oid"] = new[] { user, "other" } }), user, unit);
        await AssertRefusedAsync(Token(user, new Dictionary<string, object?> { ["unit"] = unit, ["oid"] = "" }), user, unit);
    }

    [Fact]
    public async Task Sub_names_the_user_when_there_is_no_oid()
    {
        var unit = Unit();
        var user = User();

        using var response = await CallAsync(Token(user, new Dictionary<string, object?> { ["unit"] = unit, ["oid"] = null }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(await ChainAsync(unit), e => e.Actor == user && e.Action == AuditAction.AuditRead.Name);
    }

    [Fact]
    public async Task Roles_the_app_does_not_define_are_ignored_and_not_recorded()
    {
        var unit = Unit();
        var user = User();
        var claims = new Dictionary<string, object?> { ["unit"] = unit };

        using (var allowed = await CallAsync(Token(user, claims, Roles.Supervisor, "Admin", "GlobalAdministrator", "supervisor")))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var unknownOnly = await CallAsync(Token(user, claims, "Admin", "HEAD", "Supervisor ")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unknownOnly.StatusCode);
        }

        var chain = await ChainAsync(unit);
        Assert.Equal(Roles.Supervisor, Assert.Single(chain, e => e.Action == AuditAction.AuditRead.Name).Role);
        Assert.Equal("", Assert.Single(chain, e => e.Action == AuditAction.AuthorizationDenied.Name).Role);
    }

    [Fact]
    public async Task A_well_formed_unit_is_accepted_and_the_read_is_recorded_there()
    {
        var unit = $"Unit.{Guid.NewGuid():N}"[..16] + "_x-9";
        var user = User();

        using var response = await CallAsync(Token(user, new Dictionary<string, object?> { ["unit"] = unit }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = (await response.Content.ReadFromJsonAsync<AuditPage>(Functions.AvCloudJson.Options, TestContext.Current.CancellationToken))!;
        Assert.All(page.Items, e => Assert.Equal(unit, e.UnitId));
        Assert.Contains(await ChainAsync(unit), e => e.Actor == user && e.Outcome == AuditOutcomes.Success);
    }

    private async Task<List<AuditEvent>> ChainAsync(string unit)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in Audit.ReadChainAsync(unit, TestContext.Current.CancellationToken))
        {
            events.Add(e);
        }

        return events;
    }
}
