using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The bookkeeping every codec shares: laying samples out, zero-padded, in a tensor, checking
/// frame tensors, and bringing decoded samples back to managed memory.
/// </summary>
internal static class BlockFraming
{
    /// <summary>Non-overlapping frames of <paramref name="frameLength"/> needed to hold every sample.</summary>
    public static int CeilFrames(int sampleCount, int frameLength) =>
        sampleCount <= 0 ? 0 : checked((int)(((long)sampleCount + frameLength - 1) / frameLength));

    /// <summary>
    /// The samples placed at <paramref name="leadingZeros"/> inside a zero signal of
    /// <paramref name="totalLength"/>, as a 1-D float32 tensor on the CPU.
    /// </summary>
    public static Tensor Padded(ReadOnlySpan<float> samples, int leadingZeros, long totalLength)
    {
        if (leadingZeros < 0 || leadingZeros + (long)samples.Length > totalLength)
            throw new ArgumentOutOfRangeException(nameof(totalLength), "the padded signal must hold every sample");
        var padded = new float[checked((int)totalLength)];
        samples.CopyTo(padded.AsSpan(leadingZeros));
        return torch.tensor(padded, new long[] { totalLength });
    }

    /// <summary>
    /// Rectangular, non-overlapping frames: the samples zero-padded to a whole number of
    /// frames and cut into rows, [<paramref name="frames"/>, <paramref name="frameLength"/>] float32.
    /// </summary>
    public static Tensor Blocks(ReadOnlySpan<float> samples, int frames, int frameLength) =>
        // [frames·N] → [frames, N]: frame f is samples f·N .. f·N+N-1.
        Padded(samples, 0, (long)frames * frameLength).reshape(frames, frameLength);

    /// <summary>Checks that <paramref name="frames"/> is [frames, <paramref name="featureCount"/>] for <paramref name="codec"/>.</summary>
    public static void CheckFrames(Tensor frames, int featureCount, string codec)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.ndim != 2 || frames.shape[1] != featureCount)
            throw new ArgumentException(
                $"the {codec} codec decodes [frames, {featureCount}] tensors, not [{string.Join(", ", frames.shape)}]",
                nameof(frames));
    }

    /// <summary>A 1-D tensor of samples (any device, any real dtype) as a managed float32 array.</summary>
    public static float[] ToSamples(Tensor signal)
    {
        using var scope = torch.NewDisposeScope();
        return signal.detach().reshape(-1).to(ScalarType.Float32, CPU).contiguous().data<float>().ToArray();
    }
}
