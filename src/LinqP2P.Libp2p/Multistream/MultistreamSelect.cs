using System.Text;
using LinqP2P.Libp2p.Streams;
using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Multistream;

/// <summary>
/// multistream-select 1.0 (specs/connections/README.md#multistream-select, SPEC.md §5): both sides say
/// <c>/multistream/1.0.0</c>, the initiator proposes protocols one by one and the responder echoes the
/// one it accepts or answers <c>na</c>; <c>ls</c> asks for the list. Every message is
/// varint(length) + UTF-8 text + '\n', at most <see cref="MaxMessageLength"/> bytes.
/// </summary>
public static class MultistreamSelect
{
    public const string ProtocolId = "/multistream/1.0.0";

    /// <summary>Largest message accepted (the '\n' included).</summary>
    public const int MaxMessageLength = 64 * 1024;

    /// <summary>Longest protocol id we send or accept in a proposal.</summary>
    public const int MaxProtocolLength = 1024;

    private const string Na = "na";
    private const string Ls = "ls";

    /// <summary>
    /// As initiator: negotiates the first of <paramref name="protocols"/> the remote accepts and returns it.
    /// Throws <see cref="ProtocolNotSupportedException"/> when it accepts none.
    /// </summary>
    public static async Task<string> SelectAsync(Stream stream, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count == 0)
        {
            throw new ArgumentException("offer at least one protocol", nameof(protocols));
        }
        // The header and the first proposal travel together: one round trip in the common case.
        await WriteAsync(stream, [ProtocolId, protocols[0]], cancellationToken);
        var header = await ReadAsync(stream, cancellationToken);
        if (header != ProtocolId)
        {
            throw new Libp2pProtocolException("multistream.header", $"expected '{ProtocolId}', got '{Shorten(header)}'");
        }
        for (var i = 0; i < protocols.Count; i++)
        {
            if (i > 0)
            {
                await WriteAsync(stream, [protocols[i]], cancellationToken);
            }
            var answer = await ReadAsync(stream, cancellationToken);
            if (answer == protocols[i])
            {
                return answer;
            }
            if (answer != Na)
            {
                throw new Libp2pProtocolException("multistream.answer", $"proposed '{protocols[i]}', got '{Shorten(answer)}'");
            }
        }
        throw new ProtocolNotSupportedException(protocols);
    }

    /// <summary>
    /// As responder: answers proposals until one is in <paramref name="supported"/>, and returns it.
    /// Answers <c>ls</c> with the list and anything else with <c>na</c>. Gives up after
    /// <paramref name="maxAttempts"/> proposals so a peer cannot keep the stream busy forever.
    /// </summary>
    public static async Task<string> HandleAsync(Stream stream, Func<string, bool> supported, Func<IEnumerable<string>> list, CancellationToken cancellationToken, int maxAttempts = 32)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(supported);
        ArgumentNullException.ThrowIfNull(list);
        var header = await ReadAsync(stream, cancellationToken);
        if (header != ProtocolId)
        {
            throw new Libp2pProtocolException("multistream.header", $"expected '{ProtocolId}', got '{Shorten(header)}'");
        }
        await WriteAsync(stream, [ProtocolId], cancellationToken);
        for (var attempt = 0; attempt < maxAttempts; attempt++)
        {
            var proposal = await ReadAsync(stream, cancellationToken);
            if (proposal == Ls)
            {
                await WriteLsAsync(stream, list(), cancellationToken);
            }
            else if (proposal.Length <= MaxProtocolLength && proposal.StartsWith('/') && supported(proposal))
            {
                await WriteAsync(stream, [proposal], cancellationToken);
                return proposal;
            }
            else
            {
                await WriteAsync(stream, [Na], cancellationToken);
            }
        }
        throw new Libp2pProtocolException("multistream.attempts", $"the peer proposed {maxAttempts} protocols we do not support");
    }

    /// <summary>As initiator: asks the remote which protocols it supports (<c>ls</c>).</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await WriteAsync(stream, [ProtocolId, Ls], cancellationToken);
        var header = await ReadAsync(stream, cancellationToken);
        if (header != ProtocolId)
        {
            throw new Libp2pProtocolException("multistream.header", $"expected '{ProtocolId}', got '{Shorten(header)}'");
        }
        var body = await ReadRawAsync(stream, cancellationToken);
        return DecodeLs(body);
    }

    /// <summary>Encodes one message: varint(length of text + 1), text, '\n'.</summary>
    public static byte[] Encode(string message)
    {
        var text = Encoding.UTF8.GetBytes(message);
        if (text.Length + 1 > MaxMessageLength)
        {
            throw new ArgumentException("a multistream message is limited to 64 KiB", nameof(message));
        }
        var bytes = new byte[Varint.SizeOf((ulong)text.Length + 1) + text.Length + 1];
        var n = Varint.Write((ulong)text.Length + 1, bytes);
        text.CopyTo(bytes.AsSpan(n));
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>Decodes the body of one message (after its length prefix): strict UTF-8 ending in '\n'.</summary>
    public static string DecodeBody(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0 || body[^1] != (byte)'\n')
        {
            throw new Libp2pProtocolException("multistream.newline", "a multistream message must end with '\\n'");
        }
        try
        {
            return StrictUtf8.GetString(body[..^1]);
        }
        catch (DecoderFallbackException e)
        {
            throw new Libp2pProtocolException("multistream.utf8", "a multistream message is not UTF-8", e);
        }
    }

    /// <summary>Decodes an <c>ls</c> answer: a sequence of length-prefixed, newline-terminated protocol ids.</summary>
    public static IReadOnlyList<string> DecodeLs(ReadOnlySpan<byte> body)
    {
        var result = new List<string>();
        // The answer is itself one message: strip the outer '\n' if the sender added one.
        if (body.Length > 0 && body[^1] == (byte)'\n' && !EndsWithInnerMessage(body))
        {
            body = body[..^1];
        }
        try
        {
            while (body.Length > 0)
            {
                var length = Varint.ReadLength(body, MaxMessageLength, out var n);
                if (body.Length - n < length)
                {
                    throw new Libp2pProtocolException("multistream.ls", "an ls entry is truncated");
                }
                var entry = DecodeBody(body.Slice(n, length));
                if (entry.Length > 0)
                {
                    result.Add(entry);
                }
                body = body[(n + length)..];
            }
        }
        catch (MultiformatException e)
        {
            throw new Libp2pProtocolException("multistream.varint", e.Message, e);
        }
        return result;
    }

    private static bool EndsWithInnerMessage(ReadOnlySpan<byte> body)
    {
        // Walk the entries; if they consume the whole body, the final '\n' belongs to the last entry.
        try
        {
            while (body.Length > 0)
            {
                var length = Varint.ReadLength(body, MaxMessageLength, out var n);
                if (body.Length - n < length)
                {
                    return false;
                }
                body = body[(n + length)..];
            }
            return true;
        }
        catch (MultiformatException)
        {
            return false;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private static async Task WriteAsync(Stream stream, string[] messages, CancellationToken cancellationToken)
    {
        var encoded = messages.Select(Encode).ToArray();
        var all = new byte[encoded.Sum(e => e.Length)];
        var offset = 0;
        foreach (var e in encoded)
        {
            e.CopyTo(all, offset);
            offset += e.Length;
        }
        await stream.WriteAsync(all, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static async Task WriteLsAsync(Stream stream, IEnumerable<string> protocols, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        foreach (var p in protocols)
        {
            body.Write(Encode(p));
        }
        body.WriteByte((byte)'\n');
        var payload = body.ToArray();
        var bytes = new byte[Varint.SizeOf((ulong)payload.Length) + payload.Length];
        var n = Varint.Write((ulong)payload.Length, bytes);
        payload.CopyTo(bytes, n);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static async Task<byte[]> ReadRawAsync(Stream stream, CancellationToken cancellationToken)
    {
        var body = await LengthPrefixed.ReadAsync(stream, MaxMessageLength, cancellationToken)
            ?? throw new Libp2pProtocolException("multistream.eof", "the stream ended during protocol negotiation");
        return body;
    }

    private static async Task<string> ReadAsync(Stream stream, CancellationToken cancellationToken) =>
        DecodeBody(await ReadRawAsync(stream, cancellationToken));

    private static string Shorten(string s) => s.Length > 64 ? s[..64] + "..." : s;
}
