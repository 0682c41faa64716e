using System.Text;
using FsCheck.Xunit;
using LinqP2P.Libp2p.Gossipsub;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

public class RpcCodecTests
{
    [Fact]
    public void Encode_WritesTheProtobufFieldsOfRpcProto()
    {
        var rpc = new Rpc { Subscriptions = { new SubscriptionChange(true, "a") } };
        // RPC.subscriptions (1, len 5) { subscribe (1) = 1, topicid (2) = "a" }
        Assert.Equal(Convert.FromHexString("0A050801120161"), RpcCodec.Encode(rpc));

        var control = new ControlMessage();
        control.Prune.Add(new ControlPrune("t", [new PeerExchangeInfo([0xAA], null)], 60));
        // RPC.control (3) { prune (4) { topicID (1) "t", peers (2) { peerID (1) AA }, backoff (3) 60 } }
        Assert.Equal(Convert.FromHexString("1A0C220A0A017412030A01AA183C"), RpcCodec.Encode(new Rpc { Control = control }));
    }

    [Fact]
    public void SignedPayload_IsThePrefixAndTheMessageWithoutSignatureAndKey()
    {
        var m = new PubsubMessage { From = [1], Data = [2], Seqno = [3], Topic = "t", Signature = [9], Key = [8] };
        var expected = Encoding.ASCII.GetBytes("libp2p-pubsub:").Concat(Convert.FromHexString("0A01011201021A010322017" + "4")).ToArray();
        Assert.Equal(expected, MessageSigning.SignedPayload(m));
    }

    [Fact]
    public void Decode_RoundTripsAFullRpc()
    {
        var rpc = new Rpc();
        rpc.Subscriptions.Add(new SubscriptionChange(true, "offers"));
        rpc.Subscriptions.Add(new SubscriptionChange(false, "bids"));
        rpc.Messages.Add(new PubsubMessage { From = [1, 2], Data = [], Seqno = [0, 0, 0, 0, 0, 0, 0, 7], Topic = "offers", Signature = [5, 5], Key = null });
        rpc.Control = new ControlMessage();
        rpc.Control.IHave.Add(new ControlIHave("offers", [new MessageId([1]), new MessageId([2, 3])]));
        rpc.Control.IWant.Add(new ControlIWant([new MessageId([4])]));
        rpc.Control.Graft.Add(new ControlGraft("offers"));
        rpc.Control.Prune.Add(new ControlPrune("bids", [new PeerExchangeInfo([7], [8, 9])], null));

        var decoded = RpcCodec.Decode(RpcCodec.Encode(rpc));

        Assert.Equal(["offers", "bids"], decoded.Subscriptions.Select(s => s.Topic));
        Assert.False(decoded.Subscriptions[1].Subscribe);
        var m = Assert.Single(decoded.Messages);
        Assert.Equal([1, 2], m.From);
        Assert.NotNull(m.Data);
        Assert.Empty(m.Data);
        Assert.Null(m.Key);
        Assert.Equal(new MessageId([2, 3]), decoded.Control!.IHave[0].MessageIds[1]);
        Assert.Equal("offers", decoded.Control.Graft[0].Topic);
        Assert.Null(decoded.Control.Prune[0].BackoffSeconds);
        Assert.Equal([8, 9], decoded.Control.Prune[0].Peers[0].SignedPeerRecord);
        Assert.Equal(RpcCodec.Encode(rpc), RpcCodec.Encode(decoded));
    }

    [Fact]
    public void Decode_SkipsUnknownFieldsSuchAsIDontWant()
    {
        // control { idontwant (5) { messageIDs (1) 01 } } followed by an unknown varint field 9 on the RPC.
        var frame = Convert.FromHexString("1A05" + "2A030A0101" + "4801");
        var rpc = RpcCodec.Decode(frame);
        Assert.NotNull(rpc.Control);
        Assert.True(rpc.IsEmpty);
    }

    [Theory]
    [InlineData("0A", "rpc.truncated")]
    [InlineData("0A05080112", "rpc.truncated")]
    [InlineData("0801", "rpc.wire_type")]
    [InlineData("1203120100", "rpc.message_without_topic")]
    [InlineData("0A02080A", "rpc.subscription_without_topic")]
    [InlineData("0A0412 02C328", "rpc.bad_utf8")]
    [InlineData("0B", "rpc.wire_type")]
    [InlineData("00", "rpc.bad_tag")]
    [InlineData("0AFFFFFFFFFFFFFFFFFF7F", "rpc.varint_overflow")]
    public void Decode_RejectsMalformedFramesWithATypedError(string hex, string code)
    {
        var e = Assert.Throws<GossipsubException>(() => RpcCodec.Decode(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))));
        Assert.Equal("gossipsub." + code, e.Code);
    }

    [Fact]
    public void Decode_RejectsFrameLongerThanLimit()
    {
        var e = Assert.Throws<GossipsubException>(() => RpcCodec.Decode(new byte[101], new RpcLimits { MaxRpcSize = 100 }));
        Assert.Equal("gossipsub.rpc.too_large", e.Code);
    }

    [Fact]
    public void Decode_RejectsMoreIHaveIdsThanTheLimit()
    {
        var control = new ControlMessage();
        control.IHave.Add(new ControlIHave("t", Enumerable.Range(0, 6).Select(i => new MessageId([(byte)i])).ToList()));
        var frame = RpcCodec.Encode(new Rpc { Control = control });
        Assert.Equal(6, RpcCodec.Decode(frame).Control!.IHave[0].MessageIds.Count);
        var e = Assert.Throws<GossipsubException>(() => RpcCodec.Decode(frame, new RpcLimits { MaxIHaveIds = 5 }));
        Assert.Equal("gossipsub.rpc.limit_exceeded", e.Code);
    }

    [Fact]
    public void Decode_RejectsOverlongTopicsAndIds()
    {
        var rpc = new Rpc { Subscriptions = { new SubscriptionChange(true, new string('x', 30)) } };
        Assert.Throws<GossipsubException>(() => RpcCodec.Decode(RpcCodec.Encode(rpc), new RpcLimits { MaxTopicLength = 29 }));
        var control = new ControlMessage();
        control.IWant.Add(new ControlIWant([new MessageId(new byte[40])]));
        Assert.Throws<GossipsubException>(() => RpcCodec.Decode(RpcCodec.Encode(new Rpc { Control = control }), new RpcLimits { MaxMessageIdLength = 39 }));
    }

    [Fact]
    public void Decode_RejectsTooManyMessagesAndSubscriptions()
    {
        var rpc = new Rpc();
        for (var i = 0; i < 3; i++)
        {
            rpc.Subscriptions.Add(new SubscriptionChange(true, "t"));
            rpc.Messages.Add(new PubsubMessage { Topic = "t", Data = [1] });
        }
        var frame = RpcCodec.Encode(rpc);
        Assert.Throws<GossipsubException>(() => RpcCodec.Decode(frame, new RpcLimits { MaxSubscriptions = 2 }));
        Assert.Throws<GossipsubException>(() => RpcCodec.Decode(frame, new RpcLimits { MaxMessages = 2 }));
    }

    [Property]
    public bool Encode_Decode_RoundTripsGeneratedRpcs(
        (bool Subscribe, string Topic)[] subscriptions,
        (byte[]? From, byte[] Data, byte[]? Seqno, string Topic, byte[]? Signature)[] messages,
        byte[][] ids,
        string[] grafts,
        (string Topic, byte[][] Peers, ulong? Backoff)[] prunes)
    {
        var rpc = new Rpc();
        foreach (var (subscribe, topic) in subscriptions.Take(20))
        {
            rpc.Subscriptions.Add(new SubscriptionChange(subscribe, topic ?? ""));
        }
        foreach (var m in messages.Take(20))
        {
            rpc.Messages.Add(new PubsubMessage { From = m.From, Data = m.Data ?? [], Seqno = m.Seqno, Topic = m.Topic ?? "", Signature = m.Signature });
        }
        var control = new ControlMessage();
        var messageIds = ids.Where(i => i is not null).Select(i => new MessageId(i)).ToList();
        if (messageIds.Count > 0)
        {
            control.IHave.Add(new ControlIHave("t", messageIds));
            control.IWant.Add(new ControlIWant(messageIds));
        }
        foreach (var g in grafts.Take(10))
        {
            control.Graft.Add(new ControlGraft(g ?? ""));
        }
        foreach (var p in prunes.Take(10))
        {
            var peers = (p.Peers ?? []).Where(x => x is not null).Take(10).Select(x => new PeerExchangeInfo(x, null)).ToList();
            control.Prune.Add(new ControlPrune(p.Topic ?? "", peers, p.Backoff));
        }
        rpc.Control = control;

        var encoded = RpcCodec.Encode(rpc);
        var decoded = RpcCodec.Decode(encoded, new RpcLimits { MaxRpcSize = 16 << 20 });
        return encoded.AsSpan().SequenceEqual(RpcCodec.Encode(decoded))
               && decoded.Messages.Count == rpc.Messages.Count
               && decoded.Subscriptions.Count == rpc.Subscriptions.Count;
    }

    [Property]
    public void Decode_NeverThrowsAnythingButGossipsubException(byte[] input)
    {
        try
        {
            RpcCodec.Decode(input);
        }
        catch (GossipsubException)
        {
        }
    }

    [Property]
    public void Decode_OfMutatedValidFramesNeverThrowsAnythingButGossipsubException(byte[] noise, int position)
    {
        var rpc = new Rpc { Subscriptions = { new SubscriptionChange(true, "offers") } };
        rpc.Messages.Add(new PubsubMessage { From = [1, 2, 3], Data = [4, 5], Seqno = new byte[8], Topic = "offers", Signature = new byte[64] });
        rpc.Control = new ControlMessage();
        rpc.Control.Prune.Add(new ControlPrune("offers", [new PeerExchangeInfo([1], [2])], 10));
        var frame = RpcCodec.Encode(rpc);
        var at = (int)((uint)position % (uint)frame.Length);
        for (var i = 0; i < noise.Length && at + i < frame.Length; i++)
        {
            frame[at + i] ^= noise[i];
        }
        try
        {
            RpcCodec.Decode(frame);
        }
        catch (GossipsubException)
        {
        }
    }
}
