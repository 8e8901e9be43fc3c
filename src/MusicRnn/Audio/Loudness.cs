namespace MusicRnn.Audio;

/// <summary>
/// Levels in decibels relative to full scale (1.0). A full-scale sine has a peak of 0 dBFS and an
/// RMS of -3.01 dBFS here (no AES +3 dB offset). Silence and empty input give negative infinity.
/// </summary>
public static class Loudness
{
    /// <summary>20·log10(max |x|).</summary>
    public static double PeakDbfs(ReadOnlySpan<float> x)
    {
        float peak = 0;
        foreach (float v in x)
            peak = Math.Max(peak, Math.Abs(v));
        return ToDb(peak);
    }

    /// <summary>20·log10(sqrt(mean x²)), accumulated in double so long signals lose nothing.</summary>
    public static double RmsDbfs(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty)
            return double.NegativeInfinity;
        double sum = 0;
        foreach (float v in x)
            sum += (double)v * v;
        return ToDb(Math.Sqrt(sum / x.Length));
    }

    /// <summary>
    /// Peak and RMS of a signal that arrives in blocks; after the last block they equal
    /// <see cref="PeakDbfs"/> and <see cref="RmsDbfs"/> of the whole signal exactly (same order of summation).
    /// </summary>
    public sealed class Meter
    {
        private float _peak;
        private double _sumOfSquares;

        /// <summary>Samples measured so far.</summary>
        public long Count { get; private set; }

        /// <summary>Adds the next block.</summary>
        public void Add(ReadOnlySpan<float> block)
        {
            foreach (float v in block)
            {
                _peak = Math.Max(_peak, Math.Abs(v));
                _sumOfSquares += (double)v * v;
            }
            Count += block.Length;
        }

        /// <summary>20·log10(max |x|) so far.</summary>
        public double PeakDbfs => ToDb(_peak);

        /// <summary>20·log10(sqrt(mean x²)) so far; negative infinity before any sample.</summary>
        public double RmsDbfs => Count == 0 ? double.NegativeInfinity : ToDb(Math.Sqrt(_sumOfSquares / Count));
    }

    private static double ToDb(double amplitude) =>
        amplitude > 0 ? 20 * Math.Log10(amplitude) : double.NegativeInfinity;
}
