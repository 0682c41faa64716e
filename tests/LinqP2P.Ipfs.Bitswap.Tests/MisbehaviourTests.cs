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
