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
    /// <param name="frameLength">N, an even number of samples (see <see cref="CodecFactory.Create"/>).</param>
    public RfftCodec(int frameLength)
    {
        CodecFactory.CheckFrameLength(frameLength);
        FrameLength = frameLength;
    }

    public string Name => "rfft";

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
        var x = BlockFraming.Padded(samples, 0, (long)frames * FrameLength)
            .reshape(frames, FrameLength)
            .to_type(ScalarType.Float64);
        var spectrum = fft.rfft(x, dim: 1);                            // [frames, N/2+1] complex128
        var re = spectrum.real;
        var im = spectrum.imag;
        // Bins 1..N/2-1 as (Re, Im) pairs: [frames, N/2-1, 2] → [frames, N-2].
        var pairs = stack(new[] { re.narrow(1, 1, Half - 1), im.narrow(1, 1, Half - 1) }, dim: 2)
            .reshape(frames, FrameLength - 2);
        return cat(new[] { re.narrow(1, 0, 1), re.narrow(1, Half, 1), pairs }, dim: 1)   // [frames, N]
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
        var pairs = y.narrow(1, 2, FrameLength - 2).reshape(count, Half - 1, 2);   // [frames, N/2-1, (Re, Im)]
        var zero = zeros(count, 1, dtype: ScalarType.Float64);
        var re = cat(new[] { y.narrow(1, 0, 1), pairs.select(2, 0), y.narrow(1, 1, 1) }, dim: 1);  // [frames, N/2+1]
        var im = cat(new[] { zero, pairs.select(2, 1), zero }, dim: 1);
        // irfft with n = N: the Nyquist bin is taken as real, exactly as the packing assumes.
        return BlockFraming.ToSamples(fft.irfft(complex(re, im), n: FrameLength, dim: 1));
    }
}
