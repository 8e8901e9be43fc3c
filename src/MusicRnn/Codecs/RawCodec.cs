using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The samples themselves as features: frames of N consecutive samples, hop N, the last frame
/// zero-padded. The baseline that shows what the spectral codecs add.
/// </summary>
public sealed class RawCodec : IFrameCodec
{
    /// <param name="frameLength">N, an even number of samples (see <see cref="CodecFactory.Create(string, int)"/>).</param>
    public RawCodec(int frameLength)
    {
        CodecFactory.CheckFrameLength(frameLength);
        FrameLength = frameLength;
    }

    public string Name => "raw";

    public bool IsExact => true;

    public int FrameLength { get; }

    public int Hop => FrameLength;

    public int FeatureCount => FrameLength;

    public int FrameCount(int sampleCount) => BlockFraming.CeilFrames(sampleCount, FrameLength);

    public Tensor Encode(ReadOnlySpan<float> samples)
    {
        var frames = FrameCount(samples.Length);
        using var scope = NewDisposeScope();
        return BlockFraming.Blocks(samples, frames, FrameLength).MoveToOuterDisposeScope();
    }

    public float[] Decode(Tensor frames)
    {
        BlockFraming.CheckFrames(frames, FeatureCount, Name);
        return BlockFraming.ToSamples(frames);
    }
}
