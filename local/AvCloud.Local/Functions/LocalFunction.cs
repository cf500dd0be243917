using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Local.Functions;

public enum TriggerKind
{
    Http,
    Blob,
    Timer,
    Unsupported,
}

/// <summary>A <c>[Function]</c> method as the local host serves it: its trigger and what the trigger says.</summary>
public sealed record LocalFunction(string Name, MethodInfo Method, TriggerKind Kind, ParameterInfo? TriggerParameter, Attribute? Trigger)
{
    public HttpTriggerAttribute Http => (HttpTriggerAttribute)Trigger!;

    public BlobTriggerAttribute Blob => (BlobTriggerAttribute)Trigger!;

    public TimerTriggerAttribute Timer => (TimerTriggerAttribute)Trigger!;

    public string EntryPoint => $"{Method.DeclaringType!.FullName}.{Method.Name}";

    /// <summary>Why the local host cannot serve this function, or null when it can.</summary>
    public string? Problem { get; init; }

    /// <summary>The HTTP route under <c>/api</c>: the attribute's route, or the function name as Azure defaults it.</summary>
    public string Route => Http.Route ?? Name;

    /// <summary>The HTTP methods, upper case; all of them when the attribute names none.</summary>
    public IReadOnlyList<string> HttpMethods => Http.Methods is { Length: > 0 } methods
        ? [.. methods.Select(m => m.ToUpperInvariant())]
        : ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
}
