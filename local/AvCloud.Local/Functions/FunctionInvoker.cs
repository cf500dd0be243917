using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using AvCloud.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace AvCloud.Local.Functions;

/// <summary>
/// Runs one function the way the worker does: a new instance of its class from DI for every invocation,
/// inside the app's worker middleware (<see cref="LocalWorkerPipeline"/>), with its parameters bound
/// from the trigger, the binding data, the <see cref="FunctionContext"/> and the cancellation token.
/// </summary>
internal static class FunctionInvoker
{
    /// <summary>Binds the trigger parameter itself; other parameters come from binding data.</summary>
    public delegate ValueTask<object?> TriggerBinder(ParameterInfo parameter, CancellationToken cancellationToken);

    public static async Task<object?> InvokeAsync(
        LocalFunction function,
        IServiceProvider services,
        HttpContext? http,
        IReadOnlyDictionary<string, object?> bindingData,
        TriggerBinder bindTrigger,
        CancellationToken cancellationToken)
    {
        var context = new LocalFunctionContext(function, services, http, bindingData, cancellationToken);
        object? result = null;

        var pipeline = services.GetRequiredService<LocalWorkerPipeline>()
            .Around(async ctx => result = await RunAsync(function, ctx, http, bindingData, bindTrigger));
        await pipeline(context);

        // As the ASP.NET Core integration does: the function's IResult is written after the pipeline returns,
        // unless a middleware already answered.
        if (http is not null && !http.Response.HasStarted)
        {
            switch (result)
            {
                case IResult httpResult:
                    await httpResult.ExecuteAsync(http);
                    break;
                case null:
                    break;
                default:
                    await TypedResults.Json(result, AvCloudJson.Options).ExecuteAsync(http);
                    break;
            }
        }

        return result;
    }

    private static async Task<object?> RunAsync(LocalFunction function, FunctionContext context, HttpContext? http,
        IReadOnlyDictionary<string, object?> bindingData, TriggerBinder bindTrigger)
    {
        var method = function.Method;
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.InstanceServices, method.DeclaringType!);
        var parameters = method.GetParameters();
        var arguments = new object?[parameters.Length];
        try
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                arguments[i] = await BindAsync(parameters[i], function, context, http, bindingData, bindTrigger);
            }

            object? returned;
            try
            {
                returned = method.Invoke(target, arguments);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception.InnerException);
                throw;
            }

            return await UnwrapAsync(returned);
        }
        finally
        {
            foreach (var stream in arguments.OfType<Stream>())
            {
                await stream.DisposeAsync();
            }

            switch (target)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static async ValueTask<object?> BindAsync(ParameterInfo parameter, LocalFunction function, FunctionContext context,
        HttpContext? http, IReadOnlyDictionary<string, object?> bindingData, TriggerBinder bindTrigger)
    {
        if (parameter == function.TriggerParameter)
        {
            return await bindTrigger(parameter, context.CancellationToken);
        }

        if (parameter.ParameterType == typeof(FunctionContext))
        {
            return context;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return context.CancellationToken;
        }

        if (http is not null && parameter.GetCustomAttribute<FromBodyAttribute>() is not null)
        {
            return await JsonSerializer.DeserializeAsync(http.Request.Body, parameter.ParameterType, AvCloudJson.Options, context.CancellationToken);
        }

        var value = bindingData.FirstOrDefault(kv => string.Equals(kv.Key, parameter.Name, StringComparison.OrdinalIgnoreCase)).Value;
        if (value is null)
        {
            return parameter.HasDefaultValue ? parameter.DefaultValue : null;
        }

        if (parameter.ParameterType.IsInstanceOfType(value))
        {
            return value;
        }

        var target = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return TypeDescriptor.GetConverter(target).ConvertFromInvariantString(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!);
    }

    private static async Task<object?> UnwrapAsync(object? returned)
    {
        switch (returned)
        {
            case Task task:
                await task;
                var type = task.GetType();
                return type.IsGenericType && type.GetProperty("Result") is { } property && property.PropertyType.Name != "VoidTaskResult"
                    ? property.GetValue(task)
                    : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            default:
                if (returned?.GetType() is { IsGenericType: true } valueTaskType && valueTaskType.GetGenericTypeDefinition() == typeof(ValueTask<>))
                {
                    var asTask = (Task)valueTaskType.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!;
                    return await UnwrapAsync(asTask);
                }

                return returned;
        }
    }
}
