using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The real DFT of rectangular, non-overlapping frames of N samples, packed into exactly N
/// features: [Re X_0, Re X_{N/2}, Re X_1, Im X_1, …, Re X_{N/2-1}, Im X_{N/2-1}]. For real
/// input Im X_0 and Im X_{N/2} are always zero, so nothing is lost and nothing is redundant.
/// This is the default codec (DESIGN.md §2).
/// </summary>
public sealed class RfftCodec : IFrameCodec
{
    /// <param name="frameLength">N, an even number of samples (see <see cref="CodecFactory.Create(string, int)"/>).</param>
    public RfftCodec(int frameLength)
    {
        CodecFactory.CheckFrameLength(frameLength);
        FrameLength = frameLength;
    }

    public string Name => "rfft";

    public bool IsExact => true;

    public int FrameLength { get; }

    public int Hop => FrameLength;

    public int FeatureCount => FrameLength;

    private int Half => FrameLength / 2;

    public int FrameCount(int sampleCount) => BlockFraming.CeilFrames(sampleCount, FrameLength);

    public Tensor Encode(ReadOnlySpan<float> samples)
    {
        var frames = FrameCount(samples.Length);
        using var scope = NewDisposeScope();
        if (frames == 0)   // MKL's FFT refuses an empty batch
            return zeros(0, FeatureCount, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
        var x = BlockFraming.Blocks(samples, frames, FrameLength).to_type(ScalarType.Float64);
        var spectrum = view_as_real(fft.rfft(x, dim: 1));               // [frames, N/2+1, (Re, Im)]
        // Bins 1..N/2-1 keep their (Re, Im) pairs side by side: [frames, N/2-1, 2] → [frames, N-2].
        var pairs = spectrum.narrow(1, 1, Half - 1).reshape(frames, FrameLength - 2);
        var dc = spectrum.narrow(1, 0, 1).select(2, 0);                   // Re X_0: [frames, 1]
        var nyquist = spectrum.narrow(1, Half, 1).select(2, 0);           // Re X_{N/2}: [frames, 1]
        return cat(new[] { dc, nyquist, pairs }, dim: 1)                  // [frames, N]
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
        var count = y.shape[0];
        var zero = zeros(count, 1, dtype: ScalarType.Float64);
        // Back to [frames, N/2+1, (Re, Im)], with the imaginary parts of DC and Nyquist zero.
        var dc = stack(new[] { y.narrow(1, 0, 1), zero }, dim: 2);        // [frames, 1, 2]
        var nyquist = stack(new[] { y.narrow(1, 1, 1), zero }, dim: 2);   // [frames, 1, 2]
        var pairs = y.narrow(1, 2, FrameLength - 2).reshape(count, Half - 1, 2);
        var spectrum = view_as_complex(cat(new[] { dc, pairs, nyquist }, dim: 1));   // [frames, N/2+1] complex128
        // irfft with n = N: the Nyquist bin is taken as real, exactly as the packing assumes.
        return BlockFraming.ToSamples(fft.irfft(spectrum, n: FrameLength, dim: 1));
    }
}
