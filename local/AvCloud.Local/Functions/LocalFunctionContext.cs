using System.Collections;
using System.Collections.Immutable;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Local.Functions;

/// <summary>
/// The <see cref="FunctionContext"/> of one local invocation: what the worker's middleware reads (the function's
/// name, the invocation id, the services, the HTTP context the ASP.NET Core integration exposes).
/// </summary>
internal sealed class LocalFunctionContext : FunctionContext
{
    // The key under which the ASP.NET Core integration keeps the request's HttpContext (GetHttpContext reads it).
    private const string HttpContextKey = "HttpRequestContext";

    public LocalFunctionContext(LocalFunction function, IServiceProvider services, HttpContext? http,
        IReadOnlyDictionary<string, object?> bindingData, CancellationToken cancellationToken)
    {
        FunctionDefinition = new LocalFunctionDefinition(function);
        InstanceServices = services;
        BindingContext = new LocalBindingContext(bindingData);
        CancellationToken = cancellationToken;
        if (http is not null)
        {
            Items[HttpContextKey] = http;
        }
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext { get; } = new LocalTraceContext();

    public override BindingContext BindingContext { get; }

    public override RetryContext RetryContext { get; } = new LocalRetryContext();

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features { get; } = new LocalInvocationFeatures();

    public override CancellationToken CancellationToken { get; }

    private sealed class LocalFunctionDefinition(LocalFunction function) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters { get; } = [];

        public override string PathToAssembly { get; } = function.Method.DeclaringType!.Assembly.Location;

        public override string EntryPoint { get; } = function.EntryPoint;

        public override string Id { get; } = function.Name;

        public override string Name { get; } = function.Name;

        // The trigger, named as the worker's metadata names it: middleware registered with UseWhen chooses by it.
        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } = function.TriggerParameter is { Name: { } name }
            ? ImmutableDictionary<string, BindingMetadata>.Empty.Add(name, new TriggerBinding(name, function.Kind switch
            {
                TriggerKind.Http => "httpTrigger",
                TriggerKind.Blob => "blobTrigger",
                TriggerKind.Timer => "timerTrigger",
                _ => "unsupported",
            }))
            : ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; } = ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class TriggerBinding(string name, string type) : BindingMetadata
    {
        public override string Name { get; } = name;

        public override string Type { get; } = type;

        public override BindingDirection Direction => BindingDirection.In;
    }

    private sealed class LocalBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = data;
    }

    private sealed class LocalTraceContext : TraceContext
    {
        public override string TraceParent { get; } = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01";

        public override string TraceState => string.Empty;
    }

    private sealed class LocalRetryContext : RetryContext
    {
        public override int RetryCount => 0;

        public override int MaxRetryCount => 0;
    }

    private sealed class LocalInvocationFeatures : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _features = [];

        public T? Get<T>() => _features.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public void Set<T>(T instance)
        {
            if (instance is null)
            {
                _features.Remove(typeof(T));
            }
            else
            {
                _features[typeof(T)] = instance;
            }
        }

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
