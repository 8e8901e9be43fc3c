using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>Conveniences on top of the <see cref="IFrameCodec"/> length contract.</summary>
public static class FrameCodecExtensions
{
    /// <summary>
    /// Decodes frames [frames, FeatureCount] and keeps the first <paramref name="sampleCount"/>
    /// samples: what a song of that many samples was before <see cref="IFrameCodec.Encode"/> padded it.
    /// </summary>
    public static float[] Decode(this IFrameCodec codec, Tensor frames, int sampleCount)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var decoded = codec.Decode(frames);
        if (sampleCount < 0 || sampleCount > decoded.Length)
            throw new ArgumentOutOfRangeException(nameof(sampleCount),
                $"{frames.shape[0]} {codec.Name} frames hold {decoded.Length} samples, not {sampleCount}");
        return sampleCount == decoded.Length ? decoded : decoded.AsSpan(0, sampleCount).ToArray();
    }

    /// <summary>Encodes then decodes <paramref name="samples"/>, trimmed back to their length (for <c>transcode</c> and tests).</summary>
    public static float[] RoundTrip(this IFrameCodec codec, ReadOnlySpan<float> samples)
    {
        ArgumentNullException.ThrowIfNull(codec);
        using var frames = codec.Encode(samples);
        return codec.Decode(frames, samples.Length);
    }
}
