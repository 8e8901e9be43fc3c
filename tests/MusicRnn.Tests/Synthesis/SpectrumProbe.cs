using static TorchSharp.torch;

namespace MusicRnn.Tests.Synthesis;

/// <summary>
/// Spectral measurements for the synthesis tests, computed with libtorch's FFT so the tests
/// judge the audio independently of how the synthesiser made it.
/// </summary>
internal static class SpectrumProbe
{
    /// <summary>Energy of <paramref name="samples"/> between two frequencies, from one FFT over the whole span.</summary>
    public static double BandEnergy(ReadOnlySpan<float> samples, int sampleRate, double loHz, double hiHz)
    {
        double[] power = Power(samples);
        double binHz = (double)sampleRate / samples.Length;
        double sum = 0;
        for (int k = 0; k < power.Length; k++)
        {
            double hz = k * binHz;
            if (hz >= loHz && hz < hiHz) sum += power[k];
        }
        return sum;
    }

    /// <summary>|rfft|² of a span: length/2 + 1 bins, bin k at k·rate/length Hz.</summary>
    public static double[] Power(ReadOnlySpan<float> samples)
    {
        using var scope = NewDisposeScope();
        var signal = tensor(samples.ToArray(), dtype: ScalarType.Float64);
        var spectrum = fft.rfft(signal);
        return spectrum.abs().pow(2).data<double>().ToArray();
    }

    /// <summary>
    /// Band energy over time: Hann-windowed frames of <paramref name="frame"/> samples every
    /// <paramref name="hop"/>; entry i covers samples [i·hop, i·hop + frame).
    /// </summary>
    public static double[] BandEnvelope(float[] samples, int sampleRate, double loHz, double hiHz, int frame = 1024, int hop = 256)
    {
        using var scope = NewDisposeScope();
        var signal = tensor(samples, dtype: ScalarType.Float64);
        var frames = signal.unfold(0, frame, hop) * hann_window(frame, dtype: ScalarType.Float64); // [frames, frame]
        var power = fft.rfft(frames, dim: -1).abs().pow(2);                                         // [frames, frame/2 + 1]
        long lo = (long)Math.Ceiling(loHz * frame / sampleRate);
        long hi = (long)Math.Floor(hiHz * frame / sampleRate);
        return power[TensorIndex.Colon, TensorIndex.Slice(lo, hi + 1)].sum(dim: 1).data<double>().ToArray();
    }

    /// <summary>
    /// Energy per pitch class (0 = C … 9 = A) between <paramref name="loHz"/> and
    /// <paramref name="hiHz"/>, each FFT bin credited to its nearest equal-tempered note.
    /// </summary>
    public static double[] Chroma(ReadOnlySpan<float> samples, int sampleRate, double loHz = 90, double hiHz = 2000)
    {
        double[] power = Power(samples);
        double binHz = (double)sampleRate / samples.Length;
        var chroma = new double[12];
        for (int k = 1; k < power.Length; k++)
        {
            double hz = k * binHz;
            if (hz < loHz || hz >= hiHz) continue;
            int midi = (int)Math.Round(69 + 12 * Math.Log2(hz / 440));
            chroma[((midi % 12) + 12) % 12] += power[k];
        }
        return chroma;
    }
}
