namespace MusicRnn.Codecs;

/// <summary>
/// <see cref="FrameCodecExtensions.RoundTrip"/> for a signal that arrives in blocks (transcoding
/// an hour of audio): it encodes and decodes a few hundred frames at a time and hands back each
/// stretch of original and restored samples, holding only one stretch and its context.
/// </summary>
/// <remarks>
/// A stretch [s, s + B) (s and B whole hops) is round-tripped together with one hop of real
/// signal on each side, and only its middle is kept. That is exact for every codec here: frames
/// stay on the whole-signal grid (the context starts at a hop boundary), the non-overlapping codecs
/// (fft, rfft, raw) need no context at all, and an MDCT output sample depends on the two frames
/// covering it, which span at most one hop beyond the stretch on either side. At the signal's
/// ends the codec pads with zeros exactly as it does for the whole signal.
///
/// An <see cref="IStreamingCodec"/> (stft, mel) has no such locality: Griffin-Lim rebuilds the phase
/// of a window of frames together. Its signal goes instead through the codec's encoding stream into
/// its decoding stream, which give exactly what a whole-signal round trip gives; the original
/// samples wait here until their decoded counterparts come out (the decoder's window, a few seconds),
/// and the decoded padding past the signal's end is dropped.
/// </remarks>
public sealed class StreamingRoundTrip
{
    private readonly IFrameCodec _codec;
    private readonly int _stretch;   // B: samples kept per round trip, a whole number of hops
    private readonly int _context;   // C: one hop of signal on each side
    private float[] _buffer;
    private long _bufferStart;        // index in the whole signal of _buffer[0]
    private int _count;
    private long _next;               // s: start of the next stretch to round-trip
    private bool _finished;
    private readonly IEncodingStream? _encoder;   // for an IStreamingCodec
    private readonly IDecodingStream? _decoder;
    private long _delivered;                      // original samples pushed, for an IStreamingCodec

    /// <param name="codec">The codec to send the signal through.</param>
    /// <param name="framesPerStretch">Frames round-tripped at a time (memory grows with it; the result does not change).</param>
    public StreamingRoundTrip(IFrameCodec codec, int framesPerStretch)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(framesPerStretch);
        _codec = codec;
        _stretch = checked(framesPerStretch * codec.Hop);
        _context = codec.Hop;
        _buffer = new float[_stretch + (2 * _context)];
        if (codec is IStreamingCodec streaming)
        {
            _encoder = streaming.StartEncoding();
            _decoder = streaming.StartDecoding();
        }
    }

    /// <summary>Samples handed out so far.</summary>
    public long Done => _next;

    /// <summary>
    /// Adds the next samples; each completed stretch goes to <paramref name="take"/> as (original,
    /// restored), both the same length (spans reused after it returns).
    /// </summary>
    public void Push(ReadOnlySpan<float> block, StretchAction take)
    {
        if (_finished) throw new InvalidOperationException("the stream is finished");
        if (_encoder is not null)
        {
            _delivered += block.Length;
            // Originals wait in the buffer for the decoder's delay; it grows only to that delay.
            Hold(block);
            using var frames = _encoder.Push(block);
            Pair(_decoder!.Push(frames), take);
            return;
        }
        while (!block.IsEmpty)
        {
            int room = _buffer.Length - _count;
            if (room == 0) throw new InvalidOperationException("stretch buffer full");
            var part = block[..Math.Min(room, block.Length)];
            part.CopyTo(_buffer.AsSpan(_count));
            _count += part.Length;
            block = block[part.Length..];
            while (_bufferStart + _count >= _next + _stretch + _context)
                RoundTrip(_stretch, _next + _stretch + _context, take);
        }
    }

    /// <summary>Ends the signal and round-trips what is left.</summary>
    public void Finish(StretchAction take)
    {
        if (_finished) return;
        _finished = true;
        if (_encoder is not null)
        {
            using (var frames = _encoder.Finish())
                Pair(_decoder!.Push(frames), take);
            Pair(_decoder!.Finish(), take);
            return;
        }
        long end = _bufferStart + _count;
        while (_next < end)
            RoundTrip((int)Math.Min(_stretch, end - _next), Math.Min(end, _next + _stretch + _context), take);
    }

    /// <summary>Receives one stretch: the samples as given and as the codec gave them back.</summary>
    public delegate void StretchAction(ReadOnlySpan<float> original, ReadOnlySpan<float> restored);

    private void Hold(ReadOnlySpan<float> block)
    {
        if (_count + block.Length > _buffer.Length)
        {
            var grown = new float[Math.Max(_count + block.Length, 2 * _buffer.Length)];
            _buffer.AsSpan(0, _count).CopyTo(grown);
            _buffer = grown;
        }
        block.CopyTo(_buffer.AsSpan(_count));
        _count += block.Length;
    }

    /// <summary>Hands out decoded samples with the originals they restore, dropping what lies past the signal's end.</summary>
    private void Pair(float[] restored, StretchAction take)
    {
        var length = (int)Math.Min(restored.Length, _delivered - _next);
        if (length <= 0) return;
        take(_buffer.AsSpan(0, length), restored.AsSpan(0, length));
        _next += length;
        _buffer.AsSpan(length, _count - length).CopyTo(_buffer);
        _count -= length;
        _bufferStart += length;
    }

    private void RoundTrip(int length, long end, StretchAction take)
    {
        long start = Math.Max(0, _next - _context);
        var window = _buffer.AsSpan((int)(start - _bufferStart), (int)(end - start));
        float[] restored = _codec.RoundTrip(window);
        int at = (int)(_next - start);
        take(_buffer.AsSpan((int)(_next - _bufferStart), length), restored.AsSpan(at, length));
        _next += length;

        // Keep only what the next stretch needs: its context hop and on.
        int drop = (int)Math.Clamp(Math.Max(0, _next - _context) - _bufferStart, 0, _count);
        _buffer.AsSpan(drop, _count - drop).CopyTo(_buffer);
        _count -= drop;
        _bufferStart += drop;
    }
}
