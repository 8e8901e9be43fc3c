using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// Decodes frames to samples chunk by chunk, giving exactly what one
/// <see cref="IFrameCodec.Decode"/> of all the frames would give, with memory bounded by a chunk.
/// </summary>
/// <remarks>
/// By the codec contract F frames decode to F hops of samples, and hop f depends on frame f and,
/// for the MDCT, on frame f + 1 as well (its first half overlaps hop f; TDAC needs both).
/// So hop f cannot be finished until frame f + 1 has arrived. The decoder therefore holds back the
/// last hop of every chunk, and decodes the next chunk together with the previous chunk's last frame:
/// that decode's first hop is the finished version of the held-back one. For codecs whose frames are
/// independent (fft, rfft, raw) the extra frame changes nothing but costs one frame of work per chunk,
/// which keeps this class free of per-codec knowledge. <see cref="Finish"/> releases the last hop as
/// a whole-sequence decode has it (for the MDCT, covered by one frame only).
///
/// A codec whose hops depend on more than the next frame (<c>stft</c> and <c>mel</c>, whose phase
/// Griffin-Lim rebuilds over a window of frames) is an <see cref="IStreamingCodec"/>: its own
/// decoding stream takes the chunks instead, with the same guarantee (what a whole-sequence decode
/// gives, memory bounded by its window; docs/ARCHITECTURE.md, "Codecs").
/// </remarks>
public sealed class StreamingDecoder
{
    private readonly IFrameCodec codec;
    private readonly Action<float[]> sink;
    private readonly IDecodingStream? stream;   // the codec's own, when it has one
    private float[]? previousFrame;   // the last frame pushed, [FeatureCount], on the CPU
    private float[]? heldBack;        // the last hop decoded, not yet final, [Hop]
    private bool finished;

    /// <param name="codec">The codec the frames are in.</param>
    /// <param name="sink">Receives each run of finished samples; the array is the sink's to keep.</param>
    public StreamingDecoder(IFrameCodec codec, Action<float[]> sink)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(sink);
        this.codec = codec;
        this.sink = sink;
        stream = (codec as IStreamingCodec)?.StartDecoding();
    }

    /// <summary>Samples sent to the sink so far.</summary>
    public long SamplesEmitted { get; private set; }

    /// <summary>Decodes a chunk of frames [chunk, FeatureCount] (codec space, any device; not disposed).</summary>
    public void Push(Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ObjectDisposedException.ThrowIf(finished, this);
        if (frames.ndim != 2 || frames.shape[1] != codec.FeatureCount)
            throw new ArgumentException($"expected frames [chunk, {codec.FeatureCount}], got [{string.Join(", ", frames.shape)}]", nameof(frames));
        var count = (int)frames.shape[0];
        if (count == 0) return;
        if (stream is not null)
        {
            var decoded = stream.Push(frames);
            if (decoded.Length > 0) Emit(decoded);
            return;
        }

        float[] samples;
        float[] last;
        using (NewDisposeScope())
        {
            var cpu = frames.to(ScalarType.Float32, CPU);
            // [1, F] ++ [chunk, F]: the previous frame completes the hop held back last time.
            var input = previousFrame is null ? cpu : cat(new[] { tensor(previousFrame, 1, codec.FeatureCount), cpu }, dim: 0);
            samples = codec.Decode(input);
            last = cpu[count - 1].contiguous().data<float>().ToArray();
        }
        previousFrame = last;

        var hop = codec.Hop;
        // The decode opens with the finished held-back hop when there was one; release everything
        // up to the last hop, which waits for the next chunk.
        var ready = samples.Length - hop;
        if (ready > 0) Emit(samples[..ready]);
        heldBack = samples[ready..];
    }

    /// <summary>Releases the held-back last hop; no frames may follow.</summary>
    public void Finish()
    {
        if (finished) return;
        finished = true;
        if (stream?.Finish() is { Length: > 0 } rest) Emit(rest);
        if (heldBack is { } tail) Emit(tail);
        heldBack = null;
    }

    private void Emit(float[] samples)
    {
        SamplesEmitted += samples.Length;
        sink(samples);
    }
}
