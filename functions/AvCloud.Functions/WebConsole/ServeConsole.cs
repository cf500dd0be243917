using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AvCloud.Functions.WebConsole;

/// <summary>
/// <c>GET /{path}</c> (no token needed): the web console's published files, from the same origin and the same
/// deployment package as the API, so Azure needs nothing more than the function app. Each file goes with its content
/// type and cache rule (<see cref="ConsoleFiles"/>) and, where the browser accepts it, its precompressed Brotli or gzip
/// copy; a route of the console gets the page; <c>settings.json</c> tells the console where people sign in. The
/// console itself holds no rule: everything it shows or does goes through the API with the person's own token.
/// </summary>
public sealed class ServeConsole(IOptions<ConsoleOptions> options)
{
    [Function(nameof(ServeConsole))]
    [Anonymous]
    [Answers(StatusCodes.Status200OK, typeof(ConsoleSettings))]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{*path}")] HttpRequest request, string? path)
    {
        var response = request.HttpContext.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        if (path == ConsoleFiles.SettingsFile)
        {
            response.Headers.CacheControl = ConsoleFiles.Revalidate;
            var console = options.Value;
            return TypedResults.Ok(new ConsoleSettings(console.Authority ?? new Uri($"{request.Scheme}://{request.Host}/"), console.ClientId, console.Scope));
        }

        var root = options.Value.ResolvedDirectory;
        switch (ConsoleFiles.Resolve(root, path ?? ""))
        {
            case ConsoleFiles.Refused refused:
                return TypedResults.Problem(refused.Reason, statusCode: StatusCodes.Status400BadRequest, title: "Bad request.");
            case ConsoleFiles.Found found:
                var file = Path.Combine(root, found.RelativePath);
                response.Headers.CacheControl = found.CacheControl;
                response.Headers.Vary = HeaderNames.AcceptEncoding;
                if (found.RelativePath == ConsoleFiles.IndexFile)
                {
                    // The page may be framed only by the console itself (the sign-in's silent renewal) and leaks no address.
                    response.Headers.XFrameOptions = "SAMEORIGIN";
                    response.Headers["Referrer-Policy"] = "no-referrer";
                }

                var encoded = ConsoleFiles.Precompressed(request.Headers.AcceptEncoding.ToString(), suffix => File.Exists(file + suffix));
                if (encoded is { } copy)
                {
                    response.Headers.ContentEncoding = copy.Encoding;
                    file += copy.Suffix;
                }

                var info = new FileInfo(file);
                var tag = new EntityTagHeaderValue($"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}{(encoded is { } e ? "-" + e.Encoding : "")}\"");
                return TypedResults.PhysicalFile(file, found.ContentType, lastModified: info.LastWriteTimeUtc, entityTag: tag);
            default:
                return Problems.NotFound("No such file in the console.");
        }
    }
}
