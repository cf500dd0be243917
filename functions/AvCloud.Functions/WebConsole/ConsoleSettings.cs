namespace AvCloud.Functions.WebConsole;

/// <summary>
/// What the console reads at start (<c>settings.json</c>) to sign in, so the same client code serves Entra ID and the
/// local issuer. This file is compiled into the console too (linked), so the two read it alike.
/// </summary>
public sealed record ConsoleSettings(Uri Authority, string ClientId, string Scope);
