using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The <c>stft</c> codec: the log magnitudes log(|X_f(k)| + ε) of a Hann-windowed STFT, the N/2 + 1
/// bins of frames of N = <c>--frame</c> samples every H = <c>--hop</c> samples (N/4 by default), with
/// the layout, ε and decoding of <see cref="SpectralCodec"/> (docs/ARCHITECTURE.md, "Codecs").
/// </summary>
/// <remarks>
/// Why magnitudes of overlapping frames: the phase of non-overlapping frames is what no model can
/// predict, while log magnitudes of overlapping frames change slowly and are predictable from the
/// frames before them. Why the logarithm: loudness is heard on a log scale, and it turns the
/// magnitudes' huge dynamic range into features z-scoring handles. Decoding inverts the map exactly,
/// |X| = exp(feature) − ε (floored at 0), then rebuilds the phase; features are first limited to
/// the log magnitude of a +60 dBFS signal (1024 · N/2), so a model's wild prediction gives loud
/// but finite audio, while a NaN stays NaN for the caller to see.
/// </remarks>
public sealed class StftCodec : SpectralCodec
{
    /// <param name="frameLength">N.</param>
    /// <param name="hop">H, dividing N at least twice.</param>
    /// <param name="phaseIterations">Fast Griffin-Lim iterations when decoding.</param>
    public StftCodec(int frameLength, int hop, int phaseIterations = DefaultPhaseIterations)
        : base(frameLength, hop, phaseIterations)
    {
    }

    public override string Name => "stft";

    public override int FeatureCount => Bins;

    protected override Tensor ToFeatures(Tensor magnitudes)
    {
        using var epsilon = Epsilon.ToScalar();
        using var one = 1.0.ToScalar();
        return magnitudes.add(epsilon, one).log_();
    }

    protected internal override Tensor ToMagnitudes(Tensor features) =>
        AboveFloor(features, Epsilon, Math.Log(1024.0 * FrameLength / 2));
}
