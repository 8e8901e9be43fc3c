namespace MusicRnn.Audio;

/// <summary>How <see cref="AudioFile.WriteWav"/> stores samples.</summary>
public enum SampleFormat
{
    /// <summary>16-bit signed PCM, the format every player reads.</summary>
    S16,

    /// <summary>32-bit IEEE float: no quantisation noise, twice the size.</summary>
    F32,
}

/// <summary>
/// What a file holds, as read from its headers: enough to decide whether and how to decode it.
/// </summary>
/// <param name="Path">The file, as the caller named it (so messages match what the user typed).</param>
/// <param name="Container">"WAV", "MP3" or "Ogg Vorbis".</param>
/// <param name="Encoding">How samples are stored inside, e.g. "PCM 16-bit", "IEEE float 32-bit", "MPEG-1 Layer III", "Vorbis".</param>
/// <param name="SampleRate">Frames per second, per channel.</param>
/// <param name="Channels">Interleaved channels per frame.</param>
/// <param name="FramesPerChannel">
/// Samples per channel. Exact for WAV and Ogg Vorbis. For MP3 it is counted from the frame headers
/// and, when present, the LAME tag's delay and padding, which is what the decoder outputs; files
/// without that tag keep the encoder's delay and padding (up to about two frames of extra samples).
/// </param>
public sealed record AudioInfo(string Path, string Container, string Encoding, int SampleRate, int Channels, long FramesPerChannel)
{
    /// <summary>Duration in seconds.</summary>
    public double Seconds => SampleRate > 0 ? (double)FramesPerChannel / SampleRate : 0;
}

/// <summary>A whole decoded file at its own sample rate.</summary>
/// <param name="Info">The file's description; <see cref="AudioInfo.FramesPerChannel"/> is what was actually decoded.</param>
/// <param name="Channels">[channel][frame], nominally in [-1, 1] (float and lossy formats may overshoot a little).</param>
public sealed record DecodedAudio(AudioInfo Info, float[][] Channels);
