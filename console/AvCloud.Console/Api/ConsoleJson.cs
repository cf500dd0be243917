using System.Text.Json;
using System.Text.Json.Serialization;
using AvCloud.Functions.WebConsole;

namespace AvCloud.Console.Api;

/// <summary>Serialization of the settings the console reads at start, generated at build time (the app is trimmed).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ConsoleSettings))]
internal sealed partial class ConsoleJson : JsonSerializerContext;
