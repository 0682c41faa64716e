using System.IO.Compression;
using System.Text;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Formats;

namespace LinqP2P.Synth.Tests;

/// <summary>
/// The real sample tables Debian's python3-sklearn ships. Their first line is "n_samples,n_features,class
/// names" rather than column names, and diabetes is space-separated and split in two files, so each is
/// converted here into an ordinary CSV with a header before the product's reader sees it.
/// </summary>
public static class Samples
{
    public const string Folder = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    public static readonly string[] WineColumns =
    [
        "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
        "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280_od315", "proline", "target",
    ];

    public static string WineCsv() => WithHeader(File.ReadAllLines(Path.Combine(Folder, "wine_data.csv")).Skip(1), WineColumns);

    public static string BreastCancerCsv() =>
        WithHeader(File.ReadAllLines(Path.Combine(Folder, "breast_cancer.csv")).Skip(1), [.. Enumerable.Range(0, 30).Select(i => $"f{i}"), "target"]);

    public static string DiabetesCsv()
    {
        var data = GunzipLines(Path.Combine(Folder, "diabetes_data_raw.csv.gz"));
        var target = GunzipLines(Path.Combine(Folder, "diabetes_target.csv.gz"));
        var rows = data.Zip(target, (d, t) => string.Join(',', d.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(t.Trim())));
        return WithHeader(rows, ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "progression"]);
    }

    public static Frame Load(string csv) => SampleLoader.Infer(CsvReader.Parse(csv));

    /// <summary>Every fifth row is held out, the rest trains: a fixed split, so scores are reproducible.</summary>
    public static (Frame Train, Frame Holdout) Split(Frame all)
    {
        var train = Enumerable.Range(0, all.RowCount).Where(r => r % 5 != 4).ToList();
        var holdout = Enumerable.Range(0, all.RowCount).Where(r => r % 5 == 4).ToList();
        return (all.Select(train), all.Select(holdout));
    }

    private static string WithHeader(IEnumerable<string> rows, IEnumerable<string> header)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', header)).Append('\n');
        foreach (var r in rows.Where(r => r.Trim().Length > 0))
        {
            sb.Append(r.Trim()).Append('\n');
        }
        return sb.ToString();
    }

    private static List<string> GunzipLines(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length > 0)
            {
                lines.Add(line);
            }
        }
        return lines;
    }
}
