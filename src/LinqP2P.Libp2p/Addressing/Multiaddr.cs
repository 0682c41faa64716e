using System.Net;
using System.Net.Sockets;
using System.Text;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Addressing;

/// <summary>One protocol of a multiaddr with its value (null for protocols without one, such as p2p-circuit).</summary>
public readonly record struct MultiaddrComponent(MultiaddrProtocol Protocol, byte[]? Value)
{
    /// <summary>The value in text form ("127.0.0.1", "4001", "12D3KooW...").</summary>
    public string? ValueText => Value is null ? null : Protocol.ValueToText(Value);
}

/// <summary>
/// A self-describing network address (https://github.com/multiformats/multiaddr), in text
/// (<c>/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...</c>) and binary (varint code + value) forms.
/// Immutable; equality is byte equality of the binary form.
/// </summary>
public sealed class Multiaddr : IEquatable<Multiaddr>
{
    /// <summary>Longest binary or text form accepted.</summary>
    public const int MaxLength = 1024;

    private readonly byte[] _bytes;

    private Multiaddr(IReadOnlyList<MultiaddrComponent> components, byte[] bytes)
    {
        Components = components;
        _bytes = bytes;
    }

    public IReadOnlyList<MultiaddrComponent> Components { get; }

    public static Multiaddr Empty { get; } = new([], []);

    public static Multiaddr FromComponents(IEnumerable<MultiaddrComponent> components)
    {
        var list = components.ToList();
        using var ms = new MemoryStream();
        Span<byte> vb = stackalloc byte[Varint.MaxLength];
        foreach (var c in list)
        {
            ms.Write(vb[..Varint.Write(c.Protocol.Code, vb)]);
            if (c.Protocol.Size == MultiaddrProtocol.VariableSize)
            {
                ms.Write(vb[..Varint.Write((ulong)c.Value!.Length, vb)]);
            }
            if (c.Value is not null)
            {
                ms.Write(c.Value);
            }
        }
        return new Multiaddr(list, ms.ToArray());
    }

    /// <summary>Parses the text form; throws <see cref="Libp2pFormatException"/> with code <c>p2p.format.multiaddr</c>.</summary>
    public static Multiaddr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw Error($"a multiaddr is longer than {MaxLength} characters");
        }
        if (text.Length == 0 || text[0] != '/')
        {
            throw Error($"'{text}' does not start with '/'");
        }
        var parts = text.TrimEnd('/').Split('/');
        var components = new List<MultiaddrComponent>();
        for (var i = 1; i < parts.Length; i++)
        {
            var protocol = MultiaddrProtocol.ByName(parts[i]) ?? throw Error($"unknown protocol '{parts[i]}' in '{text}'");
            if (protocol.Size == 0)
            {
                components.Add(new MultiaddrComponent(protocol, null));
                continue;
            }
            if (++i >= parts.Length)
            {
                throw Error($"'/{protocol.Name}' has no value in '{text}'");
            }
            components.Add(new MultiaddrComponent(protocol, protocol.TextToValue(parts[i])));
        }
        return FromComponents(components);
    }

    public static bool TryParse(string? text, out Multiaddr? multiaddr)
    {
        multiaddr = null;
        if (text is null)
        {
            return false;
        }
        try
        {
            multiaddr = Parse(text);
            return true;
        }
        catch (Libp2pFormatException)
        {
            return false;
        }
    }

    /// <summary>Decodes the binary form, validating every value.</summary>
    public static Multiaddr FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            throw Error($"a binary multiaddr is longer than {MaxLength} bytes");
        }
        var components = new List<MultiaddrComponent>();
        var i = 0;
        try
        {
            while (i < bytes.Length)
            {
                var code = Varint.Read(bytes[i..], out var n);
                i += n;
                var protocol = MultiaddrProtocol.ByCode(code) ?? throw Error($"unknown protocol code 0x{code:x}");
                int size;
                if (protocol.Size == MultiaddrProtocol.VariableSize)
                {
                    size = Varint.ReadLength(bytes[i..], MaxLength, out n);
                    i += n;
                }
                else
                {
                    size = protocol.Size / 8;
                }
                if (bytes.Length - i < size)
                {
                    throw Error($"'/{protocol.Name}' announces {size} bytes but {bytes.Length - i} remain");
                }
                var value = size == 0 && protocol.Size == 0 ? null : bytes.Slice(i, size).ToArray();
                if (value is not null)
                {
                    protocol.Validate(value);
                }
                components.Add(new MultiaddrComponent(protocol, value));
                i += size;
            }
        }
        catch (MultiformatException e)
        {
            throw Error("bad varint: " + e.Message, e);
        }
        return new Multiaddr(components, bytes.ToArray());
    }

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Multiaddr? multiaddr)
    {
        try
        {
            multiaddr = FromBytes(bytes);
            return true;
        }
        catch (Libp2pFormatException)
        {
            multiaddr = null;
            return false;
        }
    }

    public byte[] ToBytes() => (byte[])_bytes.Clone();

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var c in Components)
        {
            sb.Append('/').Append(c.Protocol.Name);
            if (c.Value is not null)
            {
                sb.Append('/').Append(c.Protocol.ValueToText(c.Value));
            }
        }
        return sb.ToString();
    }

    /// <summary>This address followed by <paramref name="other"/>.</summary>
    public Multiaddr Encapsulate(Multiaddr other) => FromComponents(Components.Concat(other.Components));

    /// <summary>This address with the last /p2p/ component (and anything after it) removed.</summary>
    public Multiaddr WithoutPeerId()
    {
        var i = LastIndexOf(MultiaddrProtocol.P2p);
        return i < 0 ? this : FromComponents(Components.Take(i));
    }

    /// <summary>This address ending in /p2p/<paramref name="peerId"/> (replacing any peer id it already had).</summary>
    public Multiaddr WithPeerId(PeerId peerId) =>
        FromComponents(WithoutPeerId().Components.Append(new MultiaddrComponent(MultiaddrProtocol.P2p, peerId.ToBytes())));

    /// <summary>The peer id of the last /p2p/ component, or null.</summary>
    public PeerId? PeerId
    {
        get
        {
            var i = LastIndexOf(MultiaddrProtocol.P2p);
            return i < 0 ? null : Identity.PeerId.FromBytes(Components[i].Value);
        }
    }

    /// <summary>The first value of <paramref name="protocol"/>, or null.</summary>
    public string? ValueOf(MultiaddrProtocol protocol)
    {
        foreach (var c in Components)
        {
            if (c.Protocol == protocol)
            {
                return c.ValueText;
            }
        }
        return null;
    }

    /// <summary>
    /// Reads /ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT at the start of this address. Returns false for
    /// anything else (UDP, relayed addresses).
    /// </summary>
    public bool TryGetTcpEndpoint(out string host, out int port, out AddressFamily family)
    {
        host = "";
        port = 0;
        family = AddressFamily.Unspecified;
        if (Components.Count < 2 || Components[1].Protocol != MultiaddrProtocol.Tcp)
        {
            return false;
        }
        var first = Components[0];
        family = first.Protocol.Code switch
        {
            4 => AddressFamily.InterNetwork,
            41 => AddressFamily.InterNetworkV6,
            54 => AddressFamily.InterNetwork,
            55 => AddressFamily.InterNetworkV6,
            53 => AddressFamily.Unspecified,
            _ => (AddressFamily)(-1),
        };
        if ((int)family == -1)
        {
            return false;
        }
        host = first.ValueText!;
        port = int.Parse(Components[1].ValueText!, System.Globalization.CultureInfo.InvariantCulture);
        return Components.Skip(2).All(c => c.Protocol == MultiaddrProtocol.P2p);
    }

    public static Multiaddr FromEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var ip = address.AddressFamily == AddressFamily.InterNetwork ? MultiaddrProtocol.Ip4 : MultiaddrProtocol.Ip6;
        var port = new byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(port, (ushort)endPoint.Port);
        return FromComponents([new(ip, address.GetAddressBytes()), new(MultiaddrProtocol.Tcp, port)]);
    }

    private int LastIndexOf(MultiaddrProtocol protocol)
    {
        for (var i = Components.Count - 1; i >= 0; i--)
        {
            if (Components[i].Protocol == protocol)
            {
                return i;
            }
        }
        return -1;
    }

    public bool Equals(Multiaddr? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as Multiaddr);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(_bytes);
        return h.ToHashCode();
    }

    internal static Libp2pFormatException Error(string message, Exception? inner = null) => new("multiaddr", message, inner);
}
