using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// How close the magnitude spectrogram of a round trip is to the original's: what an inexact codec
/// (stft, mel) is judged by instead of an SNR, since a rebuilt phase makes the waveforms differ even
/// when they sound alike. Accumulated over a signal that arrives in blocks, holding one batch of
/// frames (docs/ARCHITECTURE.md, "Codecs").
/// </summary>
/// <remarks>
/// Both signals are framed alike by a periodic Hann window of <see cref="FrameLength"/> = 1024
/// samples every <see cref="Hop"/> = 256 (whatever the codec's own sizes, so the figures compare
/// across codecs): frame j covers samples [256 j, 256 j + 1024), for every j with 256 j below the
/// signal's length, zero-padded past its end. S and Ŝ are the magnitudes |rfft| of the original's
/// and the round trip's frames, in float64.
///
/// Spectral convergence: SC = ‖|S| − |Ŝ|‖_F / ‖|S|‖_F over all frames and bins: 0 for an exact copy
/// (and for two silences), 1 when the round trip lost everything, +∞ when it added sound to silence.
///
/// Log-spectral distance: per frame, LSD_j = sqrt(mean_k (20 log10((|S_jk| + δ)/(|Ŝ_jk| + δ)))²) over
/// the 513 bins, then the mean over frames, in dB. δ = 10⁻⁵ · 1024/4: −100 dB below a full-scale
/// sine's bin, the floor of <see cref="SpectralCodec.Epsilon"/> at this frame length, so bins far
/// below audibility (and digital silence against dither) cannot dominate the distance.
/// </remarks>
public sealed class SpectralDistanceMeter
{
    /// <summary>Frame length of the measuring STFT.</summary>
    public const int FrameLength = 1024;

    /// <summary>Hop of the measuring STFT.</summary>
    public const int Hop = 256;

    /// <summary>δ of the log-spectral distance, in |X| of the measuring STFT.</summary>
    public const double Delta = 1e-5 * FrameLength / 4;

    private readonly SlidingFrames _original = new(FrameLength, Hop, 0);
    private readonly SlidingFrames _restored = new(FrameLength, Hop, 0);
    private readonly Queue<Tensor> _waiting = new();   // magnitudes of original frames whose restored frames have not come yet (one block's worth)
    private readonly double[] _window = Enumerable.Range(0, FrameLength).Select(n => 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / FrameLength))).ToArray();
    private double _difference;   // Σ (|S| − |Ŝ|)²
    private double _energy;       // Σ |S|²
    private double _distance;     // Σ_j LSD_j
    private bool _finished;

    /// <summary>Samples compared so far.</summary>
    public long Count { get; private set; }

    /// <summary>Frames measured so far.</summary>
    public long Frames { get; private set; }

    /// <summary>Spectral convergence of the frames measured so far (see remarks).</summary>
    public double SpectralConvergence =>
        _energy > 0 ? Math.Sqrt(_difference / _energy) : _difference == 0 ? 0 : double.PositiveInfinity;

    /// <summary>Mean log-spectral distance of the frames measured so far, in dB (0 before any frame).</summary>
    public double LogSpectralDistanceDb => Frames == 0 ? 0 : _distance / Frames;

    /// <summary>Adds the next block of original samples and the samples that came back for them.</summary>
    public void Add(ReadOnlySpan<float> original, ReadOnlySpan<float> restored)
    {
        if (original.Length != restored.Length)
            throw new ArgumentException($"the blocks differ in length: {original.Length} and {restored.Length} samples", nameof(restored));
        if (_finished) throw new InvalidOperationException("the meter is finished");
        Count += original.Length;
        _original.Push(original, Wait);
        _restored.Push(restored, Measure);
    }

    /// <summary>Measures the frames that reach past the last sample (zero-padded); the figures are final after it.</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        var frames = Count == 0 ? 0 : ((Count - 1) / Hop) + 1;
        _original.Finish(frames, Wait);
        _restored.Finish(frames, Measure);
    }

    private void Wait(Tensor frames) => _waiting.Enqueue(Magnitudes(frames).DetachFromDisposeScope());

    private void Measure(Tensor frames)
    {
        using var scope = NewDisposeScope();
        using var delta = Delta.ToScalar();
        using var one = 1.0.ToScalar();
        using var twenty = 20.0.ToScalar();
        var restored = Magnitudes(frames);
        // Both framers see the same lengths at the same moments, so their batches match one for one.
        using var original = _waiting.Dequeue();
        var difference = original - restored;
        _difference += difference.mul(difference).sum().item<double>();
        _energy += original.mul(original).sum().item<double>();
        var ratio = original.add(delta, one).div(restored.add(delta, one)).log10_().mul_(twenty);
        _distance += ratio.mul(ratio).mean(new long[] { 1 }).sqrt_().sum().item<double>();
        Frames += frames.shape[0];
    }

    private Tensor Magnitudes(Tensor frames)
    {
        using var scope = NewDisposeScope();
        return fft.rfft(frames.mul(tensor(_window)), dim: 1).abs().MoveToOuterDisposeScope();
    }
}
