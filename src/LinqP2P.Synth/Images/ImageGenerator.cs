using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using LinqP2P.Synth.Determinism;
using SkiaSharp;

namespace LinqP2P.Synth.Images;

/// <summary>Settings of <see cref="ImageGenerator"/>.</summary>
public sealed record ImageOptions
{
    public int Count { get; init; } = 100;

    public int Width { get; init; } = 128;

    public int Height { get; init; } = 128;

    /// <summary>Most objects per image; default 5 (at least 1 is always drawn).</summary>
    public int MaxObjects { get; init; } = 5;
}

/// <summary>One COCO dataset (https://cocodataset.org/#format-data), as much as object detection needs.</summary>
public sealed record CocoDataset(
    [property: JsonPropertyName("info")] CocoInfo Info,
    [property: JsonPropertyName("images")] IReadOnlyList<CocoImage> Images,
    [property: JsonPropertyName("annotations")] IReadOnlyList<CocoAnnotation> Annotations,
    [property: JsonPropertyName("categories")] IReadOnlyList<CocoCategory> Categories)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static CocoDataset FromJson(string json) =>
        JsonSerializer.Deserialize<CocoDataset>(json, Options) ?? throw new SynthInputException("synth.coco.json", "the COCO file is empty.");
}

public sealed record CocoInfo(
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("version")] string Version);

public sealed record CocoImage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("file_name")] string FileName,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height);

public sealed record CocoAnnotation(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("image_id")] long ImageId,
    [property: JsonPropertyName("category_id")] int CategoryId,
    [property: JsonPropertyName("bbox")] int[] Bbox,
    [property: JsonPropertyName("area")] double Area,
    [property: JsonPropertyName("iscrowd")] int IsCrowd);

public sealed record CocoCategory(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("supercategory")] string Supercategory);

/// <summary>One rendered image: its PNG bytes and its objects.</summary>
public sealed record RenderedImage(long Id, string FileName, byte[] Png, IReadOnlyList<CocoAnnotation> Annotations);

/// <summary>
/// Procedural scenes for object detection: a noisy background, then 1..MaxObjects circles, squares and
/// triangles with integer geometry. Image i draws only from stream (seed, i, 21). Shapes are drawn without
/// anti-aliasing and opaque, and the background noise is written by this code, not by Skia, so pixels do
/// not depend on which SIMD path Skia picks on a CPU; PNG bytes are identical for the same SkiaSharp
/// native build (SPEC.md §9.6). Boxes are [x, y, width, height] of the whole shape, also when a later
/// shape covers part of it.
/// </summary>
public sealed class ImageGenerator
{
    public static readonly CocoCategory[] Categories =
    [
        new(1, "circle", "shape"),
        new(2, "square", "shape"),
        new(3, "triangle", "shape"),
    ];

    private const int AnnotationsPerImage = 1000;
    private readonly ImageOptions _options;
    private readonly ulong _seed;

    public ImageGenerator(ImageOptions options, ulong seed)
    {
        if (options.Width is < 32 or > 4096 || options.Height is < 32 or > 4096)
        {
            throw new SynthInputException("synth.images.size", "width and height must lie in 32..4096 pixels.", field: "size");
        }
        if (options.Count < 0 || options.MaxObjects is < 1 or > AnnotationsPerImage - 1)
        {
            throw new SynthInputException("synth.images.count", "give a non-negative image count and 1..999 objects per image.", field: "count");
        }
        _options = options;
        _seed = seed;
    }

    public int Count => _options.Count;

    /// <summary>Image ids [first, end) of shard k of K.</summary>
    public (int First, int End) Shard(int shardIndex, int shardCount) =>
        ((int)((long)shardIndex * Count / shardCount), (int)((long)(shardIndex + 1) * Count / shardCount));

    public RenderedImage Render(long index)
    {
        var rng = Xoshiro256StarStar.ForStream(_seed, (ulong)index, 21);
        int w = _options.Width, h = _options.Height;
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var pixels = new byte[w * h * 4];
        var bg = (R: 60 + rng.NextInt(150), G: 60 + rng.NextInt(150), B: 60 + rng.NextInt(150));
        for (var p = 0; p < w * h; p++)
        {
            var n = rng.NextInt(25) - 12;
            pixels[(p * 4) + 0] = (byte)Math.Clamp(bg.R + n, 0, 255);
            pixels[(p * 4) + 1] = (byte)Math.Clamp(bg.G + n, 0, 255);
            pixels[(p * 4) + 2] = (byte)Math.Clamp(bg.B + n, 0, 255);
            pixels[(p * 4) + 3] = 255;
        }
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        var annotations = new List<CocoAnnotation>();
        using (var canvas = new SKCanvas(bitmap))
        {
            var objects = rng.NextInt(1, _options.MaxObjects + 1);
            var minSide = Math.Min(w, h);
            for (var k = 0; k < objects; k++)
            {
                var category = Categories[rng.NextInt(Categories.Length)];
                var size = rng.NextInt(minSide / 8, (minSide / 3) + 1);
                var x = rng.NextInt(0, w - size);
                var y = rng.NextInt(0, h - size);
                using var paint = new SKPaint
                {
                    IsAntialias = false,
                    Style = SKPaintStyle.Fill,
                    Color = new SKColor((byte)rng.NextInt(256), (byte)rng.NextInt(256), (byte)rng.NextInt(256), 255),
                };
                double area;
                switch (category.Name)
                {
                    case "circle":
                        canvas.DrawOval(new SKRect(x, y, x + size, y + size), paint);
                        area = Math.PI * size * size / 4;
                        break;
                    case "square":
                        canvas.DrawRect(new SKRect(x, y, x + size, y + size), paint);
                        area = size * size;
                        break;
                    default:
                        using (var path = new SKPath())
                        {
                            path.MoveTo(x + (size / 2), y);
                            path.LineTo(x + size, y + size);
                            path.LineTo(x, y + size);
                            path.Close();
                            canvas.DrawPath(path, paint);
                        }
                        area = size * size / 2.0;
                        break;
                }
                annotations.Add(new CocoAnnotation((index * AnnotationsPerImage) + k + 1, index + 1, category.Id, [x, y, size, size], area, 0));
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        var name = $"{index:D7}.png";
        return new RenderedImage(index + 1, name, data.ToArray(), annotations);
    }

    /// <summary>The COCO document for the given rendered images.</summary>
    public CocoDataset Coco(IEnumerable<RenderedImage> images)
    {
        var list = images.OrderBy(i => i.Id).ToList();
        return new CocoDataset(
            new CocoInfo("LinqP2P synthetic shapes", "1.0"),
            list.Select(i => new CocoImage(i.Id, "images/" + i.FileName, _options.Width, _options.Height)).ToList(),
            list.SelectMany(i => i.Annotations).ToList(),
            Categories);
    }
}
