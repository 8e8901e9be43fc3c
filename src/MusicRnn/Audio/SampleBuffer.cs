namespace MusicRnn.Audio;

/// <summary>
/// A growing array of samples for one decoded signal. It starts at the decoder's length
/// estimate, which is exact for WAV, so the usual case allocates once and returns the array
/// itself without a copy.
/// </summary>
internal sealed class SampleBuffer(int capacity)
{
    private float[] _data = new float[capacity];
    private int _count;

    /// <summary>Appends channel <paramref name="channel"/> of <paramref name="frames"/> interleaved frames.</summary>
    public void AppendStrided(float[] interleaved, int channel, int channels, int frames)
    {
        var dst = Reserve(frames);
        for (int i = 0; i < frames; i++)
            dst[i] = interleaved[(i * channels) + channel];
    }

    /// <summary>Appends the mean over channels of <paramref name="frames"/> interleaved frames.</summary>
    public void AppendMean(float[] interleaved, int channels, int frames)
    {
        var dst = Reserve(frames);
        for (int i = 0; i < frames; i++)
        {
            // Summed in channel order and then divided, exactly as Mixdown.ToMono does, so both agree bit for bit.
            float sum = 0;
            for (int c = 0; c < channels; c++)
                sum += interleaved[(i * channels) + c];
            dst[i] = sum / channels;
        }
    }

    public float[] ToArray() => _count == _data.Length ? _data : _data[.._count];

    private Span<float> Reserve(int n)
    {
        if (_count + (long)n > Array.MaxLength)
            throw new InvalidDataException("decoded audio is too long to hold in memory");
        if (_count + n > _data.Length)
            Array.Resize(ref _data, (int)Math.Min(Array.MaxLength, Math.Max(_count + (long)n, 2L * _data.Length)));
        var span = _data.AsSpan(_count, n);
        _count += n;
        return span;
    }
}
