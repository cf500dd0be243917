using System.Net;
using System.Net.Sockets;

namespace AvCloud.Tests.Identity;

/// <summary>
/// HTTP clients that reach the host from a chosen loopback address (anything in 127.0.0.0/8 is this machine), so the
/// host sees requests from distinct client IPs as it would from distinct machines, without leaving loopback.
/// </summary>
public static class LoopbackSource
{
    /// <summary>A loopback address other than 127.0.0.1, different on each call (almost surely).</summary>
    public static IPAddress NewAddress() =>
        new([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);

    /// <summary>A client for <paramref name="baseAddress"/> whose connections come from <paramref name="source"/>.</summary>
    public static HttpClient ClientFrom(IPAddress source, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress };
}
