using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The essay's codec: rectangular, non-overlapping frames of N samples, each replaced by its
/// full complex DFT X_k = Σ_n x_n e^{-2πi kn/N}, laid out as [Re X_0..X_{N-1}, Im X_0..X_{N-1}]
/// (2N features, half of them redundant because X_{N-k} = conj X_k for real x).
/// Decoding keeps the real part of the inverse DFT, which also gives a sensible signal when a
/// model predicts frames that break that symmetry.
/// </summary>
public sealed class FftCodec : IFrameCodec
{
    /// <param name="frameLength">N, an even number of samples (see <see cref="CodecFactory.Create(string, int)"/>).</param>
    public FftCodec(int frameLength)
    {
        CodecFactory.CheckFrameLength(frameLength);
        FrameLength = frameLength;
    }

    public string Name => "fft";

    public bool IsExact => true;

    public int FrameLength { get; }

    public int Hop => FrameLength;

    public int FeatureCount => 2 * FrameLength;

    public int FrameCount(int sampleCount) => BlockFraming.CeilFrames(sampleCount, FrameLength);

    public Tensor Encode(ReadOnlySpan<float> samples)
    {
        var frames = FrameCount(samples.Length);
        using var scope = NewDisposeScope();
        if (frames == 0)   // MKL's FFT refuses an empty batch
            return zeros(0, FeatureCount, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
        // Float64 inside: the transform of a 2048-sample frame sums 2048 products, and the
        // rounding should come only from the final float32 features.
        var x = BlockFraming.Blocks(samples, frames, FrameLength).to_type(ScalarType.Float64);
        var spectrum = fft.fft_(x, dim: 1);                            // [frames, N] complex128
        return cat(new[] { spectrum.real, spectrum.imag }, dim: 1)     // [frames, 2N]
            .to_type(ScalarType.Float32)
            .MoveToOuterDisposeScope();
    }

    public float[] Decode(Tensor frames)
    {
        BlockFraming.CheckFrames(frames, FeatureCount, Name);
        if (frames.shape[0] == 0)
            return [];
        using var scope = NewDisposeScope();
        var y = frames.detach().to(ScalarType.Float64, CPU);
        var spectrum = complex(y.narrow(1, 0, FrameLength), y.narrow(1, FrameLength, FrameLength));
        return BlockFraming.ToSamples(fft.ifft(spectrum, dim: 1).real);  // [frames, N] → frames·N
    }
}
