using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Ethereum.Keystore;
using LinqP2P.TestKit;

namespace LinqP2P.Ethereum.Tests;

public sealed class KeystoreTests
{
    private static Gen<string> Password =>
        Gen.Choose(1, 24).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcXYZ0189 !#%-_=+.,:;éü".ToCharArray()), n)).Select(c => new string(c));

    [Fact]
    public async Task Encrypt_WithScrypt_IsReadByCastDecryptKeystore()
    {
        await CastDecrypts(KeystoreOptions.Light, 12);
    }

    [Fact]
    public async Task Encrypt_WithPbkdf2_IsReadByCastDecryptKeystore()
    {
        await CastDecrypts(new KeystoreOptions { UsePbkdf2 = true, Pbkdf2Iterations = 1000 }, 8);
    }

    private static async Task CastDecrypts(KeystoreOptions options, int count)
    {
        var cases = Gen.Zip(Generators.Key, Password).Draw(count);
        var dir = Directory.CreateTempSubdirectory("keystore-");
        try
        {
            for (var i = 0; i < cases.Length; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "k" + i), KeystoreV3.Encrypt(cases[i].Item1, cases[i].Item2, options));
            }
            var outputs = await Cast.RunManyAsync(Enumerable.Range(0, cases.Length).ToArray(), i =>
                ["wallet", "decrypt-keystore", "k" + i, "--keystore-dir", dir.FullName, "--unsafe-password=" + cases[i].Item2]);
            for (var i = 0; i < cases.Length; i++)
            {
                Assert.EndsWith(Hex.Encode(cases[i].Item1.ExportBytes()), outputs[i], StringComparison.Ordinal);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Decrypt_ReadsKeystoresWrittenByCastWalletImport()
    {
        var cases = Gen.Zip(Generators.Key, Password).Draw(8);
        var dir = Directory.CreateTempSubdirectory("keystore-");
        try
        {
            await Task.WhenAll(cases.Select((c, i) => Cast.RunAsync(
                "wallet", "import", "k" + i, "--private-key", Hex.Encode(c.Item1.ExportBytes()), "--keystore-dir", dir.FullName, "--unsafe-password=" + c.Item2)));
            for (var i = 0; i < cases.Length; i++)
            {
                var json = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "k" + i));
                Assert.Equal(cases[i].Item1, KeystoreV3.Decrypt(json, cases[i].Item2));
                var e = Assert.Throws<KeystoreException>(() => KeystoreV3.Decrypt(json, cases[i].Item2 + "x"));
                Assert.True(e.IsWrongPassword);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Decrypt_ReadsKeystoresCreatedByCastWalletNew()
    {
        var dir = Directory.CreateTempSubdirectory("keystore-");
        try
        {
            var output = await Cast.RunAsync("wallet", "new", dir.FullName, "fresh", "--unsafe-password", "hunter2");
            var json = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "fresh"));
            var key = KeystoreV3.Decrypt(json, "hunter2");
            Assert.Contains(key.Address.ToString(), output, StringComparison.OrdinalIgnoreCase);
            var decrypted = await Cast.RunAsync("wallet", "decrypt-keystore", "fresh", "--keystore-dir", dir.FullName, "--unsafe-password", "hunter2");
            Assert.EndsWith(Hex.Encode(key.ExportBytes()), decrypted, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The PBKDF2 test vector of the Web3 Secret Storage definition (cast cannot write PBKDF2 files to compare with).</summary>
    [Fact]
    public void Decrypt_ReadsTheWeb3SecretStoragePbkdf2Vector()
    {
        const string json = """
        {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
         "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
         "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
         "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
         "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
        """;
        var key = KeystoreV3.Decrypt(json, "testpassword");
        Assert.Equal("0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d", Hex.Encode(key.ExportBytes()));
    }

    [Property(MaxTest = 10)]
    public bool Decrypt_RoundTripsEncrypt(byte[] seed, NonEmptyString password, bool pbkdf2)
    {
        var key = PrivateKey.FromBytes(Keccak256.Hash(seed).Span);
        var options = pbkdf2 ? new KeystoreOptions { UsePbkdf2 = true, Pbkdf2Iterations = 100 } : new KeystoreOptions { ScryptN = 1024 };
        return KeystoreV3.Decrypt(KeystoreV3.Encrypt(key, password.Get, options), password.Get).Equals(key);
    }

    [Fact]
    public void Decrypt_RejectsAWrongPasswordWithATypedError()
    {
        var json = KeystoreV3.Encrypt(PrivateKey.Generate(), "right", KeystoreOptions.Light);
        var e = Assert.Throws<KeystoreException>(() => KeystoreV3.Decrypt(json, "wrong"));
        Assert.Equal("eth.keystore.wrong-password", e.Code);
        Assert.False(e.Retryable);
    }

    [Theory]
    [InlineData("n", 1 << 25)] // 4 GiB of scrypt memory
    [InlineData("n", 1000)] // not a power of two
    [InlineData("r", 0)]
    [InlineData("dklen", 16)]
    public void Decrypt_RejectsHostileOrInvalidKdfParameters(string parameter, int value)
    {
        var doc = JsonNode.Parse(KeystoreV3.Encrypt(PrivateKey.Generate(), "pw", KeystoreOptions.Light))!;
        doc["crypto"]!["kdfparams"]![parameter] = value;
        var e = Assert.Throws<KeystoreException>(() => KeystoreV3.Decrypt(doc.ToJsonString(), "pw"));
        Assert.Equal("eth.keystore.invalid", e.Code);
    }

    [Fact]
    public void Decrypt_RejectsAnAddressThatDoesNotMatchTheKey()
    {
        var doc = JsonNode.Parse(KeystoreV3.Encrypt(PrivateKey.Generate(), "pw", KeystoreOptions.Light))!;
        doc["address"] = PrivateKey.Generate().Address.ToLowerString()[2..];
        Assert.Equal("eth.keystore.invalid", Assert.Throws<KeystoreException>(() => KeystoreV3.Decrypt(doc.ToJsonString(), "pw")).Code);
    }

    [Fact]
    public async Task SaveAsync_WritesAnOwnerOnlyFileThatLoadAsyncOpens()
    {
        var path = Path.Combine(Path.GetTempPath(), "ks-" + Guid.NewGuid());
        var key = PrivateKey.Generate();
        try
        {
            await KeystoreV3.SaveAsync(path, key, "pw", KeystoreOptions.Light);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            Assert.Equal(key, await KeystoreV3.LoadAsync(path, "pw"));
            await Assert.ThrowsAsync<IOException>(() => KeystoreV3.SaveAsync(path, key, "pw", KeystoreOptions.Light));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property(MaxTest = 200)]
    public void Decrypt_OfRandomText_ThrowsOnlyKeystoreErrors(string text)
    {
        try
        {
            KeystoreV3.Decrypt(text ?? "", "pw");
        }
        catch (KeystoreException)
        {
        }
    }
}
