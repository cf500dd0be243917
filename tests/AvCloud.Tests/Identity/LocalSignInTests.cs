using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AvCloud.Functions.Identity;
using AvCloud.Local.Identity;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AvCloud.Tests.Identity;

/// <summary>
/// The local issuer's sign-in for the console (authorization code + PKCE S256) over the local host's real sockets: the
/// code yields the same token the API already accepts; a reused code, a wrong verifier, another redirect URI or client,
/// plain PKCE, a redirect off this machine, and a made-up role or unit are all refused.
/// </summary>
public sealed class LocalSignInTests(LocalCloudFixture fixture) : IDisposable
{
    private const string Client = "avcloud-console";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private readonly HttpClient _browser = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Cloud.BaseAddress };

    private string Callback => new Uri(fixture.Cloud.BaseAddress, "authentication/login-callback").ToString();

    private static string Verifier() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static string Challenge(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private Dictionary<string, string> Authorization(string verifier, string? redirect = null, string method = "S256") => new()
    {
        ["client_id"] = Client,
        ["redirect_uri"] = redirect ?? Callback,
        ["response_type"] = "code",
        ["scope"] = "openid profile api://avcloud/user_impersonation",
        ["state"] = "state-123",
        ["nonce"] = "nonce-456",
        ["code_challenge"] = method == "plain" ? verifier : Challenge(verifier),
        ["code_challenge_method"] = method,
    };

    /// <summary>Signs in on the page as <paramref name="user"/>; the answer is the redirect with the code (or a refusal).</summary>
    private async Task<HttpResponseMessage> SignInAsync(Dictionary<string, string> authorization, string user, string unit, params string[] roles)
    {
        var form = authorization.Select(p => KeyValuePair.Create(p.Key, p.Value)).Append(KeyValuePair.Create("user", user)).Append(KeyValuePair.Create("unit", unit))
            .Concat(roles.Select(r => KeyValuePair.Create("role", r)));
        return await _browser.PostAsync(LocalSignIn.AuthorizePath, new FormUrlEncodedContent(form), Cancel);
    }

    private static string CodeFrom(HttpResponseMessage redirect)
    {
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
        Assert.Equal("state-123", query["state"]);
        return query["code"]!;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> RedeemAsync(string code, string verifier, string? redirect = null, string client = Client)
    {
        using var response = await _browser.PostAsync(LocalSignIn.TokenPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["client_id"] = client,
            ["redirect_uri"] = redirect ?? Callback,
            ["code_verifier"] = verifier,
        }), Cancel);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancel));
    }

    [Fact]
    public async Task The_metadata_names_the_authorize_and_token_endpoints_with_S256_only()
    {
        var metadata = await _browser.GetFromJsonAsync<JsonElement>(LocalIssuer.MetadataPath, Cancel);
        Assert.Equal(new Uri(fixture.Cloud.BaseAddress, LocalSignIn.AuthorizePath).ToString(), metadata.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(new Uri(fixture.Cloud.BaseAddress, LocalSignIn.TokenPath).ToString(), metadata.GetProperty("token_endpoint").GetString());
        Assert.Equal(["S256"], metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(LocalIssuer.Issuer, metadata.GetProperty("issuer").GetString());
    }

    [Fact]
    public async Task The_page_is_labelled_local_only_and_offers_every_role()
    {
        var query = string.Join('&', Authorization(Verifier()).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        using var page = await _browser.GetAsync($"{LocalSignIn.AuthorizePath}?{query}", Cancel);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("仅限本机", html, StringComparison.Ordinal);
        Assert.Contains("local only", html, StringComparison.Ordinal);
        Assert.All(Roles.All, role => Assert.Contains($"value=\"{role}\"", html, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_code_and_its_verifier_give_the_token_the_api_accepts_with_the_chosen_roles_and_unit()
    {
        var unit = $"unit-{Guid.NewGuid():N}"[..13];
        var verifier = Verifier();
        using var redirect = await SignInAsync(Authorization(verifier), "li.wei", unit, Roles.Keeper, Roles.Head);
        Assert.StartsWith(Callback + "?", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);

        var (status, body) = await RedeemAsync(CodeFrom(redirect), verifier);

        Assert.Equal(HttpStatusCode.OK, status);
        var access = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal(LocalIssuer.Audience, access.Audiences.Single());
        Assert.Equal(unit, access.GetClaim("unit").Value);
        Assert.Equal([Roles.Keeper, Roles.Head], access.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        var identity = new JsonWebToken(body.GetProperty("id_token").GetString());
        Assert.Equal(Client, identity.Audiences.Single());
        Assert.Equal("nonce-456", identity.GetClaim("nonce").Value);
        Assert.Equal("openid profile api://avcloud/user_impersonation", body.GetProperty("scope").GetString());

        using var devices = await fixture.SendAsync(HttpMethod.Get, "/api/devices", body.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, devices.StatusCode);

        using var userInfo = await fixture.SendAsync(HttpMethod.Get, LocalSignIn.UserInfoPath, body.GetProperty("access_token").GetString());
        var who = await userInfo.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(("li.wei", unit), (who.GetProperty("sub").GetString(), who.GetProperty("unit").GetString()));
        using var forged = await fixture.SendAsync(HttpMethod.Get, LocalSignIn.UserInfoPath, body.GetProperty("id_token").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task A_code_is_used_once()
    {
        var verifier = Verifier();
        using var redirect = await SignInAsync(Authorization(verifier), "li.wei", "unit-7", Roles.Reviewer);
        var code = CodeFrom(redirect);
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(code, verifier)).Status);

        var (status, body) = await RedeemAsync(code, verifier);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_wrong_verifier_gets_nothing_and_spends_the_code()
    {
        var verifier = Verifier();
        using var redirect = await SignInAsync(Authorization(verifier), "li.wei", "unit-7", Roles.Reviewer);
        var code = CodeFrom(redirect);

        var (status, body) = await RedeemAsync(code, Verifier());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await RedeemAsync(code, verifier)).Status);
    }

    [Fact]
    public async Task A_code_redeemed_for_another_redirect_uri_or_client_gets_nothing()
    {
        var verifier = Verifier();
        using var first = await SignInAsync(Authorization(verifier), "li.wei", "unit-7", Roles.Reviewer);
        var (status, body) = await RedeemAsync(CodeFrom(first), verifier, redirect: Callback + "/other");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (status, body.GetProperty("error").GetString()));

        using var second = await SignInAsync(Authorization(verifier), "li.wei", "unit-7", Roles.Reviewer);
        (status, body) = await RedeemAsync(CodeFrom(second), verifier, client: "another-client");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (status, body.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("plain", null)]
    [InlineData("S256", "https://console.example.com/authentication/login-callback")]
    [InlineData("S256", "http://10.0.0.7:7071/authentication/login-callback")]
    [InlineData("S256", "http://localhost.example.com/cb")]
    [InlineData("S256", "javascript:alert(1)")]
    public async Task Plain_pkce_or_a_redirect_off_this_machine_is_refused_without_redirecting(string method, string? redirect)
    {
        using var page = await SignInAsync(Authorization(Verifier(), redirect, method), "li.wei", "unit-7", Roles.Reviewer);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Null(page.Headers.Location);
    }

    [Theory]
    [InlineData("unit-7", "Overlord")]
    [InlineData("_unauthenticated", "Reviewer")]
    [InlineData("unit 7", "Reviewer")]
    public async Task A_role_outside_the_app_or_a_unit_not_in_the_format_gets_no_code(string unit, string role)
    {
        using var page = await SignInAsync(Authorization(Verifier()), "li.wei", unit, role);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Null(page.Headers.Location);
    }

    [Fact]
    public async Task Silent_renewal_asks_the_developer_again()
    {
        var parameters = Authorization(Verifier());
        parameters["prompt"] = "none";
        var query = string.Join('&', parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        using var answer = await _browser.GetAsync($"{LocalSignIn.AuthorizePath}?{query}", Cancel);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("login_required", System.Web.HttpUtility.ParseQueryString(answer.Headers.Location!.Query)["error"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071/authentication/logout-callback", HttpStatusCode.Redirect)]
    [InlineData("https://console.example.com/authentication/logout-callback", HttpStatusCode.OK)]
    public async Task Signing_out_returns_to_the_console_on_this_machine_only_with_its_state(string back, HttpStatusCode status)
    {
        using var answer = await _browser.GetAsync($"{LocalSignIn.LogoutPath}?post_logout_redirect_uri={Uri.EscapeDataString(back)}&state=s-9", Cancel);
        Assert.Equal(status, answer.StatusCode);
        Assert.Equal(status == HttpStatusCode.Redirect ? back + "?state=s-9" : null, answer.Headers.Location?.ToString());
    }

    [Fact]
    public void A_code_expires_after_a_minute()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var issuer = LocalIssuer.LoadOrCreate(keyFile: null);
        var signIn = new LocalSignIn(issuer, clock);
        var verifier = Verifier();
        var request = new LocalSignIn.Request(Client, Callback, "code", "openid", "s", null, Challenge(verifier), "S256", null);
        var code = signIn.Issue(request, new LocalSignIn.Person("li.wei", "unit-7", [Roles.Reviewer]));

        clock.Advance(LocalSignIn.CodeLifetime + TimeSpan.FromSeconds(1));

        var answer = signIn.Exchange("authorization_code", code, Client, Callback, verifier);
        Assert.Equal(("invalid_grant", "The code has expired."), (answer.Error, answer.Description));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.7", false)]
    [InlineData("192.168.1.20", false)]
    [InlineData("::ffff:10.0.0.7", false)]
    public void Only_this_machine_reaches_the_sign_in(string address, bool loopback) =>
        Assert.Equal(loopback, LocalSignIn.IsLoopback(IPAddress.Parse(address)));

    public void Dispose() => _browser.Dispose();
}
