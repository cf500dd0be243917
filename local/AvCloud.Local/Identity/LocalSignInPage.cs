using System.Net;
using System.Text;
using AvCloud.Functions.Identity;

namespace AvCloud.Local.Identity;

/// <summary>
/// The local issuer's sign-in endpoints over HTTP: the page where a developer picks who to be (loopback clients only,
/// labelled as local), the token endpoint, and sign-out. Mapped by the local host only; Azure has Entra ID instead.
/// </summary>
internal static class LocalSignInPage
{
    public static void Map(IEndpointRouteBuilder endpoints, LocalSignIn signIn)
    {
        endpoints.MapGet(LocalSignIn.AuthorizePath, (HttpContext http) => Authorize(http, signIn, RequestOf(http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())), person: null));
        endpoints.MapPost(LocalSignIn.AuthorizePath, async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
            var person = new LocalSignIn.Person(fields.GetValueOrDefault("user", "").Trim(), fields.GetValueOrDefault("unit", "").Trim(),
                [.. form["role"].Where(r => r is not null).Select(r => r!)]);
            return Authorize(http, signIn, RequestOf(fields), person);
        }).DisableAntiforgery();
        endpoints.MapPost(LocalSignIn.TokenPath, async (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            if (!LocalSignIn.IsLoopback(http.Connection.RemoteIpAddress))
            {
                return Results.Json(new { error = "access_denied", error_description = "The local issuer signs in on this machine only." }, statusCode: StatusCodes.Status403Forbidden);
            }

            if (!http.Request.HasFormContentType)
            {
                return Results.Json(new { error = "invalid_request", error_description = "The body must be a form." }, statusCode: StatusCodes.Status400BadRequest);
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var answer = signIn.Exchange(form["grant_type"], form["code"], form["client_id"], form["redirect_uri"], form["code_verifier"]);
            return answer.Tokens is { } tokens
                ? Results.Json(tokens)
                : Results.Json(new { error = answer.Error, error_description = answer.Description }, statusCode: StatusCodes.Status400BadRequest);
        }).DisableAntiforgery();
        endpoints.MapGet(LocalSignIn.UserInfoPath, async (HttpContext http) =>
            await signIn.UserInfoAsync(http.Request.Headers.Authorization.ToString()) is { } claims
                ? Results.Json(claims)
                : Results.Json(new { error = "invalid_token" }, statusCode: StatusCodes.Status401Unauthorized));
        endpoints.MapGet(LocalSignIn.LogoutPath, (HttpContext http) =>
        {
            // Nothing is kept here to end: tokens end on their own. Back to the console if it asked, on this machine only.
            var back = http.Request.Query["post_logout_redirect_uri"].ToString();
            var state = http.Request.Query["state"].ToString();
            return LocalSignIn.IsLoopbackRedirect(back)
                ? Results.Redirect(state.Length == 0 ? back : WithQuery(back, ("state", state)))
                : Page(StatusCodes.Status200OK, "<p>已退出 / Signed out.</p>");
        });
    }

    private static LocalSignIn.Request RequestOf(IReadOnlyDictionary<string, string> fields) => new(
        fields.GetValueOrDefault("client_id"), fields.GetValueOrDefault("redirect_uri"), fields.GetValueOrDefault("response_type"),
        fields.GetValueOrDefault("scope"), fields.GetValueOrDefault("state"), fields.GetValueOrDefault("nonce"),
        fields.GetValueOrDefault("code_challenge"), fields.GetValueOrDefault("code_challenge_method"), fields.GetValueOrDefault("prompt"));

    private static IResult Authorize(HttpContext http, LocalSignIn signIn, LocalSignIn.Request request, LocalSignIn.Person? person)
    {
        http.Response.Headers.CacheControl = "no-store";
        // The page is never framed by another site (it would sign in whoever clicks).
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        if (!LocalSignIn.IsLoopback(http.Connection.RemoteIpAddress))
        {
            return Page(StatusCodes.Status403Forbidden, "<p>The local issuer signs in on this machine only. 本机登录仅限本机访问。</p>");
        }

        if (LocalSignIn.Refusal(request) is { } refusal)
        {
            // Nothing is redirected to an address that was not checked.
            return Page(StatusCodes.Status400BadRequest, $"<p role=\"alert\">{Encode(refusal)}</p>");
        }

        if (person is null && request.Prompt == "none")
        {
            // Silent renewal: there is no session here to renew without the developer.
            return Results.Redirect(WithQuery(request.RedirectUri!, ("error", "login_required"), ("state", request.State)));
        }

        if (person is not null)
        {
            if (LocalSignIn.Refusal(person) is { } wrong)
            {
                return Page(StatusCodes.Status400BadRequest, Form(request, person, wrong));
            }

            var code = signIn.Issue(request, person);
            return Results.Redirect(WithQuery(request.RedirectUri!, ("code", code), ("state", request.State)));
        }

        return Page(StatusCodes.Status200OK, Form(request, new LocalSignIn.Person("dev.user", "unit-1", [Roles.Reviewer]), problem: null));
    }

    private static string WithQuery(string uri, params (string Name, string? Value)[] parameters)
    {
        var query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        return uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
    }

    private static string Form(LocalSignIn.Request request, LocalSignIn.Person person, string? problem)
    {
        var html = new StringBuilder();
        html.Append("<h1>AvCloud 本机登录 <span lang=\"en\">(local only)</span></h1>");
        html.Append("<p class=\"local\"><strong>仅限本机 / local only</strong>: 这是开发用的本机令牌签发方，可选择任何用户、角色和单位；Azure 中由 Entra ID 登录。 ");
        html.Append("<span lang=\"en\">This is the development issuer on this machine: it signs in as anyone. In Azure, people sign in with Entra ID.</span></p>");
        if (problem is not null)
        {
            html.Append($"<p role=\"alert\" class=\"problem\">{Encode(problem)}</p>");
        }

        html.Append($"<form method=\"post\" action=\"{LocalSignIn.AuthorizePath}\">");
        foreach (var (name, value) in new[]
        {
            ("client_id", request.ClientId), ("redirect_uri", request.RedirectUri), ("response_type", request.ResponseType), ("scope", request.Scope),
            ("state", request.State), ("nonce", request.Nonce), ("code_challenge", request.CodeChallenge), ("code_challenge_method", request.CodeChallengeMethod),
        })
        {
            if (value is not null)
            {
                html.Append($"<input type=\"hidden\" name=\"{name}\" value=\"{Encode(value)}\">");
            }
        }

        html.Append($"<p><label for=\"user\">用户 / User</label><br><input id=\"user\" name=\"user\" value=\"{Encode(person.User)}\" required maxlength=\"64\"></p>");
        html.Append($"<p><label for=\"unit\">单位 / Unit</label><br><input id=\"unit\" name=\"unit\" value=\"{Encode(person.Unit)}\" required maxlength=\"64\"></p>");
        html.Append("<fieldset><legend>角色 / Roles</legend>");
        foreach (var role in Roles.All)
        {
            var on = person.Roles.Contains(role) ? " checked" : "";
            html.Append($"<label><input type=\"checkbox\" name=\"role\" value=\"{role}\"{on}> {role}</label><br>");
        }

        html.Append("</fieldset><p><button type=\"submit\">登录 / Sign in</button></p></form>");
        return html.ToString();
    }

    private static IResult Page(int status, string body) => Results.Content(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>AvCloud 本机登录 (local only)</title>"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}"
        + ".local{border:2px solid #a4161a;padding:.5rem 1rem;background:#fff1f0}.problem{color:#a4161a}input{font:inherit;padding:.3rem}"
        + "button{font:inherit;padding:.4rem 1rem}</style></head><body><main>" + body + "</main></body></html>",
        "text/html; charset=utf-8", Encoding.UTF8, status);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
