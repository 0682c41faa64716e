using System.Net;
using System.Net.Sockets;

namespace LinqP2P.Libp2p.Mdns;

/// <summary>Where mDNS packets go and come from; injectable so the service can be tested on any datagram path.</summary>
public interface IMdnsTransport : IAsyncDisposable
{
    /// <summary>Sends one packet to the group.</summary>
    Task SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken);

    /// <summary>Receives the next packet into <paramref name="buffer"/>; returns its length.</summary>
    Task<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>
/// IPv4 multicast on one interface: joins the group only on <see cref="MdnsOptions.InterfaceAddress"/>,
/// sends only through it (IP_MULTICAST_IF), with multicast loopback on so other processes on this
/// machine hear us. The socket is bound to the group address, so unicast traffic to the port is not read.
/// </summary>
public sealed class MulticastUdpTransport : IMdnsTransport
{
    private readonly Socket _socket;
    private readonly IPEndPoint _group;

    public MulticastUdpTransport(MdnsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _group = new IPEndPoint(options.Group, options.Port);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.Bind(new IPEndPoint(options.Group, options.Port));
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, options.InterfaceAddress.GetAddressBytes());
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(options.Group, options.InterfaceAddress));
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new Libp2pConnectionException("mdns_socket", $"cannot join {options.Group}:{options.Port} on {options.InterfaceAddress}: {e.Message}; check the interface address or turn mDNS off", retryable: false, inner: e);
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken) =>
        await _socket.SendToAsync(packet, SocketFlags.None, _group, cancellationToken);

    public async Task<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
        return result.ReceivedBytes;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
