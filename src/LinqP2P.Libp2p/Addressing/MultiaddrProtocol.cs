using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Addressing;

/// <summary>A protocol of the multiaddr table (multiformats/multiaddr protocols.csv): code, name, value size in bits.</summary>
public sealed class MultiaddrProtocol
{
    /// <summary>Marks a length-prefixed value.</summary>
    public const int VariableSize = -1;

    private enum Kind
    {
        None,
        Ip4,
        Ip6,
        Port,
        Utf8,
        PeerId,
        Multibase,
    }

    private readonly Kind _kind;

    private MultiaddrProtocol(ulong code, string name, int size, Kind kind)
    {
        Code = code;
        Name = name;
        Size = size;
        _kind = kind;
    }

    public ulong Code { get; }

    public string Name { get; }

    /// <summary>Value size in bits, 0 for none, <see cref="VariableSize"/> for length-prefixed.</summary>
    public int Size { get; }

    public static readonly MultiaddrProtocol Ip4 = new(4, "ip4", 32, Kind.Ip4);
    public static readonly MultiaddrProtocol Tcp = new(6, "tcp", 16, Kind.Port);
    public static readonly MultiaddrProtocol Dccp = new(33, "dccp", 16, Kind.Port);
    public static readonly MultiaddrProtocol Ip6 = new(41, "ip6", 128, Kind.Ip6);
    public static readonly MultiaddrProtocol Ip6Zone = new(42, "ip6zone", VariableSize, Kind.Utf8);
    public static readonly MultiaddrProtocol Dns = new(53, "dns", VariableSize, Kind.Utf8);
    public static readonly MultiaddrProtocol Dns4 = new(54, "dns4", VariableSize, Kind.Utf8);
    public static readonly MultiaddrProtocol Dns6 = new(55, "dns6", VariableSize, Kind.Utf8);
    public static readonly MultiaddrProtocol DnsAddr = new(56, "dnsaddr", VariableSize, Kind.Utf8);
    public static readonly MultiaddrProtocol Sctp = new(132, "sctp", 16, Kind.Port);
    public static readonly MultiaddrProtocol Udp = new(273, "udp", 16, Kind.Port);
    public static readonly MultiaddrProtocol P2pWebRtcDirect = new(276, "p2p-webrtc-direct", 0, Kind.None);
    public static readonly MultiaddrProtocol Utp = new(302, "utp", 0, Kind.None);
    public static readonly MultiaddrProtocol P2pCircuit = new(290, "p2p-circuit", 0, Kind.None);
    public static readonly MultiaddrProtocol P2p = new(421, "p2p", VariableSize, Kind.PeerId);
    public static readonly MultiaddrProtocol Tls = new(448, "tls", 0, Kind.None);
    public static readonly MultiaddrProtocol Noise = new(454, "noise", 0, Kind.None);
    public static readonly MultiaddrProtocol Quic = new(460, "quic", 0, Kind.None);
    public static readonly MultiaddrProtocol QuicV1 = new(461, "quic-v1", 0, Kind.None);
    public static readonly MultiaddrProtocol WebTransport = new(465, "webtransport", 0, Kind.None);
    public static readonly MultiaddrProtocol CertHash = new(466, "certhash", VariableSize, Kind.Multibase);
    public static readonly MultiaddrProtocol Ws = new(477, "ws", 0, Kind.None);
    public static readonly MultiaddrProtocol Wss = new(478, "wss", 0, Kind.None);
    public static readonly MultiaddrProtocol WebRtcDirect = new(280, "webrtc-direct", 0, Kind.None);
    public static readonly MultiaddrProtocol WebRtc = new(281, "webrtc", 0, Kind.None);

    private static readonly MultiaddrProtocol[] All =
    [
        Ip4, Tcp, Dccp, Ip6, Ip6Zone, Dns, Dns4, Dns6, DnsAddr, Sctp, Udp, P2pWebRtcDirect, Utp, P2pCircuit, P2p,
        Tls, Noise, Quic, QuicV1, WebTransport, CertHash, Ws, Wss, WebRtcDirect, WebRtc,
    ];

    private static readonly Dictionary<string, MultiaddrProtocol> Names = All.ToDictionary(p => p.Name, StringComparer.Ordinal);
    private static readonly Dictionary<ulong, MultiaddrProtocol> Codes = All.ToDictionary(p => p.Code);

    /// <summary>The protocol named <paramref name="name"/> ("ipfs" is the old name of "p2p"), or null.</summary>
    public static MultiaddrProtocol? ByName(string name) =>
        name == "ipfs" ? P2p : Names.GetValueOrDefault(name);

    public static MultiaddrProtocol? ByCode(ulong code) => Codes.GetValueOrDefault(code);

    internal byte[] TextToValue(string text)
    {
        switch (_kind)
        {
            case Kind.Ip4:
                if (!IPAddress.TryParse(text, out var a4) || a4.AddressFamily != AddressFamily.InterNetwork || text.Count(c => c == '.') != 3)
                {
                    throw Multiaddr.Error($"'{text}' is not an IPv4 address");
                }
                return a4.GetAddressBytes();
            case Kind.Ip6:
                if (!IPAddress.TryParse(text, out var a6) || a6.AddressFamily != AddressFamily.InterNetworkV6 || a6.ScopeId != 0)
                {
                    throw Multiaddr.Error($"'{text}' is not an IPv6 address (without zone)");
                }
                return a6.GetAddressBytes();
            case Kind.Port:
                if (!ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                {
                    throw Multiaddr.Error($"'{text}' is not a port number (0-65535)");
                }
                var bytes = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(bytes, port);
                return bytes;
            case Kind.Utf8:
                var utf8 = Encoding.UTF8.GetBytes(text);
                Validate(utf8);
                return utf8;
            case Kind.PeerId:
                return PeerId.Parse(text).ToBytes();
            case Kind.Multibase:
                try
                {
                    var decoded = Multibase.Decode(text, out _);
                    Multihash.Decode(decoded);
                    return decoded;
                }
                catch (MultiformatException e)
                {
                    throw Multiaddr.Error($"'{text}' is not a multibase multihash: {e.Message}", e);
                }
            default:
                throw Multiaddr.Error($"'/{Name}' takes no value");
        }
    }

    internal string ValueToText(byte[] value) => _kind switch
    {
        Kind.Ip4 or Kind.Ip6 => new IPAddress(value).ToString(),
        Kind.Port => BinaryPrimitives.ReadUInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
        Kind.Utf8 => Encoding.UTF8.GetString(value),
        Kind.PeerId => PeerId.FromBytes(value).ToString(),
        Kind.Multibase => Multibase.Encode(Multibase.Encoding.Base64Url, value),
        _ => "",
    };

    internal void Validate(byte[] value)
    {
        switch (_kind)
        {
            case Kind.Utf8:
                if (value.Length == 0 || value.Length > 255 || value.Contains((byte)'/'))
                {
                    throw Multiaddr.Error($"a /{Name} value is 1-255 bytes without '/'");
                }
                try
                {
                    new UTF8Encoding(false, true).GetString(value);
                }
                catch (DecoderFallbackException e)
                {
                    throw Multiaddr.Error($"a /{Name} value is not UTF-8", e);
                }
                break;
            case Kind.PeerId:
                PeerId.FromBytes(value);
                break;
            case Kind.Multibase:
                try
                {
                    Multihash.Decode(value);
                }
                catch (MultiformatException e)
                {
                    throw Multiaddr.Error($"a /{Name} value is not a multihash", e);
                }
                break;
            default:
                break;
        }
    }

    public override string ToString() => Name;
}
