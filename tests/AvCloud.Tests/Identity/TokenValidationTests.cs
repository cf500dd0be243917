using System.Globalization;
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
    public async Task A_valid_token_without_a_unit_is_403_and_summarised_under_its_user()
    {
        var source = LoopbackSource.NewAddress();
        using var client = LoopbackSource.ClientFrom(source, fixture.Cloud.BaseAddress);
        var user = $"user-{Guid.NewGuid():N}"[..13];

        using (var response = await SendAsync(client, Endpoint, Issuer.Mint(user, "", [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        await Flush.FlushAllAsync(TestContext.Current.CancellationToken);
        var denied = Assert.Single(await SummariesAsync(source));
        Assert.Equal((user, AuditAction.AuthorizationDenied.Name, "1"), (denied.Actor, denied.Action, denied.Details["count"]));
    }

    [Fact]
    public async Task Health_needs_no_token()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/health", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_failed_sign_in_is_audited_as_a_failed_attempt_when_its_source_is_summarised()
    {
        var source = LoopbackSource.NewAddress();
        using var client = LoopbackSource.ClientFrom(source, fixture.Cloud.BaseAddress);

        using var response = await SendAsync(client, "/api/audit/verify", "forged.token.value");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await SummariesAsync(source));
        await Flush.FlushAllAsync(TestContext.Current.CancellationToken);
        var failed = Assert.Single(await SummariesAsync(source));
        Assert.Equal("GET /api/audit/verify", failed.Target);
        Assert.Equal(AuditAction.AuthenticationFailed.Name, failed.Action);
        Assert.Equal(AuditOutcomes.Denied, failed.Outcome);
        Assert.Equal("anonymous", failed.Actor);
        Assert.Equal("1", failed.Details["count"]);
        Assert.Equal("1 x The bearer token is not valid or has expired.", failed.Details["reasons"]);
    }

    [Fact]
    public async Task A_burst_of_forged_tokens_is_one_summary_per_source_with_its_count_and_real_requests_go_on()
    {
        var (a, b) = (LoopbackSource.NewAddress(), LoopbackSource.NewAddress());
        using var fromA = LoopbackSource.ClientFrom(a, fixture.Cloud.BaseAddress);
        using var fromB = LoopbackSource.ClientFrom(b, fixture.Cloud.BaseAddress);
        using var impostor = LocalIssuer.LoadOrCreate(null);
        string[] forged = ["forged.token.value", impostor.Mint("u", Unit(), [Roles.Supervisor], TimeSpan.FromHours(1), DateTimeOffset.UtcNow), ""];
        var supervisor = fixture.TokenFor(Unit(), Roles.Supervisor);

        async Task<int> BurstAsync(HttpClient client, int requests)
        {
            var refused = 0;
            await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.Current.CancellationToken },
                async (i, _) =>
                {
                    using var response = await SendAsync(client, "/api/devices", forged[i % forged.Length]);
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        Interlocked.Increment(ref refused);
                    }
                });
            return refused;
        }

        async Task<int> AuthorisedAsync()
        {
            var ok = 0;
            for (var i = 0; i < 10; i++)
            {
                using var response = await fixture.SendAsync(HttpMethod.Get, Endpoint, supervisor);
                ok += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            }

            return ok;
        }

        var results = await Task.WhenAll(BurstAsync(fromA, 120), BurstAsync(fromB, 30), AuthorisedAsync());

        Assert.Equal([120, 30, 10], results);
        // Nothing was appended per refusal: the chain hears of the burst only when its window is written.
        Assert.Empty(await SummariesAsync(a));
        await Flush.FlushAllAsync(TestContext.Current.CancellationToken);
        var fromASummary = Assert.Single(await SummariesAsync(a));
        Assert.Equal("120", fromASummary.Details["count"]);
        Assert.Equal("GET /api/devices", fromASummary.Details["targets"]);
        Assert.Contains("The request has no bearer token.", fromASummary.Details["reasons"], StringComparison.Ordinal);
        Assert.Contains("80 x The bearer token is not valid or has expired.", fromASummary.Details["reasons"], StringComparison.Ordinal);
        Assert.True(DateTimeOffset.Parse(fromASummary.Details["first"], CultureInfo.InvariantCulture) <= DateTimeOffset.Parse(fromASummary.Details["last"], CultureInfo.InvariantCulture));
        Assert.Equal("30", Assert.Single(await SummariesAsync(b)).Details["count"]);
    }

    private SignInRefusalFlush Flush => fixture.Cloud.Services.GetRequiredService<SignInRefusalFlush>();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token.Length > 0)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<List<AuditEvent>> SummariesAsync(System.Net.IPAddress source)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in fixture.Cloud.Services.GetRequiredService<AuditTrail>()
            .ReadChainAsync(AuthenticationMiddleware.UnauthenticatedUnit, TestContext.Current.CancellationToken))
        {
            if (e.Details.TryGetValue("source", out var from) && from == source.ToString())
            {
                events.Add(e);
            }
        }

        return events;
    }

    private static string Payload(string token) => token.Split('.')[1];
}
