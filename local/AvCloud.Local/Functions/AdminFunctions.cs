namespace AvCloud.Local.Functions;

/// <summary>
/// The host's admin API, as Azure shapes it: <c>GET /admin/functions</c> lists the functions with their trigger
/// bindings (in <c>functions.metadata</c> terms), <c>POST /admin/functions/NAME</c> runs a timer function now.
/// Unlike Azure's, it answers 202 once the run has finished, so scripts and tests can rely on its effects. As in Azure,
/// both need the master key (<see cref="HostKeys"/>).
/// </summary>
internal static class AdminFunctions
{
    /// <summary>The local cloud's clock, which the WORM gateway in Azurite reads so that policies expire by it.</summary>
    public const string ClockPath = "/admin/clock";

    public static void Map(IEndpointRouteBuilder endpoints, IReadOnlyList<LocalFunction> functions, TimerFunctions timers, TimeProvider clock, HostKeys keys)
    {
        // The clock is the local cloud's own (Azure has none to ask); it stays open because the WORM gateway and
        // `avcloud token` read it, and reading the time changes nothing.
        endpoints.MapGet(ClockPath, () => TypedResults.Ok(new { now = clock.GetUtcNow() }));
        // Azure's admin API takes the master key only.
        endpoints.MapGet("/admin/functions", () => TypedResults.Ok(functions.Select(Describe))).RequireHostKey(keys, systemKey: null);
        endpoints.MapPost("/admin/functions/{name}", async (string name, CancellationToken cancellationToken) =>
        {
            var function = timers.Timers.FirstOrDefault(f => f.Name == name);
            if (function is null)
            {
                return Results.Problem($"No timer function named '{name}' is served here.", statusCode: StatusCodes.Status404NotFound,
                    title: "Unknown function.");
            }

            await timers.RunAsync(function, isPastDue: false, cancellationToken);
            return Results.Accepted();
        }).RequireHostKey(keys, systemKey: null);
    }

    public static FunctionDescription Describe(LocalFunction function) => new(
        function.Name,
        function.EntryPoint,
        Path.GetFileName(function.Method.DeclaringType!.Assembly.Location),
        function.Problem is null,
        function.Problem,
        function.TriggerParameter is null ? [] : [Trigger(function)]);

    private static TriggerBinding Trigger(LocalFunction function) => function.Kind switch
    {
        TriggerKind.Http => new TriggerBinding(function.TriggerParameter!.Name!, "httpTrigger")
        {
            AuthLevel = function.Http.AuthLevel.ToString(),
            Methods = function.Http.Methods is { Length: > 0 } methods ? methods : null,
            Route = function.Http.Route,
        },
        TriggerKind.Blob => new TriggerBinding(function.TriggerParameter!.Name!, "blobTrigger")
        {
            Path = function.Blob.BlobPath,
            Source = function.Blob.Source.ToString(),
            Connection = function.Blob.Connection,
        },
        TriggerKind.Timer => new TriggerBinding(function.TriggerParameter!.Name!, "timerTrigger")
        {
            Schedule = function.Timer.Schedule,
            RunOnStartup = function.Timer.RunOnStartup,
        },
        _ => new TriggerBinding(function.TriggerParameter!.Name!, "unsupported"),
    };
}

public sealed record FunctionDescription(
    string Name, string EntryPoint, string ScriptFile, bool Served, string? Problem, IReadOnlyList<TriggerBinding> Bindings);

public sealed record TriggerBinding(string Name, string Type)
{
    public string Direction => "In";

    public string? AuthLevel { get; init; }

    public IReadOnlyList<string>? Methods { get; init; }

    public string? Route { get; init; }

    public string? Path { get; init; }

    public string? Source { get; init; }

    public string? Connection { get; init; }

    public string? Schedule { get; init; }

    public bool? RunOnStartup { get; init; }
}
