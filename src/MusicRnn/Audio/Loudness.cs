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

    private static double ToDb(double amplitude) =>
        amplitude > 0 ? 20 * Math.Log10(amplitude) : double.NegativeInfinity;
}
