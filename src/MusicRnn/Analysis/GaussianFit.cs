namespace MusicRnn.Analysis;

/// <summary>
/// The mean and covariance of frames that arrive in blocks, in float64, holding only running sums
/// (d + d² numbers for d-dimensional frames; 64 bands: 33 KB).
/// </summary>
/// <remarks>
/// Sums are taken about a shift K, the first frame seen: S₁ = Σ (x − K), S₂ = Σ (x − K)(x − K)ᵀ, so
/// μ = K + S₁/n and Σ = (S₂ − S₁S₁ᵀ/n)/(n − 1) (the unbiased covariance). Shifting removes the
/// cancellation of the textbook Σxxᵀ − nμμᵀ when the mean is large against the spread — log-mel
/// levels sit tens of dB from 0 and vary by a few dB. Only the upper triangle is accumulated and
/// mirrored, so the covariance is exactly symmetric.
/// </remarks>
public sealed class GaussianFit
{
    private readonly double[] shift;
    private readonly double[] sum;
    private readonly double[] products;   // upper triangle of S₂, row-major in a d × d array
    private double[]? mean;
    private double[,]? covariance;
    private bool givenMoments;

    /// <param name="dimensions">d, values per frame.</param>
    public GaussianFit(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        shift = new double[dimensions];
        sum = new double[dimensions];
        products = new double[dimensions * dimensions];
    }

    /// <summary>d, values per frame.</summary>
    public int Dimensions { get; }

    /// <summary>Frames taken.</summary>
    public long Count { get; private set; }

    /// <summary>Whether there is a mean and a covariance: at least two frames, or given moments.</summary>
    public bool IsDefined => givenMoments || Count >= 2;

    /// <summary>The fit of a block of frames.</summary>
    public static GaussianFit Of(LogMelFrames frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var fit = new GaussianFit(frames.Bands);
        fit.Add(frames);
        return fit;
    }

    /// <summary>A fit with the given moments (for checking formulas by hand).</summary>
    public static GaussianFit FromMoments(double[] mean, double[,] covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        if (covariance.GetLength(0) != mean.Length || covariance.GetLength(1) != mean.Length)
            throw new ArgumentException($"expected a {mean.Length} × {mean.Length} covariance, got {covariance.GetLength(0)} × {covariance.GetLength(1)}", nameof(covariance));
        return new GaussianFit(mean.Length) { givenMoments = true, mean = (double[])mean.Clone(), covariance = (double[,])covariance.Clone() };
    }

    /// <summary>Takes the next frames.</summary>
    public void Add(LogMelFrames frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Bands != Dimensions) throw new ArgumentException($"expected {Dimensions}-band frames, got {frames.Bands}", nameof(frames));
        if (frames.Count == 0) return;
        if (givenMoments) throw new InvalidOperationException("a fit made from given moments takes no frames");
        var d = Dimensions;
        var centred = new double[d];
        for (var t = 0; t < frames.Count; t++)
        {
            var x = frames.Frame(t);
            if (Count == 0)
                for (var i = 0; i < d; i++) shift[i] = x[i];
            for (var i = 0; i < d; i++)
            {
                centred[i] = x[i] - shift[i];
                sum[i] += centred[i];
            }
            for (var i = 0; i < d; i++)
            {
                var ci = centred[i];
                var row = products.AsSpan(i * d, d);
                for (var j = i; j < d; j++) row[j] += ci * centred[j];
            }
            Count++;
        }
        mean = null;
        covariance = null;
    }

    /// <summary>μ, the mean frame.</summary>
    public double[] Mean
    {
        get
        {
            RequireFrames(1);
            return mean ??= Enumerable.Range(0, Dimensions).Select(i => shift[i] + (sum[i] / Count)).ToArray();
        }
    }

    /// <summary>Σ, the unbiased covariance (d × d, symmetric).</summary>
    public double[,] Covariance
    {
        get
        {
            RequireFrames(2);
            if (covariance is not null) return covariance;
            var d = Dimensions;
            var result = new double[d, d];
            for (var i = 0; i < d; i++)
                for (var j = i; j < d; j++)
                    result[i, j] = result[j, i] = (products[(i * d) + j] - (sum[i] * sum[j] / Count)) / (Count - 1);
            return covariance = result;
        }
    }

    private void RequireFrames(int needed)
    {
        if (!givenMoments && Count < needed) throw new InvalidOperationException($"a Gaussian fit needs at least {needed} frames, got {Count}");
    }
}
