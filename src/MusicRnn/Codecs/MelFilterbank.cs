using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// Triangular mel filters over the N/2 + 1 bins of an N-sample real FFT: the filterbank of the
/// <c>mel</c> codec and of every measurement made on log-mel frames (tempo, timbre, novelty).
/// </summary>
/// <remarks>
/// Mel scale: Slaney's (the Auditory Toolbox's, librosa's default), linear below 1 kHz and
/// logarithmic above: m(f) = 3f/200 for f &lt; 1000 Hz, m(f) = 15 + 27·ln(f/1000)/ln 6.4 above,
/// so 1 kHz is 15 mel and every doubling above it adds 27/ln 6.4 · ln 2 ≈ 10.1 mel.
/// Filters: B + 2 points equally spaced in mel from <c>fmin</c> to <c>fmax</c>; filter b rises
/// linearly from point b to point b + 1 and falls to point b + 2, evaluated at each bin's
/// frequency k·rate/N. Normalisation: Slaney's "area" rule, each triangle scaled by
/// 2/(f_{b+2} − f_b), so a flat spectrum gives every band about the same energy whatever its
/// width. The weights are float64 managed arrays, so a filterbank needs no disposal and
/// survives any dispose scope; <see cref="ToTensor"/> makes the tensor a computation needs.
/// </remarks>
public sealed class MelFilterbank
{
    private readonly double[] weights;   // [bands, bins], row-major

    /// <param name="bands">B, the number of mel bands.</param>
    /// <param name="frameLength">N, the FFT length; the filters cover its N/2 + 1 bins.</param>
    /// <param name="sampleRate">Rate of the audio in Hz.</param>
    /// <param name="minHz">Lowest frequency of the first filter's rise.</param>
    /// <param name="maxHz">Highest frequency of the last filter's fall; null means rate/2.</param>
    public MelFilterbank(int bands, int frameLength, int sampleRate, double minHz = 0, double? maxHz = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameLength, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var top = maxHz ?? sampleRate / 2.0;
        if (!(minHz >= 0 && minHz < top)) throw new ArgumentOutOfRangeException(nameof(minHz), $"expected 0 ≤ min < max Hz, got {minHz} and {top}");
        Bands = bands;
        Bins = frameLength / 2 + 1;
        var points = Points(bands, minHz, top);
        Centres = points[1..^1];

        weights = new double[bands * Bins];
        for (var b = 0; b < bands; b++)
        {
            var (left, centre, right) = (points[b], points[b + 1], points[b + 2]);
            var area = 2 / (right - left);
            for (var k = 0; k < Bins; k++)
            {
                var f = (double)k * sampleRate / frameLength;
                var rise = (f - left) / (centre - left);
                var fall = (right - f) / (right - centre);
                weights[(b * Bins) + k] = Math.Max(0, Math.Min(rise, fall)) * area;
            }
        }
    }

    /// <summary>B, the number of bands.</summary>
    public int Bands { get; }

    /// <summary>N/2 + 1, the FFT bins each filter spans.</summary>
    public int Bins { get; }

    /// <summary>The peak frequency of each filter in Hz, ascending.</summary>
    public IReadOnlyList<double> Centres { get; }

    /// <summary>The weight of bin <paramref name="bin"/> in band <paramref name="band"/>.</summary>
    public double this[int band, int bin] => weights[(band * Bins) + bin];

    /// <summary>The filters as a [bands, bins] tensor on the CPU; power or magnitude spectra [.., bins] map to bands by a product with its transpose.</summary>
    public Tensor ToTensor(ScalarType dtype = ScalarType.Float32) =>
        tensor(weights, new long[] { Bands, Bins }, dtype: ScalarType.Float64).to_type(dtype);

    /// <summary>
    /// The first band (0-based) whose triangle holds no bin frequency strictly inside it, so that all
    /// its weights are zero, or null when every band has a bin: too many bands for the FFT's
    /// resolution leave the narrow low bands empty.
    /// </summary>
    public static int? FirstEmptyBand(int bands, int frameLength, int sampleRate, double minHz = 0, double? maxHz = null)
    {
        var points = Points(bands, minHz, maxHz ?? sampleRate / 2.0);
        var binHz = (double)sampleRate / frameLength;
        for (var b = 0; b < bands; b++)
        {
            // The first bin above the left edge must fall before the right edge.
            var k = Math.Floor(points[b] / binHz) + 1;
            if (!(k * binHz < points[b + 2])) return b;
        }
        return null;
    }

    /// <summary>Slaney's mel value of <paramref name="hz"/>.</summary>
    public static double HzToMel(double hz) =>
        hz < BreakHz ? hz / LinearHzPerMel : BreakMel + (Math.Log(hz / BreakHz) / LogStep);

    /// <summary>The frequency in Hz of Slaney mel value <paramref name="mel"/>.</summary>
    public static double MelToHz(double mel) =>
        mel < BreakMel ? mel * LinearHzPerMel : BreakHz * Math.Exp(LogStep * (mel - BreakMel));

    /// <summary>The B + 2 edge and peak frequencies, equally spaced in mel from <paramref name="minHz"/> to <paramref name="maxHz"/>.</summary>
    private static double[] Points(int bands, double minHz, double maxHz)
    {
        var (low, high) = (HzToMel(minHz), HzToMel(maxHz));
        var points = new double[bands + 2];
        for (var i = 0; i < points.Length; i++) points[i] = MelToHz(low + ((high - low) * i / (bands + 1)));
        return points;
    }

    private const double BreakHz = 1000;
    private const double LinearHzPerMel = 200.0 / 3;
    private const double BreakMel = BreakHz / LinearHzPerMel;   // 15
    private static readonly double LogStep = Math.Log(6.4) / 27;
}
