using System.Buffers;
using System.Buffers.Binary;

namespace LinqP2P.Libp2p.Noise;

/// <summary>
/// The Noise transport phase: each message is a 2-byte big-endian length followed by ChaCha20-Poly1305
/// ciphertext, at most 65535 bytes (65519 of plaintext). Reads return the plaintext of one or more
/// messages; writes are cut into messages. Concurrent writers must serialize themselves (Yamux does).
/// </summary>
public sealed class NoiseStream : Stream
{
    public const int MaxPlaintext = NoiseHandshake.MaxMessageLength - CipherState.TagLength;

    private readonly Stream _inner;
    private readonly CipherState _send = new();
    private readonly CipherState _receive = new();
    private readonly byte[] _header = new byte[2];
    // Message buffers are rented only while a message is in flight, so an idle connection holds none.
    private byte[]? _readPlain;
    private int _plainOffset;
    private int _plainLength;

    internal NoiseStream(Stream inner, byte[] sendKey, byte[] receiveKey)
    {
        _inner = inner;
        _send.InitializeKey(sendKey);
        _receive.InitializeKey(receiveKey);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_readPlain is null)
        {
            var first = await _inner.ReadAsync(_header.AsMemory(0, 1), cancellationToken);
            if (first == 0)
            {
                return 0;
            }
            await NoiseHandshake.ReadExactAsync(_inner, _header.AsMemory(1, 1), cancellationToken);
            var length = BinaryPrimitives.ReadUInt16BigEndian(_header);
            if (length < CipherState.TagLength)
            {
                throw new Libp2pProtocolException("noise.short", $"a Noise transport message of {length} bytes is shorter than its tag");
            }
            var cipher = ArrayPool<byte>.Shared.Rent(length);
            var plain = ArrayPool<byte>.Shared.Rent(length - CipherState.TagLength);
            try
            {
                await NoiseHandshake.ReadExactAsync(_inner, cipher.AsMemory(0, length), cancellationToken);
                _plainLength = _receive.Decrypt([], cipher.AsSpan(0, length), plain);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(plain);
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(cipher);
            }
            _plainOffset = 0;
            if (_plainLength == 0)
            {
                // An empty message is legal and carries nothing: wait for the next one.
                ArrayPool<byte>.Shared.Return(plain);
                continue;
            }
            _readPlain = plain;
        }
        var n = Math.Min(buffer.Length, _plainLength - _plainOffset);
        _readPlain.AsSpan(_plainOffset, n).CopyTo(buffer.Span);
        _plainOffset += n;
        if (_plainOffset == _plainLength)
        {
            ArrayPool<byte>.Shared.Return(_readPlain);
            _readPlain = null;
        }
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var chunk = Math.Min(buffer.Length, MaxPlaintext);
            var frame = ArrayPool<byte>.Shared.Rent(2 + chunk + CipherState.TagLength);
            try
            {
                var written = _send.Encrypt([], buffer.Span[..chunk], frame.AsSpan(2));
                BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)written);
                await _inner.WriteAsync(frame.AsMemory(0, 2 + written), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
            buffer = buffer[chunk..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _send.Dispose();
            _receive.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
