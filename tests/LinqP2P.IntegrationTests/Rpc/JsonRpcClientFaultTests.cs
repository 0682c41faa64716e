using System.Diagnostics;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Rpc;

public sealed class JsonRpcClientFaultTests
{
    private static EthRpc Client(Uri url, TimeSpan? timeout = null, int retries = 2, int maxBytes = 16 * 1024 * 1024, long? chainId = null) => new(new RpcOptions
    {
        Endpoint = url,
        CallTimeout = timeout ?? TimeSpan.FromSeconds(5),
        MaxRetries = retries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxResponseBytes = maxBytes,
        ChainId = chainId,
    });

    [Fact]
    public async Task Call_ReturnsResultOfAWellFormedAnswer()
    {
        await using var server = FakeRpcServer.Answering("""{"jsonrpc":"2.0","id":$ID,"result":"0x2a"}""");
        using var rpc = Client(server.Url);
        Assert.Equal(42, await rpc.BlockNumberAsync());
    }

    [Fact]
    public async Task Call_RejectsABodyThatIsNotJson()
    {
        await using var server = FakeRpcServer.Answering("<html>502 Bad Gateway</html>");
        using var rpc = Client(server.Url);
        var ex = await Assert.ThrowsAsync<RpcMalformedResponseException>(() => rpc.BlockNumberAsync());
        Assert.Equal("eth.rpc.malformed", ex.Code);
        Assert.Contains("not JSON", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Call_RejectsAnAnswerWithAnotherId()
    {
        await using var server = new FakeRpcServer(req => new FakeResponse(200, $$"""{"jsonrpc":"2.0","id":{{req.Id + 7}},"result":"0x1"}"""));
        using var rpc = Client(server.Url);
        var ex = await Assert.ThrowsAsync<RpcMalformedResponseException>(() => rpc.BlockNumberAsync());
        Assert.Contains("id", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_RejectsAnAnswerWithNeitherResultNorError()
    {
        await using var server = FakeRpcServer.Answering("""{"jsonrpc":"2.0","id":$ID}""");
        using var rpc = Client(server.Url);
        var ex = await Assert.ThrowsAsync<RpcMalformedResponseException>(() => rpc.BlockNumberAsync());
        Assert.Contains("neither a result nor an error", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"0xZZ\"")]
    [InlineData("\"12\"")]
    [InlineData("{\"number\":1}")]
    public async Task Call_RejectsAResultOfTheWrongType(string result)
    {
        await using var server = FakeRpcServer.Answering("""{"jsonrpc":"2.0","id":$ID,"result":""" + result + "}");
        using var rpc = Client(server.Url);
        await Assert.ThrowsAsync<RpcMalformedResponseException>(() => rpc.BlockNumberAsync());
    }

    [Fact]
    public async Task Call_RejectsABlockWithAShortHash()
    {
        await using var server = FakeRpcServer.Answering("""{"jsonrpc":"2.0","id":$ID,"result":{"number":"0x1","hash":"0x12","parentHash":"0x34","timestamp":"0x1"}}""");
        using var rpc = Client(server.Url);
        await Assert.ThrowsAsync<RpcMalformedResponseException>(() => rpc.GetBlockByNumberAsync(BlockTag.Latest));
    }

    [Fact]
    public async Task Call_RejectsABodyLargerThanTheCap()
    {
        var huge = new string('a', 200_000);
        await using var server = FakeRpcServer.Answering("{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"" + huge + "\"}");
        using var rpc = Client(server.Url, maxBytes: 64 * 1024);
        var ex = await Assert.ThrowsAsync<RpcMalformedResponseException>(() => rpc.BlockNumberAsync());
        Assert.Contains("limit", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_RaisesTheErrorObjectWithCodeMessageAndData()
    {
        await using var server = FakeRpcServer.Answering("""{"jsonrpc":"2.0","id":$ID,"error":{"code":-32601,"message":"the method does not exist","data":{"hint":"x"}}}""");
        using var rpc = Client(server.Url);
        var ex = await Assert.ThrowsAsync<RpcErrorException>(() => rpc.BlockNumberAsync());
        Assert.Equal(-32601, ex.ErrorCode);
        Assert.Equal("the method does not exist", ex.ErrorMessage);
        Assert.Equal("""{"hint":"x"}""", ex.Data);
        Assert.False(ex.Retryable);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Call_RejectsAnErrorObjectWithoutACode()
    {
        await using var server = FakeRpcServer.Answering("""{"jsonrpc":"2.0","id":$ID,"error":"boom"}""");
        using var rpc = Client(server.Url);
        await Assert.ThrowsAsync<RpcMalformedResponseException>(() => rpc.BlockNumberAsync());
    }

    [Fact]
    public async Task Call_NeverRetriesARevert()
    {
        // Error(string) "no": selector 08c379a0, offset 0x20, length 2, "no".
        const string data = "0x08c379a0" + "0000000000000000000000000000000000000000000000000000000000000020"
            + "0000000000000000000000000000000000000000000000000000000000000002" + "6e6f000000000000000000000000000000000000000000000000000000000000";
        await using var server = FakeRpcServer.Answering("""{"jsonrpc":"2.0","id":$ID,"error":{"code":3,"message":"execution reverted: no","data":"DATA"}}""".Replace("DATA", data, StringComparison.Ordinal));
        using var rpc = Client(server.Url, retries: 5);
        var ex = await Assert.ThrowsAsync<RevertedException>(() => rpc.CallAsync(new CallRequest { To = "0x0000000000000000000000000000000000000001" }));
        Assert.Equal("Error", ex.Reason?.Name);
        Assert.Equal("no", ex.Error);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Call_RetriesAServerFaultThenSucceeds()
    {
        await using var server = new FakeRpcServer(req => req.Ordinal <= 2
            ? new FakeResponse(503, "busy")
            : new FakeResponse(200, $$"""{"jsonrpc":"2.0","id":{{req.Id}},"result":"0x7"}"""));
        using var rpc = Client(server.Url, retries: 3);
        Assert.Equal(7, await rpc.BlockNumberAsync());
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task Call_GivesUpAfterTheLastRetryOfAServerFault()
    {
        await using var server = FakeRpcServer.Answering("oops", status: 500);
        using var rpc = Client(server.Url, retries: 2);
        var ex = await Assert.ThrowsAsync<RpcUnreachableException>(() => rpc.BlockNumberAsync());
        Assert.True(ex.Retryable);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task Call_TimesOutAgainstAServerThatNeverAnswers()
    {
        await using var server = new FakeRpcServer(_ => null);
        using var rpc = Client(server.Url, timeout: TimeSpan.FromMilliseconds(300), retries: 1);
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RpcTimeoutException>(() => rpc.BlockNumberAsync());
        Assert.Equal("eth_blockNumber", ex.Method);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(5));
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Call_StopsAtOnceWhenTheCallerCancels()
    {
        await using var server = new FakeRpcServer(_ => null);
        using var rpc = Client(server.Url, timeout: TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rpc.BlockNumberAsync(cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {watch.Elapsed}");
    }

    [Fact]
    public async Task Call_ReportsANodeThatIsDownWithWhatToDoNext()
    {
        var port = AnvilFixture.FreePort();
        using var rpc = Client(new Uri($"http://127.0.0.1:{port}"), retries: 1);
        var ex = await Assert.ThrowsAsync<RpcUnreachableException>(() => rpc.ChainIdAsync());
        Assert.Equal("eth.rpc.unreachable", ex.Code);
        Assert.Contains("connection refused", ex.Message, StringComparison.Ordinal);
        Assert.Contains("linq devnet up", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_RefusesANodeOfAnotherChainBeforeSendingAnything()
    {
        await using var server = new FakeRpcServer(req => new FakeResponse(200, req.Method == "eth_chainId"
            ? $$"""{"jsonrpc":"2.0","id":{{req.Id}},"result":"0x1"}"""
            : $$"""{"jsonrpc":"2.0","id":{{req.Id}},"result":"0x{{new string('1', 64)}}"}"""));
        using var rpc = Client(server.Url, chainId: 31337);
        var ex = await Assert.ThrowsAsync<WrongChainException>(() => rpc.SendRawTransactionAsync([1, 2, 3]));
        Assert.Equal(31337, ex.Expected);
        Assert.Equal(1, ex.Actual);
        Assert.Equal(1, server.Requests);
    }
}
