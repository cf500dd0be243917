using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Identity;
using AvCloud.Local.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace AvCloud.Tests.Identity;

/// <summary>Bearer tokens against the real host over a socket: every forged variant gets 401, a wrong role 403.</summary>
public sealed class TokenValidationTests(LocalCloudFixture fixture)
{
    private const string Endpoint = "/api/audit";

    private LocalIssuer Issuer => fixture.Cloud.Issuer;

    private static string Unit() => $"unit-{Guid.NewGuid():N}"[..13];

    private async Task AssertUnauthorized(string? token)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, Endpoint, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_token_with_the_role_is_accepted()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, Endpoint, fixture.TokenFor(Unit(), Roles.Supervisor));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public Task A_missing_token_is_401() => AssertUnauthorized(null);

    [Fact]
    public Task A_malformed_token_is_401() => AssertUnauthorized("not.a.jwt");

    [Fact]
    public Task An_expired_token_is_401() =>
        AssertUnauthorized(Issuer.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow.AddHours(-1)));

    [Fact]
    public Task A_token_not_yet_valid_is_401() =>
        AssertUnauthorized(Issuer.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromHours(2), DateTimeOffset.UtcNow.AddHours(1)));

    [Fact]
    public async Task A_token_signed_by_another_key_is_401()
    {
        using var impostor = LocalIssuer.LoadOrCreate(null);

        await AssertUnauthorized(impostor.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
    }

    [Fact]
    public Task A_token_for_another_audience_is_401() =>
        AssertUnauthorized(Issuer.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow, audience: "api://something-else"));

    [Fact]
    public Task A_token_from_another_issuer_is_401() =>
        AssertUnauthorized(Issuer.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow, issuer: "urn:someone-else"));

    [Fact]
    public Task An_unsigned_alg_none_token_is_401()
    {
        var payload = Payload(Issuer.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        return AssertUnauthorized($"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{payload}.");
    }

    [Fact]
    public async Task An_HS256_token_keyed_with_the_public_key_is_401()
    {
        var payload = Payload(Issuer.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
        var header = Base64UrlEncoder.Encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        var der = Issuer.PublicKeyBytes();
        var pem = Encoding.ASCII.GetBytes(PemEncoding.WriteString("PUBLIC KEY", der));
        foreach (var key in new[] { der, pem })
        {
            var signature = Base64UrlEncoder.Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
            await AssertUnauthorized($"{header}.{payload}.{signature}");
        }
    }

    [Fact]
    public async Task A_tampered_payload_is_401()
    {
        var parts = Issuer.Mint("u", Unit(), [Roles.Officer], TimeSpan.FromHours(1), DateTimeOffset.UtcNow).Split('.');
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        claims["roles"] = new JsonArray("Supervisor");

        await AssertUnauthorized($"{parts[0]}.{Base64UrlEncoder.Encode(claims.ToJsonString())}.{parts[2]}");
    }

    [Fact]
    public async Task A_valid_token_without_a_unit_is_403()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, Endpoint,
            Issuer.Mint("u", "", [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Health_needs_no_token()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/health", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_failed_sign_in_is_audited_as_a_failed_attempt()
    {
        // Other classes make failed sign-ins too, but only this test calls /api/audit/verify without a valid token.
        var before = await FailedSignInsAsync();

        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/audit/verify", "forged.token.value");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var after = await FailedSignInsAsync();
        var failed = Assert.Single(after, e => !before.Any(b => b.Id == e.Id) && e.Target == "GET /api/audit/verify");
        Assert.Equal("GET /api/audit/verify", failed.Target);
        Assert.Equal(AuditOutcomes.Denied, failed.Outcome);
        Assert.Equal("anonymous", failed.Actor);
    }

    private async Task<List<AuditEvent>> FailedSignInsAsync()
    {
        var events = new List<AuditEvent>();
        await foreach (var e in fixture.Cloud.Services.GetRequiredService<AuditTrail>()
            .ReadChainAsync(AuthenticationMiddleware.UnauthenticatedUnit, TestContext.Current.CancellationToken))
        {
            if (e.Action == AuditAction.AuthenticationFailed.Name)
            {
                events.Add(e);
            }
        }

        return events;
    }

    private static string Payload(string token) => token.Split('.')[1];
}
