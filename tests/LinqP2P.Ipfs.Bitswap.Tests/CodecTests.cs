using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Multiformats;
using Pb = LinqP2P.Ipfs.Bitswap.Protos.Message;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>The message codec: round trips per version, random and truncated bytes, every limit.</summary>
public sealed class CodecTests
{
    private static Cid CidOf(byte[] seed, bool raw) => Block.Create(seed, raw ? Multicodec.Raw : Multicodec.DagPb, raw ? 1 : 0).Cid;

    private static BitswapMessage Sample(byte[][] blocks, (byte[] Seed, int Priority, byte Flags)[] wants, byte[][] presences, bool full, int pending)
    {
        return new BitswapMessage
        {
            Full = full,
            Wants = [.. wants.Select(w => new WantEntry(CidOf(w.Seed, (w.Flags & 1) != 0), w.Priority, (w.Flags & 2) != 0, (w.Flags & 4) != 0 ? WantType.Have : WantType.Block, (w.Flags & 8) != 0))],
            Blocks = [.. blocks.Select((b, i) => Block.Create(b, i % 2 == 0 ? Multicodec.Raw : Multicodec.DagPb, i % 2 == 0 ? 1 : 0))],
            Presences = [.. presences.Select((p, i) => new BlockPresence(CidOf(p, true), i % 3 != 0))],
            PendingBytes = pending,
        };
    }

    [Property(MaxTest = 200)]
    public void RoundTrip_V120_KeepsEveryField(NonNull<byte[]>[] blocks, (NonNull<byte[]> Seed, int Priority, byte Flags)[] wants, NonNull<byte[]>[] presences, bool full, NonNegativeInt pending)
    {
        var message = Sample([.. blocks.Select(b => b.Get)], [.. wants.Select(w => (w.Seed.Get, w.Priority, w.Flags))], [.. presences.Select(p => p.Get)], full, pending.Get);

        var decoded = BitswapCodec.Decode(BitswapCodec.Encode(message, BitswapVersion.V120));

        Assert.Equal(message.Full, decoded.Full);
        Assert.Equal(message.Wants, decoded.Wants);
        Assert.Equal(message.Blocks.Select(b => b.Cid), decoded.Blocks.Select(b => b.Cid));
        Assert.Equal(message.Blocks.Select(b => b.Data.ToArray()), decoded.Blocks.Select(b => b.Data.ToArray()));
        Assert.Equal(message.Presences, decoded.Presences);
        Assert.Equal(message.PendingBytes, decoded.PendingBytes);
    }

    [Property(MaxTest = 100)]
    public void RoundTrip_OlderVersions_TurnWantHaveIntoWantBlock_AndDropPresences(NonNull<byte[]>[] blocks, (NonNull<byte[]> Seed, int Priority, byte Flags)[] wants, NonNull<byte[]>[] presences)
    {
        var message = Sample([.. blocks.Select(b => b.Get)], [.. wants.Select(w => (w.Seed.Get, w.Priority, w.Flags))], [.. presences.Select(p => p.Get)], false, 0);
        foreach (var version in new[] { BitswapVersion.V110, BitswapVersion.V100 })
        {
            var decoded = BitswapCodec.Decode(BitswapCodec.Encode(message, version));

            Assert.Equal(message.Wants.Select(w => w with { WantType = WantType.Block, SendDontHave = false }), decoded.Wants);
            Assert.Empty(decoded.Presences);
            Assert.Equal(message.Blocks.Select(b => b.Data.ToArray()), decoded.Blocks.Select(b => b.Data.ToArray()));
            // 1.0.0 has no CID prefix: every block comes back as CIDv0 with the same hash.
            Assert.Equal(
                message.Blocks.Select(b => version == BitswapVersion.V100 ? Cid.V0(b.Cid.Hash) : b.Cid),
                decoded.Blocks.Select(b => b.Cid));
        }
    }

    [Property(MaxTest = 1000)]
    public void Decode_RandomBytes_ReturnsOrThrowsProtocolError(byte[] bytes)
    {
        try
        {
            var decoded = BitswapCodec.Decode(bytes);
            // Whatever decodes must encode and decode to the same content.
            var again = BitswapCodec.Decode(BitswapCodec.Encode(decoded, BitswapVersion.V120));
            Assert.Equal(decoded.Wants, again.Wants);
            Assert.Equal(decoded.Presences, again.Presences);
            Assert.Equal(decoded.Blocks.Select(b => b.Cid), again.Blocks.Select(b => b.Cid));
        }
        catch (BitswapProtocolException)
        {
        }
    }

    [Property(MaxTest = 100)]
    public void Decode_RejectsEveryTruncation_OfASingleFieldMessage(NonEmptyArray<byte> data, (NonNull<byte[]> Seed, int Priority, byte Flags)[] wants)
    {
        var blockOnly = BitswapCodec.Encode(new BitswapMessage { Blocks = [Block.Create(data.Get, Multicodec.Raw, 1)] }, BitswapVersion.V120);
        var wantsOnly = wants.Length == 0
            ? null
            : BitswapCodec.Encode(Sample([], [.. wants.Select(w => (w.Seed.Get, w.Priority, w.Flags))], [], false, 0), BitswapVersion.V120);
        foreach (var encoded in new[] { blockOnly, wantsOnly }.OfType<byte[]>())
        {
            for (var cut = 1; cut < encoded.Length; cut++)
            {
                Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(encoded.AsSpan(0, cut)));
            }
        }
    }

    [Property(MaxTest = 200)]
    public void Decode_GivesEveryBlockTheCidOfItsOwnBytes(NonEmptyArray<byte> claimed, NonEmptyArray<byte> sent)
    {
        // A peer may put any prefix in front of any bytes: the CID we file the block under is always the hash of the bytes.
        var pb = new Pb();
        pb.Payload.Add(new Pb.Types.Block { Prefix = ByteString.CopyFrom(BitswapCodec.PrefixOf(CidOf(claimed.Get, true))), Data = ByteString.CopyFrom(sent.Get) });
        var block = Assert.Single(BitswapCodec.Decode(pb.ToByteArray()).Blocks);
        Assert.True(block.Cid.Hash.Matches(sent.Get));
        Assert.Equal(claimed.Get.AsSpan().SequenceEqual(sent.Get), block.Cid.Equals(CidOf(claimed.Get, true)));
    }

    [Fact]
    public void Decode_RefusesBlocksOver2MiB()
    {
        var pb = new Pb();
        pb.Payload.Add(new Pb.Types.Block { Prefix = ByteString.CopyFrom(0x01, 0x55, 0x12, 0x20), Data = ByteString.CopyFrom(new byte[Limits.MaxBlockSize + 1]) });
        var e = Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(pb.ToByteArray()));
        Assert.Equal("bitswap.protocol.block_too_large", e.Code);

        var v100 = new Pb();
        v100.Blocks.Add(ByteString.CopyFrom(new byte[Limits.MaxBlockSize + 1]));
        Assert.Equal("bitswap.protocol.block_too_large", Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(v100.ToByteArray())).Code);
    }

    [Fact]
    public void Decode_RefusesMessagesOverTheSizeCap_AndTooManyEntries()
    {
        var limits = new BitswapLimits { MaxMessageSize = 1000, MaxWantEntries = 3, MaxPresences = 2 };
        Assert.Equal("bitswap.protocol.too_large", Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(new byte[1001], limits)).Code);

        var wants = Sample([], [.. Enumerable.Range(0, 4).Select(i => (new[] { (byte)i }, 1, (byte)0))], [], false, 0);
        Assert.Equal("bitswap.protocol.too_many_wants", Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(BitswapCodec.Encode(wants, BitswapVersion.V120), limits)).Code);

        var presences = Sample([], [], [[1], [2], [3]], false, 0);
        Assert.Equal("bitswap.protocol.too_many_presences", Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(BitswapCodec.Encode(presences, BitswapVersion.V120), limits)).Code);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x55, 0x13, 0x40 }, "bitswap.protocol.unsupported_hash")] // sha2-512
    [InlineData(new byte[] { 0x01, 0x55, 0x12, 0x14 }, "bitswap.protocol.unsupported_hash")] // truncated sha2-256
    [InlineData(new byte[] { 0x00, 0x55, 0x12, 0x20 }, "bitswap.protocol.prefix")] // CIDv0 must be dag-pb
    [InlineData(new byte[] { 0x02, 0x55, 0x12, 0x20 }, "bitswap.protocol.prefix")] // no CIDv2
    [InlineData(new byte[] { 0x01, 0x55, 0x12 }, "bitswap.protocol.prefix")] // truncated
    [InlineData(new byte[] { 0x01, 0x55, 0x12, 0x20, 0x00 }, "bitswap.protocol.prefix")] // trailing byte
    public void Decode_RefusesBadPrefixes(byte[] prefix, string code)
    {
        var pb = new Pb();
        pb.Payload.Add(new Pb.Types.Block { Prefix = ByteString.CopyFrom(prefix), Data = ByteString.CopyFromUtf8("x") });
        Assert.Equal(code, Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(pb.ToByteArray())).Code);
    }

    [Theory]
    [InlineData("0affffffff676161", "bitswap.protocol.malformed")] // a truncated fixed64 unknown field inside the wantlist
    [InlineData("40490affffffff075206ffff", "bitswap.protocol.malformed")] // a nested length near int.MaxValue
    [InlineData("0a2e0affffffff67122061616122404000fd011220616161222c4000020028282828282835", "bitswap.protocol.malformed")]
    [InlineData("404940490af7ffedff070af7ffffff070a08700a8009f52b0a050b0af06f0a8009f50a0a0a0a080a0a0a0af06f0a8009f52b0a", "bitswap.protocol.malformed")] // inside a group
    [InlineData("0a2e0a2c0a240155122061616161616161616161616161616161616161616161616161616161616161611004200128011a0b0a04000080001203616263", "bitswap.protocol.prefix")] // non-minimal varint in a prefix
    [InlineData("1a0f0a0a80808080808080808001120161", "bitswap.protocol.prefix")] // a prefix varint longer than 9 bytes
    public void Decode_RefusesInputsFoundByFuzzing(string hex, string code)
    {
        Assert.Equal(code, Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(Convert.FromHexString(hex))).Code);
    }

    [Fact]
    public void Decode_RefusesBadCidsAndUnknownEnums()
    {
        var badCid = new Pb { Wantlist = new Pb.Types.Wantlist() };
        badCid.Wantlist.Entries.Add(new Pb.Types.Wantlist.Types.Entry { Block = ByteString.CopyFrom(0x01, 0x55) });
        Assert.Equal("bitswap.protocol.cid", Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(badCid.ToByteArray())).Code);

        var badType = new Pb { Wantlist = new Pb.Types.Wantlist() };
        badType.Wantlist.Entries.Add(new Pb.Types.Wantlist.Types.Entry { Block = ByteString.CopyFrom(CidOf([1], true).ToBytes()), WantType = (Pb.Types.Wantlist.Types.WantType)7 });
        Assert.Equal("bitswap.protocol.want_type", Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(badType.ToByteArray())).Code);

        var badPresence = new Pb();
        badPresence.BlockPresences.Add(new Pb.Types.BlockPresence { Cid = ByteString.CopyFrom(CidOf([1], true).ToBytes()), Type = (Pb.Types.BlockPresenceType)5 });
        Assert.Equal("bitswap.protocol.presence_type", Assert.Throws<BitswapProtocolException>(() => BitswapCodec.Decode(badPresence.ToByteArray())).Code);
    }

    [Fact]
    public void EncodeFrame_IsAVarintLengthFollowedByTheMessage()
    {
        var message = Sample([[1, 2, 3]], [([9], 5, 4)], [[7]], true, 10);
        var frame = BitswapCodec.EncodeFrame(message, BitswapVersion.V120);
        var length = Varint.Read(frame, out var n);
        Assert.Equal((ulong)(frame.Length - n), length);
        Assert.Equal(BitswapCodec.Encode(message, BitswapVersion.V120), frame[n..]);
    }
}
