namespace MusicRnn.Audio;

/// <summary>Turns several channels into one.</summary>
public static class Mixdown
{
    /// <summary>
    /// The mean of the channels, sample by sample. The mean (not the sum) keeps a mono signal
    /// duplicated on every channel unchanged and can never leave [-1, 1] when the inputs do not.
    /// </summary>
    /// <param name="channels">[channel][frame]; at least one channel, all of equal length.</param>
    /// <returns>[frame].</returns>
    public static float[] ToMono(float[][] channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length == 0)
            throw new ArgumentException("at least one channel is needed", nameof(channels));
        int frames = channels[0].Length;
        if (channels.Any(c => c.Length != frames))
            throw new ArgumentException("all channels must have the same length", nameof(channels));
        if (channels.Length == 1)
            return (float[])channels[0].Clone();

        var mono = new float[frames];
        for (int i = 0; i < frames; i++)
        {
            // Summed in channel order and then divided, exactly as AudioFile.ReadMono mixes while decoding.
            float sum = 0;
            for (int c = 0; c < channels.Length; c++)
                sum += channels[c][i];
            mono[i] = sum / channels.Length;
        }
        return mono;
    }
}
