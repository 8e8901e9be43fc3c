using System.Numerics;

namespace MusicRnn.Audio;

/// <summary>
/// Band-limited sample-rate conversion by a Kaiser-windowed sinc filter in polyphase form.
/// The ratio is reduced to up/down by the gcd of the rates; output sample n sits at input time
/// t = n·down/up, and is Σ_k x[k]·h(t − k) over the taps around t. The low-pass h cuts at the
/// lower of the two Nyquist frequencies, so downsampling cannot alias. Samples outside the
/// signal count as zero.
/// </summary>
public static class Resampler
{
    // Zero crossings of the sinc on each side of the centre, at the filter's cutoff: sets the transition width.
    private const int ZeroCrossings = 32;

    // Cutoff as a fraction of the lower Nyquist frequency. With 32 zero crossings the Kaiser
    // transition band is about ±9% wide, so the stopband starts right at the new Nyquist.
    private const double Rolloff = 0.91;

    // Kaiser β for about 90 dB stopband attenuation (Kaiser's formula β = 0.1102·(A − 8.7)).
    private const double Beta = 9.0;

    // Phases tabulated exactly up to this many; ratios with a larger "up" interpolate between table rows.
    private const int MaxPhases = 4096;

    /// <summary>Resamples <paramref name="x"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    /// <returns>ceil(x.Length · toRate / fromRate) samples.</returns>
    public static float[] Resample(ReadOnlySpan<float> x, int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        int gcd = Gcd(fromRate, toRate);
        int up = toRate / gcd, down = fromRate / gcd;
        if (up == down)
            return x.ToArray();

        long outLength = (((long)x.Length * up) + down - 1) / down;
        if (outLength > Array.MaxLength)
            throw new ArgumentException($"{outLength} output samples do not fit in an array", nameof(x));

        double cutoff = Math.Min(1.0, (double)up / down) * Rolloff;
        int half = (int)Math.Ceiling(ZeroCrossings / cutoff);
        int phases = Math.Min(up, MaxPhases);
        var table = BuildTable(phases, half, cutoff);
        int taps = 2 * half;

        var y = new float[outLength];
        var coefficients = new float[taps];
        for (long n = 0; n < outLength; n++)
        {
            long num = n * down;
            long i = num / up;
            // Position of t between table rows: exact when every phase has a row, interpolated otherwise.
            double row = (double)(num % up) * phases / up;
            int p = (int)row;
            double w = row - p;
            var h = table.AsSpan(p * taps, taps);
            if (w > 0)
            {
                var next = table.AsSpan((p + 1) * taps, taps);
                for (int j = 0; j < taps; j++)
                    coefficients[j] = (float)(h[j] + (w * (next[j] - h[j])));
                h = coefficients;
            }
            y[n] = Convolve(x, i - half + 1, h);
        }
        return y;
    }

    /// <summary>
    /// Row p (0..phases, the last being phase 0 one input sample later) holds the taps for
    /// fractional time p/phases: tap j weighs input sample i − half + 1 + j, whose distance from t is
    /// d = p/phases + half − 1 − j. Each row is scaled to sum to 1 so a constant passes unchanged.
    /// </summary>
    private static float[] BuildTable(int phases, int half, double cutoff)
    {
        int taps = 2 * half;
        var table = new float[(phases + 1) * taps];
        double i0Beta = BesselI0(Beta);
        var row = new double[taps];
        for (int p = 0; p <= phases; p++)
        {
            double sum = 0;
            for (int j = 0; j < taps; j++)
            {
                double d = ((double)p / phases) + half - 1 - j;
                double r = d / half;
                double window = Math.Abs(r) >= 1 ? 0 : BesselI0(Beta * Math.Sqrt(1 - (r * r))) / i0Beta;
                row[j] = cutoff * Sinc(cutoff * d) * window;
                sum += row[j];
            }
            for (int j = 0; j < taps; j++)
                table[(p * taps) + j] = (float)(row[j] / sum);
        }
        return table;
    }

    /// <summary>Σ_j x[start + j]·h[j], with x taken as zero outside its bounds.</summary>
    private static float Convolve(ReadOnlySpan<float> x, long start, ReadOnlySpan<float> h)
    {
        long lo = Math.Max(0, start), hi = Math.Min(x.Length, start + h.Length);
        if (hi <= lo)
            return 0;
        var xs = x[(int)lo..(int)hi];
        var hs = h[(int)(lo - start)..][..xs.Length];

        var acc = Vector<float>.Zero;
        int k = 0;
        for (; k <= xs.Length - Vector<float>.Count; k += Vector<float>.Count)
            acc += new Vector<float>(xs[k..]) * new Vector<float>(hs[k..]);
        float sum = Vector.Sum(acc);
        for (; k < xs.Length; k++)
            sum += xs[k] * hs[k];
        return sum;
    }

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series.</summary>
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; term > 1e-17 * sum; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
