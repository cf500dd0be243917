namespace AvCloud.Functions.Http;

/// <summary>
/// Where a request came from, as the audit trail records it beside who made it (Art. 18: every access is logged with
/// who, when and from where): the connection's peer address and the user agent it gave.
/// </summary>
public sealed record ClientFacts(string Address, string Agent)
{
    private const int MaxAgent = 256;

    public static ClientFacts Of(HttpContext http)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        // A client writes its own agent: kept short and free of control characters, so it cannot forge lines in a log.
        agent = new string([.. agent.Where(c => !char.IsControl(c)).Take(MaxAgent)]);
        return new ClientFacts(AddressOf(http), agent.Length > 0 ? agent : "unknown");
    }

    /// <summary>The connection's peer address (an IPv4 client over a dual-stack socket shows as IPv4).</summary>
    public static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } address => address.MapToIPv4().ToString(),
        var address => address.ToString(),
    };

    /// <summary>The facts as audit details.</summary>
    public Dictionary<string, string> Details() => new() { ["address"] = Address, ["agent"] = Agent };
}
