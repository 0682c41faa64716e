namespace LinqP2P.Ipfs.Tests;

/// <summary>Deterministic pseudo-random content (xorshift64*), so both importers see the same bytes.</summary>
public static class TestData
{
    public static byte[] Bytes(long size, ulong seed)
    {
        var bytes = new byte[size];
        Fill(bytes, ref seed);
        return bytes;
    }

    public static void Fill(Span<byte> buffer, ref ulong state)
    {
        if (state == 0)
        {
            state = 0x9E3779B97F4A7C15UL;
        }
        Span<byte> word = stackalloc byte[8];
        for (var i = 0; i < buffer.Length; i += 8)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(word, state * 0x2545F4914F6CDD1DUL);
            var n = Math.Min(8, buffer.Length - i);
            word[..n].CopyTo(buffer[i..]);
        }
    }

    /// <summary>Writes <paramref name="size"/> pseudo-random bytes to <paramref name="path"/> in 1 MiB steps.</summary>
    public static void WriteFile(string path, long size, ulong seed)
    {
        using var file = File.Create(path);
        var buffer = new byte[1 << 20];
        var state = seed;
        for (long left = size; left > 0;)
        {
            var n = (int)Math.Min(buffer.Length, left);
            Fill(buffer.AsSpan(0, n), ref state);
            file.Write(buffer, 0, n);
            left -= n;
        }
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "linq-ipfs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
