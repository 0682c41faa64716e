using System.Numerics;
using System.Text.Json;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.Node.Devnet;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Rpc;

/// <summary>Short helpers over a test anvil: clients, dev-account senders, mining, and a tiny log emitter.</summary>
internal static class Chain
{
    /// <summary>Runtime code that emits LOG1(<see cref="EmitterTopic"/>) with empty data on every call.</summary>
    public const string EmitterTopic = "0x1111111111111111111111111111111111111111111111111111111111111111";

    // init: PUSH1 0x27 DUP1 PUSH1 0x0b PUSH1 0 CODECOPY PUSH1 0 RETURN; runtime: PUSH32 topic PUSH1 0 PUSH1 0 LOG1 STOP.
    private const string EmitterInitCode = "0x602780600b6000396000f3" + "7f" + "1111111111111111111111111111111111111111111111111111111111111111" + "60006000a100";

    public static EthRpc Rpc(AnvilFixture anvil, long? chainId = AnvilFixture.DefaultChainId) => new(new RpcOptions
    {
        Endpoint = anvil.Url,
        ChainId = chainId,
        CallTimeout = TimeSpan.FromSeconds(10),
    });

    public static TransactionSender Sender(EthRpc rpc, int devAccount = 0) => new(rpc, new NodeAccountSigner(AnvilFixture.DevAccounts[devAccount]),
        options: new TransactionSenderOptions { PollInterval = TimeSpan.FromMilliseconds(50), ReceiptTimeout = TimeSpan.FromSeconds(30) });

    /// <summary>A sender that signs in process with the dev account's key, derived from anvil's mnemonic.</summary>
    public static TransactionSender Signed(EthRpc rpc, int devAccount) => new(rpc,
        new LocalKeySigner(HdWallet.Derive(HdWallet.AnvilMnemonic, HdWallet.EthereumPath(devAccount))),
        options: new TransactionSenderOptions { PollInterval = TimeSpan.FromMilliseconds(50), ReceiptTimeout = TimeSpan.FromSeconds(30) });

    public static async Task<string> DeployEmitterAsync(TransactionSender sender)
    {
        var receipt = await sender.SendAndWaitAsync(new TransactionRequest { Data = RpcHex.ParseData(EmitterInitCode) });
        return receipt.ContractAddress!;
    }

    public static async Task<TransactionReceipt> EmitAsync(TransactionSender sender, string emitter) =>
        await sender.SendAndWaitAsync(new TransactionRequest { To = emitter, Gas = 50_000 });

    public static Task MineAsync(EthRpc rpc, int blocks = 1) =>
        rpc.Client.CallAsync("anvil_mine", [RpcHex.Quantity(blocks)]);

    public static async Task<BigInteger> NonceOfAsync(EthRpc rpc, string transactionHash)
    {
        var tx = await rpc.Client.CallAsync("eth_getTransactionByHash", [transactionHash]);
        return RpcHex.ReadQuantity(tx.GetProperty("nonce"));
    }

    /// <summary>Replaces the newest <paramref name="depth"/> blocks; each (tx, offset) pair is mined into the new branch.</summary>
    public static Task ReorgAsync(EthRpc rpc, int depth, params (CallRequest Tx, int BlockOffset)[] txs) =>
        rpc.Client.CallAsync("anvil_reorg", [depth, txs.Select(t => new object[] { t.Tx, t.BlockOffset }).ToArray()]);

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
