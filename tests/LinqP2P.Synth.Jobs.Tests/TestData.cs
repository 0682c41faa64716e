using System.Security.Cryptography;
using System.Text;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Service;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Jobs.Tests;

/// <summary>Real inputs for shard tests: a model fitted on sklearn's wine table (Debian python3-sklearn), folders the job user can read.</summary>
public static class TestData
{
    public const string WinePath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/wine_data.csv";

    private static readonly Lazy<string> Model = new(() => TabularFitter.Fit(SampleLoader.Infer(CsvReader.Parse(WineCsv()))).ToJson());

    /// <summary>The wine table with a header (its first line is "n_samples,n_features,classes", not names).</summary>
    public static string WineCsv()
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Enumerable.Range(0, 13).Select(i => $"x{i}").Append("target"))).Append('\n');
        foreach (var line in File.ReadAllLines(WinePath).Skip(1).Where(l => l.Trim().Length > 0))
        {
            sb.Append(line.Trim()).Append('\n');
        }
        return sb.ToString();
    }

    public static string WineModelJson => Model.Value;

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A folder under /tmp that the container user (65534) can read and the test deletes.</summary>
    public static string NewFolder(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
        return path;
    }

    public static void WriteReadable(string path, string text)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        }
    }

    public static SynthShardSpec Tabular(long rows, DatasetFormat format, ulong seed = 7) => new()
    {
        Kind = "tabular",
        Seed = seed,
        Rows = rows,
        BlockRows = 1000,
        OutputFormat = format,
        InputSha256 = Sha256(WineModelJson),
    };

    public static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
