namespace MusicRnn.Audio;

/// <summary>
/// One open file being decoded block by block. Every format (WAV, MP3, Ogg Vorbis) hands out
/// interleaved float frames through this one shape, so mixing down, collecting channels and
/// checking for non-finite samples are written once, in <see cref="AudioFile"/>.
/// </summary>
internal abstract class AudioDecoder : IDisposable
{
    /// <summary>The file's description from its headers (FramesPerChannel may be an estimate for compressed formats).</summary>
    public abstract AudioInfo Info { get; }

    /// <summary>
    /// Decodes up to <c>interleaved.Length / Channels</c> whole frames into <paramref name="interleaved"/>
    /// ([frame * Channels + channel]) and returns how many frames were written; 0 means the end.
    /// </summary>
    public abstract int ReadFrames(Span<float> interleaved);

    public abstract void Dispose();
}
