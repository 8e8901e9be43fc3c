using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// Cuts a signal that arrives in blocks into overlapping frames of N samples every H samples,
/// handing them out in batches as soon as they are complete, holding at most one batch of signal.
/// The spectral codecs' encoding stream and the spectral distance meter frame their input with it.
/// </summary>
/// <remarks>
/// Frame f covers samples [f·H, f·H + N) of the framed signal, which is <c>leadingZeros</c> zeros
/// followed by the samples pushed; <see cref="Finish"/> appends zeros until a requested number of
/// frames is complete. Batches hold at most <see cref="BatchFrames"/> frames, so a push of an hour of
/// audio costs the memory of one batch, not of the hour.
/// </remarks>
internal sealed class SlidingFrames
{
    private readonly int _frameLength;
    private readonly int _hop;
    private readonly float[] _buffer;   // samples [_bufferStart, _bufferStart + _count) of the framed signal
    private long _bufferStart;
    private int _count;
    private bool _finished;

    /// <param name="frameLength">N, samples per frame.</param>
    /// <param name="hop">H, samples between frame starts (at most N).</param>
    /// <param name="leadingZeros">Zeros put before the first sample pushed.</param>
    public SlidingFrames(int frameLength, int hop, int leadingZeros)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hop);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hop, frameLength);
        ArgumentOutOfRangeException.ThrowIfNegative(leadingZeros);
        _frameLength = frameLength;
        _hop = hop;
        BatchFrames = Math.Max(1, (1 << 20) / frameLength);
        _buffer = new float[Math.Max(frameLength + ((BatchFrames - 1) * hop), leadingZeros)];
        _count = leadingZeros;
    }

    /// <summary>Most frames in one batch: about a million samples of frames.</summary>
    public int BatchFrames { get; }

    /// <summary>Frames handed out so far.</summary>
    public long FramesTaken { get; private set; }

    /// <summary>Samples pushed so far (leading zeros not counted).</summary>
    public long SamplesPushed { get; private set; }

    /// <summary>Adds samples; each batch of complete frames goes to <paramref name="take"/> as [frames, N] float64 (disposed after it returns; what take makes stays in the caller's dispose scope).</summary>
    public void Push(ReadOnlySpan<float> samples, Action<Tensor> take)
    {
        if (_finished) throw new InvalidOperationException("the signal is finished");
        SamplesPushed += samples.Length;
        while (!samples.IsEmpty)
        {
            var part = samples[..Math.Min(_buffer.Length - _count, samples.Length)];
            part.CopyTo(_buffer.AsSpan(_count));
            _count += part.Length;
            samples = samples[part.Length..];
            TakeComplete(long.MaxValue, take);
        }
    }

    /// <summary>Pads with zeros until <paramref name="totalFrames"/> frames have been handed out, then ends.</summary>
    public void Finish(long totalFrames, Action<Tensor> take)
    {
        if (_finished) return;
        _finished = true;
        while (FramesTaken < totalFrames)
        {
            Array.Clear(_buffer, _count, _buffer.Length - _count);
            _count = _buffer.Length;
            var before = FramesTaken;
            TakeComplete(totalFrames, take);
            if (FramesTaken == before) throw new InvalidOperationException("no frame fits the buffer");
        }
    }

    private void TakeComplete(long limit, Action<Tensor> take)
    {
        // Frames whose whole span is buffered, at most one batch and at most up to the limit.
        long end = _bufferStart + _count;
        long available = end < _frameLength ? 0 : ((end - _frameLength) / _hop) + 1 - FramesTaken;
        int frames = (int)Math.Min(Math.Min(available, BatchFrames), limit - FramesTaken);
        if (frames > 0)
        {
            int offset = (int)((FramesTaken * _hop) - _bufferStart);
            int span = ((frames - 1) * _hop) + _frameLength;
            // Disposed here rather than by a scope, so that what take makes stays in the caller's scope.
            using var samples = tensor(_buffer.AsSpan(offset, span).ToArray(), new long[] { span });
            using var signal = samples.to_type(ScalarType.Float64);
            using var frameView = signal.unfold(0, _frameLength, _hop);   // [frames, N]
            take(frameView);
            FramesTaken += frames;
        }
        // Keep from the next frame's start on.
        int drop = (int)Math.Clamp((FramesTaken * _hop) - _bufferStart, 0, _count);
        _buffer.AsSpan(drop, _count - drop).CopyTo(_buffer);
        _count -= drop;
        _bufferStart += drop;
    }
}
