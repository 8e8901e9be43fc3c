namespace MusicRnn.Codecs;

/// <summary>Signal-to-noise ratio of a round trip: how much of a signal survives a codec.</summary>
public static class Snr
{
    /// <summary>
    /// 10·log10(Σ reference² / Σ (reference − test)²) in dB, summed in float64. An exact copy is
    /// +∞ (the raw codec's round trip), an error against digital silence is −∞.
    /// </summary>
    /// <param name="reference">The original samples.</param>
    /// <param name="test">The samples that came back; same length as <paramref name="reference"/>.</param>
    public static double SnrDb(ReadOnlySpan<float> reference, ReadOnlySpan<float> test)
    {
        if (reference.Length != test.Length)
            throw new ArgumentException($"the signals differ in length: {reference.Length} and {test.Length} samples", nameof(test));
        double signal = 0, noise = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            double r = reference[i];
            var e = r - test[i];
            signal += r * r;
            noise += e * e;
        }
        if (noise == 0)
            return double.PositiveInfinity;
        return signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(signal / noise);
    }
}
