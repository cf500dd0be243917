using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AvCloud.Local.Functions;

/// <summary>
/// The worker's middleware pipeline as the local host runs it. The app registers its middleware on this builder with the
/// same <c>UseAvCloudMiddleware()</c> call (and the worker's own <c>UseMiddleware</c>/<c>UseWhen</c>) that Program.cs
/// makes in Azure, so there is no second list of middleware to keep in step.
/// </summary>
internal sealed class LocalWorkerPipeline(IServiceCollection services) : IFunctionsWorkerApplicationBuilder
{
    private readonly List<Func<FunctionExecutionDelegate, FunctionExecutionDelegate>> _components = [];

    public IServiceCollection Services { get; } = services;

    public IFunctionsWorkerApplicationBuilder Use(Func<FunctionExecutionDelegate, FunctionExecutionDelegate> middleware)
    {
        _components.Add(middleware);
        return this;
    }

    /// <summary>The pipeline around <paramref name="function"/>, outermost middleware first, as the worker composes it.</summary>
    public FunctionExecutionDelegate Around(FunctionExecutionDelegate function)
    {
        var pipeline = function;
        for (var i = _components.Count - 1; i >= 0; i--)
        {
            pipeline = _components[i](pipeline);
        }

        return pipeline;
    }
}
