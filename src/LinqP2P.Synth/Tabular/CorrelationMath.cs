using MathNet.Numerics.LinearAlgebra;

namespace LinqP2P.Synth.Tabular;

/// <summary>Correlation matrices: repair to positive definite, and a reproducible Cholesky factor.</summary>
public static class CorrelationMath
{
    /// <summary>
    /// Nearest-ish positive definite correlation: eigenvalues below <paramref name="floor"/> are raised to it
    /// and the result is rescaled to a unit diagonal (Rousseeuw and Molenberghs' clipping). Pairwise
    /// estimates with missing values, constant columns or more columns than rows all give matrices that need it.
    /// Runs once at fit time, so it may use MathNet's eigen solver; sampling never depends on it.
    /// </summary>
    public static double[][] Repair(double[][] matrix, double floor = 1e-6)
    {
        var n = matrix.Length;
        if (n == 0)
        {
            return [];
        }
        var m = Matrix<double>.Build.DenseOfRowArrays(matrix);
        m = (m + m.Transpose()) / 2;
        var evd = m.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => Math.Max(v.Real, floor)).ToArray();
        var d = Matrix<double>.Build.DiagonalOfDiagonalArray(values);
        var repaired = evd.EigenVectors * d * evd.EigenVectors.Transpose();
        var result = new double[n][];
        for (var i = 0; i < n; i++)
        {
            result[i] = new double[n];
        }
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var v = i == j ? 1.0 : repaired[i, j] / Math.Sqrt(repaired[i, i] * repaired[j, j]);
                v = Math.Clamp(v, -1, 1);
                result[i][j] = v;
                result[j][i] = v;
            }
        }
        return result;
    }

    /// <summary>
    /// The lower Cholesky factor, computed with a fixed loop order and only IEEE basic operations and square
    /// roots, so every node derives the same bits from the same model. When rounding leaves the matrix
    /// indefinite, a growing ridge (1e-12 up to 1e-3) is added to the diagonal; null if even that fails.
    /// </summary>
    public static double[][]? Cholesky(IReadOnlyList<double[]> a)
    {
        var n = a.Count;
        for (var ridge = 0.0; ridge <= 1e-3; ridge = ridge == 0 ? 1e-12 : ridge * 10)
        {
            var l = TryCholesky(a, ridge);
            if (l is not null)
            {
                return l;
            }
        }
        return n == 0 ? [] : null;
    }

    private static double[][]? TryCholesky(IReadOnlyList<double[]> a, double ridge)
    {
        var n = a.Count;
        var l = new double[n][];
        for (var i = 0; i < n; i++)
        {
            l[i] = new double[n];
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i][j] + (i == j ? ridge : 0);
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i][k] * l[j][k];
                }
                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        return null;
                    }
                    l[i][i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return l;
    }
}
