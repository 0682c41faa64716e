using Google.Protobuf;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>Peers that lie, stay silent, flood or send garbage: the fetch goes on elsewhere and the service stays up.</summary>
public sealed class MisbehaviourTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Says HAVE to every want-have and answers every want-block with bytes that do not hash to the CID.</summary>
    private static BitswapMessage? Liar(BitswapMessage m) => new()
    {
        Presences = [.. m.Wants.Where(w => !w.Cancel && w.WantType == WantType.Have).Select(w => new BlockPresence(w.Cid, true))],
        Blocks = [.. m.Wants.Where(w => !w.Cancel && w.WantType == WantType.Block).Select(w => Block.Create(TestContent.Bytes(1000, w.Cid.GetHashCode()), w.Cid.Codec, w.Cid.Version))],
    };

    /// <summary>Says HAVE to want-haves (so it joins sessions) and never sends a block.</summary>
    private static BitswapMessage? Silent(BitswapMessage m) => new()
    {
        Presences = [.. m.Wants.Where(w => !w.Cancel && w.WantType == WantType.Have).Select(w => new BlockPresence(w.Cid, true))],
    };

    [Fact]
    public async Task ABlockThatDoesNotHashToItsCid_IsDropped_AndTheSenderBannedAndDisconnected()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var liar = await RawBitswapPeer.StartAsync();
        liar.Respond = Liar;
        await using var honest = await BitswapNode.StartAsync();
        await using var requester = await BitswapNode.StartAsync();
        var content = TestContent.Bytes(2 * 1024 * 1024, 11);
        var root = (await new UnixFsImporter(honest.Store, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content, cts.Token)).Cid;
        await requester.Host.DialAsync(liar.Address, cts.Token);
        await requester.ConnectAsync(honest, cts.Token);

        var e = await Assert.ThrowsAsync<BitswapFetchException>(() => requester.Bitswap.GetBlockAsync(root, [liar.PeerId], cts.Token));
        Assert.Equal("bitswap.fetch.not_found", e.Code);
        var ledger = requester.Bitswap.GetLedger(liar.PeerId)!;
        Assert.Equal(1, ledger.CorruptBlocks);
        Assert.True(ledger.BannedUntil > DateTimeOffset.UtcNow);
        Assert.Equal(0, requester.Store.Count);
        await WaitUntilAsync(() => !requester.Host.Connections.Any(c => c.RemotePeer == liar.PeerId), cts.Token);

        // The banned peer is skipped; the honest one serves the whole DAG.
        var result = await requester.Bitswap.FetchDagAsync(root, [liar.PeerId, honest.PeerId], null, cts.Token);
        Assert.Equal([honest.PeerId], result.BlocksByPeer.Keys);
        Assert.Equal(content, await FetchTests.ExportAsync(requester.Store, root, cts.Token));
    }

    [Fact]
    public async Task WantsToASilentPeer_TimeOut_AndAreRetriedOnAnother()
    {
        using var cts = new CancellationTokenSource(Timeout);
        // One want in flight per peer: once the silent peer has said HAVE it must be given some of the 12 leaves.
        var options = new BitswapOptions { WantTimeout = TimeSpan.FromMilliseconds(500), MaxAttemptsPerBlock = 3, MaxInFlightWantsPerPeer = 1 };
        await using var silent = await RawBitswapPeer.StartAsync();
        silent.Respond = Silent;
        await using var honest = await BitswapNode.StartAsync();
        await using var requester = await BitswapNode.StartAsync(options);
        var content = TestContent.Bytes(3 * 1024 * 1024, 12);
        var root = (await new UnixFsImporter(honest.Store, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content, cts.Token)).Cid;
        await requester.Host.DialAsync(silent.Address, cts.Token);
        await requester.ConnectAsync(honest, cts.Token);

        var result = await requester.Bitswap.FetchDagAsync(root, [silent.PeerId, honest.PeerId], null, cts.Token);

        Assert.Equal([honest.PeerId], result.BlocksByPeer.Keys);
        Assert.Equal(content, await FetchTests.ExportAsync(requester.Store, root, cts.Token));
        // The silent peer was asked for blocks (it said HAVE) and then sent cancels after the timeout.
        var toSilent = new List<WantEntry>();
        while (silent.Received.Reader.TryRead(out var m))
        {
            toSilent.AddRange(m.Wants);
        }
        Assert.Contains(toSilent, w => w.WantType == WantType.Block && !w.Cancel);
        Assert.Contains(toSilent, w => w.Cancel);
        // MaxInFlightWantsPerPeer held: never two want-blocks outstanding with the silent peer at once.
        var outstanding = new HashSet<Cid>();
        foreach (var w in toSilent)
        {
            if (w.Cancel)
            {
                outstanding.Remove(w.Cid);
            }
            else if (w.WantType == WantType.Block)
            {
                outstanding.Add(w.Cid);
                Assert.True(outstanding.Count <= 1, $"{outstanding.Count} want-blocks outstanding with one peer");
            }
        }
    }

    [Fact]
    public async Task AFetchFromOnlySilentPeers_FailsAfterTheAttemptLimit()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var options = new BitswapOptions { WantTimeout = TimeSpan.FromMilliseconds(300), MaxAttemptsPerBlock = 2 };
        await using var silent = await RawBitswapPeer.StartAsync();
        silent.Respond = Silent;
        await using var requester = await BitswapNode.StartAsync(options);
        await requester.Host.DialAsync(silent.Address, cts.Token);
        var cid = Block.Create(TestContent.Bytes(100, 13), Multicodec.Raw, 1).Cid;

        var e = await Assert.ThrowsAsync<BitswapFetchException>(() => requester.Bitswap.FetchDagAsync(cid, [silent.PeerId], null, cts.Token));

        Assert.Equal("bitswap.fetch.attempts", e.Code);
        Assert.True(e.Retryable);
    }

    [Fact]
    public async Task MalformedAndOversizedFrames_ResetOnlyThatStream_AndAreCounted()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var raw = await RawBitswapPeer.StartAsync();
        await using var node = await BitswapNode.StartAsync();
        var block = Block.Create(TestContent.Bytes(500, 14), Multicodec.Raw, 1);
        await node.Store.PutAsync(block, cts.Token);
        await raw.Host.DialAsync(node.Address, cts.Token);

        await raw.SendRawAsync(node.PeerId, [0x05, 0xff, 0xff, 0xff, 0xff, 0xff], cts.Token); // not protobuf
        await raw.SendRawAsync(node.PeerId, [0xff, 0xff, 0xff, 0x7f], cts.Token); // a 256 MiB length prefix
        await WaitUntilAsync(() => node.Bitswap.GetLedger(raw.PeerId)?.MalformedMessages == 2, cts.Token);

        // The connection and the service still work: a want-block is answered.
        await raw.SendAsync(node.PeerId, new BitswapMessage { Wants = [new WantEntry(block.Cid)] }, cts.Token);
        var reply = await raw.Received.Reader.ReadAsync(cts.Token);
        Assert.Equal(block.Cid, Assert.Single(reply.Blocks).Cid);
    }

    [Fact]
    public async Task ABlockOver2MiB_IsRefused_NotStored_AndCounted()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var raw = await RawBitswapPeer.StartAsync();
        await using var requester = await BitswapNode.StartAsync(new BitswapOptions { DiscoveryTimeout = TimeSpan.FromMilliseconds(500) });
        await requester.Host.DialAsync(raw.Address, cts.Token);
        var big = TestContent.Bytes(Limits.MaxBlockSize + 1, 17);
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256(big));

        // The requester wants the block; the raw peer answers with the (correctly hashing) oversized bytes.
        var fetch = requester.Bitswap.GetBlockAsync(cid, [raw.PeerId], cts.Token);
        var want = await raw.Received.Reader.ReadAsync(cts.Token);
        Assert.Equal(cid, Assert.Single(want.Wants).Cid);
        var pb = new Protos.Message();
        pb.Payload.Add(new Protos.Message.Types.Block { Prefix = ByteString.CopyFrom(BitswapCodec.PrefixOf(cid)), Data = ByteString.CopyFrom(big) });
        var body = pb.ToByteArray();
        Assert.True(body.Length < BitswapLimits.Default.MaxMessageSize);
        var frame = new byte[Varint.SizeOf((ulong)body.Length) + body.Length];
        body.CopyTo(frame, Varint.Write((ulong)body.Length, frame));
        await raw.SendRawAsync(requester.PeerId, frame, cts.Token);

        var e = await Assert.ThrowsAsync<BitswapFetchException>(() => fetch);
        Assert.Equal("bitswap.fetch.not_found", e.Code);
        Assert.False(await requester.Store.HasAsync(cid, cts.Token));
        var ledger = requester.Bitswap.GetLedger(raw.PeerId)!;
        Assert.Equal(1, ledger.MalformedMessages);
        Assert.Equal(0, ledger.BlocksReceived);
    }

    [Fact]
    public async Task InboundStreamsPerPeer_AreCapped_AndTheOpenOnesKeepWorking()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var raw = await RawBitswapPeer.StartAsync();
        await using var node = await BitswapNode.StartAsync(new BitswapOptions { MaxStreamsPerPeer = 2 });
        var block = Block.Create(TestContent.Bytes(300, 18), Multicodec.Raw, 1);
        await node.Store.PutAsync(block, cts.Token);
        await raw.Host.DialAsync(node.Address, cts.Token);

        var streams = new List<LinqP2P.Libp2p.Streams.P2PStream>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var s = await raw.Host.NewStreamAsync(node.PeerId, [BitswapProtocols.V120], cts.Token);
                await s.WriteAsync(new byte[] { 0 }, cts.Token); // an empty message: the handler is now running
                streams.Add(s);
            }
            await WaitUntilAsync(() => node.Bitswap.GetLedger(raw.PeerId) is not null, cts.Token);
            await Task.Delay(200, cts.Token);

            // The third stream is reset by the node.
            await using var third = await raw.Host.NewStreamAsync(node.PeerId, [BitswapProtocols.V120], cts.Token);
            var buffer = new byte[8];
            var closed = false;
            try
            {
                // The reset may come before the write or after it: either way nothing is ever read.
                await third.WriteAsync(new byte[] { 0 }, cts.Token);
                closed = await third.ReadAsync(buffer, cts.Token) == 0;
            }
            catch (Exception ex) when (ex is IOException or Core.LinqException or ObjectDisposedException)
            {
                closed = true;
            }
            Assert.True(closed);

            // A want sent on one of the open streams is still served.
            await streams[0].WriteAsync(BitswapCodec.EncodeFrame(new BitswapMessage { Wants = [new WantEntry(block.Cid)] }, BitswapVersion.V120), cts.Token);
            var reply = await raw.Received.Reader.ReadAsync(cts.Token);
            Assert.Equal(block.Cid, Assert.Single(reply.Blocks).Cid);
        }
        finally
        {
            foreach (var s in streams)
            {
                s.Reset();
            }
        }
    }

    [Fact]
    public async Task APeersWantlist_IsCappedAtMaxWantsServedPerPeer()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var raw = await RawBitswapPeer.StartAsync();
        await using var node = await BitswapNode.StartAsync(new BitswapOptions { MaxWantsServedPerPeer = 4 });
        await raw.Host.DialAsync(node.Address, cts.Token);
        var wants = Enumerable.Range(0, 10).Select(i => new WantEntry(Block.Create(TestContent.Bytes(10, 100 + i), Multicodec.Raw, 1).Cid, SendDontHave: true)).ToList();

        await raw.SendAsync(node.PeerId, new BitswapMessage { Wants = wants }, cts.Token);

        var answered = new List<BlockPresence>();
        while (answered.Count < 4)
        {
            answered.AddRange((await raw.Received.Reader.ReadAsync(cts.Token)).Presences);
        }
        await Task.Delay(300, cts.Token);
        while (raw.Received.Reader.TryRead(out var more))
        {
            answered.AddRange(more.Presences);
        }
        Assert.Equal(4, answered.Count);
        Assert.All(answered, p => Assert.False(p.Have));
        Assert.Equal(wants.Take(4).Select(w => w.Cid), answered.Select(p => p.Cid));
    }

    [Fact]
    public async Task WantHave_IsAnsweredWithHaveOrDontHave_AndACancelledWantIsNotServed()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var raw = await RawBitswapPeer.StartAsync();
        await using var node = await BitswapNode.StartAsync();
        var had = Block.Create(TestContent.Bytes(5000, 15), Multicodec.Raw, 1);
        var missing = Block.Create(TestContent.Bytes(5000, 16), Multicodec.Raw, 1).Cid;
        await node.Store.PutAsync(had, cts.Token);
        await raw.Host.DialAsync(node.Address, cts.Token);

        await raw.SendAsync(node.PeerId, new BitswapMessage { Wants = [new WantEntry(had.Cid, WantType: WantType.Have, SendDontHave: true), new WantEntry(missing, WantType: WantType.Have, SendDontHave: true)] }, cts.Token);
        var presences = new List<BlockPresence>();
        while (presences.Count < 2)
        {
            var m = await raw.Received.Reader.ReadAsync(cts.Token);
            Assert.Empty(m.Blocks);
            presences.AddRange(m.Presences);
        }
        Assert.Contains(new BlockPresence(had.Cid, true), presences);
        Assert.Contains(new BlockPresence(missing, false), presences);

        // Want then cancel in one message: nothing is sent back.
        await raw.SendAsync(node.PeerId, new BitswapMessage { Wants = [new WantEntry(had.Cid), new WantEntry(had.Cid, Cancel: true)] }, cts.Token);
        await Task.Delay(300, cts.Token);
        Assert.False(raw.Received.Reader.TryRead(out _));
        Assert.Equal(0, node.Bitswap.GetLedger(raw.PeerId)!.BlocksSent);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
