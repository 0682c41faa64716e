using System.CommandLine;
using System.Text.Json;
using LinqP2P.Cli.Client;
using LinqP2P.Core;
using LinqP2P.Ethereum;
using LinqP2P.Node.Hosting;

namespace LinqP2P.Cli.Commands;

/// <summary>
/// <c>linq wallet address | balance | new | import</c>. <c>new</c> and <c>import</c> write the keystore into the data
/// dir (no node needed; the passphrase from LINQ_PASSPHRASE or --passphrase-file); <c>balance</c> asks the node.
/// </summary>
internal static class WalletCommands
{
    public static Command Create()
    {
        var wallet = new Command("wallet", "The node's wallet (keystore v3 in the data dir, encrypted at rest).");
        wallet.Subcommands.Add(Address());
        wallet.Subcommands.Add(Balance());
        wallet.Subcommands.Add(New());
        wallet.Subcommands.Add(Import());
        return wallet;
    }

    private static Option<string?> WalletPath() => new("--wallet") { Description = "Keystore file (default <data-dir>/wallet.json)." };

    private static Option<string?> PassphraseFile() => new("--passphrase-file") { Description = "File holding the passphrase (LINQ_PASSPHRASE wins over it)." };

    private static string KeystorePath(ParseResult parse, ClientOptions c, Option<string?> wallet) =>
        parse.GetValue(wallet) is { } w ? Path.GetFullPath(w) : Path.Combine(ClientOptions.ResolveDataDir(parse.GetValue(c.DataDir)), "wallet.json");

    private static Command Address()
    {
        var c = new ClientOptions();
        var wallet = WalletPath();
        var command = new Command("address", "Print the wallet's address (read from the keystore; no passphrase needed).") { wallet };
        command.Options.Add(c.DataDir);
        command.Options.Add(c.Json);
        command.SetAction(parse => ClientOptions.RunAsync(() =>
        {
            var path = KeystorePath(parse, c, wallet);
            var address = WalletStore.AddressOf(path)
                ?? throw new WalletException("wallet.missing", $"there is no readable wallet at {path}: create one with `linq wallet new` or import one with `linq wallet import`.");
            Console.WriteLine(parse.GetValue(c.Json) ? JsonSerializer.Serialize(new { address = address.ToString(), keystore = path }) : address.ToString());
            return Task.FromResult(0);
        }).GetAwaiter().GetResult());
        return command;
    }

    private static Command Balance()
    {
        var c = new ClientOptions();
        var command = new Command("balance", "Print the node wallet's ETH and LNQ balances (asks the running node).");
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            using var client = c.Connect(parse);
            var answer = await client.GetAsync("/v1/wallet", ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
                return 0;
            }
            Console.WriteLine($"{answer.GetProperty("address").GetString()} on chain {answer.GetProperty("chainId")}");
            Console.WriteLine($"  {answer.GetProperty("lnq").GetString()}");
            Console.WriteLine($"  {answer.GetProperty("ethWei").GetString()} wei ETH");
            if (answer.TryGetProperty("providerId", out var p) && p.ValueKind == JsonValueKind.String)
            {
                Console.WriteLine($"  provider {p.GetString()}");
            }
            return 0;
        }));
        return command;
    }

    private static Command New()
    {
        var c = new ClientOptions();
        var wallet = WalletPath();
        var passphrase = PassphraseFile();
        var command = new Command("new", "Create a new wallet key and write it encrypted (keystore v3, scrypt) to the data dir.") { wallet, passphrase };
        command.Options.Add(c.DataDir);
        command.Options.Add(c.Json);
        command.SetAction(parse => ClientOptions.RunAsync(() =>
        {
            var path = KeystorePath(parse, c, wallet);
            var key = PrivateKey.Generate();
            WalletStore.Save(key, path, WalletStore.Passphrase(parse.GetValue(passphrase)));
            Console.WriteLine(parse.GetValue(c.Json) ? JsonSerializer.Serialize(new { address = key.Address.ToString(), keystore = path }) : $"created wallet {key.Address} at {path}");
            return Task.FromResult(0);
        }).GetAwaiter().GetResult());
        return command;
    }

    private static Command Import()
    {
        var c = new ClientOptions();
        var wallet = WalletPath();
        var passphrase = PassphraseFile();
        var keystore = new Option<string?>("--keystore") { Description = "Import a keystore v3 file (decrypted with its passphrase, re-encrypted with LINQ_PASSPHRASE / --passphrase-file)." };
        var keystorePassphrase = new Option<string?>("--keystore-passphrase-file") { Description = "File holding the passphrase of --keystore (default: the same passphrase)." };
        var keyFile = new Option<string?>("--private-key-file") { Description = "Import a raw hex private key from a file (never pass a key as an argument)." };
        var command = new Command("import", "Import a wallet into the data dir from a keystore file or a hex private key file.") { wallet, passphrase, keystore, keystorePassphrase, keyFile };
        command.Options.Add(c.DataDir);
        command.Options.Add(c.Json);
        command.SetAction(parse => ClientOptions.RunAsync(() =>
        {
            var path = KeystorePath(parse, c, wallet);
            var pass = WalletStore.Passphrase(parse.GetValue(passphrase));
            PrivateKey key;
            if (parse.GetValue(keystore) is { } ks && parse.GetValue(keyFile) is null)
            {
                var sourcePass = parse.GetValue(keystorePassphrase) is { } f ? WalletStore.Passphrase(f, new Dictionary<string, string>()) : pass;
                key = WalletStore.Unlock(Path.GetFullPath(ks), sourcePass);
            }
            else if (parse.GetValue(keyFile) is { } kf && parse.GetValue(keystore) is null)
            {
                if (!File.Exists(kf))
                {
                    throw new WalletException("wallet.no_key_file", $"{kf} does not exist.");
                }
                try
                {
                    key = PrivateKey.Parse(File.ReadAllText(kf).Trim());
                }
                catch (LinqException e)
                {
                    throw new WalletException("wallet.bad_key", $"{kf} does not hold a hex secp256k1 private key ({e.Message}).", e);
                }
            }
            else
            {
                throw new WalletException("wallet.import_source", "give exactly one of --keystore FILE or --private-key-file FILE.");
            }
            WalletStore.Save(key, path, pass);
            Console.WriteLine(parse.GetValue(c.Json) ? JsonSerializer.Serialize(new { address = key.Address.ToString(), keystore = path }) : $"imported wallet {key.Address} into {path}");
            return Task.FromResult(0);
        }).GetAwaiter().GetResult());
        return command;
    }
}
