using System.Buffers.Binary;

namespace MusicRnn.Audio;

/// <summary>
/// Writes mono WAV files, and owns what a format cannot hold. 16-bit samples are clipped to
/// [-1, 1] (the essay's code let int16 output wrap around, turning every overshoot into a
/// full-scale click, and that must not happen here) and the clipped ones counted. 32-bit float
/// keeps every finite value, beyond ±1 too: loud masters and MP3 decoders exceed full scale, and
/// clipping them would turn an exact round trip into a 49 dB one. Only ±∞, which no reader
/// accepts, become ±1 (and count as clipped). A NaN is an error in both.
/// </summary>
internal static class WavWriter
{
    private const int BlockSamples = 65536;

    /// <summary>Writes the file; returns how many samples were clipped (see the class remarks).</summary>
    public static long Write(string path, ReadOnlySpan<float> mono, int sampleRate, SampleFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        int bytesPerSample = format switch
        {
            SampleFormat.S16 => 2,
            SampleFormat.F32 => 4,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown sample format"),
        };
        long dataBytes = (long)mono.Length * bytesPerSample;
        // Float files carry an 18-byte fmt chunk and a fact chunk, as the WAVE spec asks of non-PCM data.
        int headerBytes = format == SampleFormat.S16 ? 44 : 58;
        if (dataBytes + headerBytes - 8 > uint.MaxValue)
            throw new ArgumentException($"{mono.Length} samples do not fit in a WAV file (4 GiB limit)", nameof(mono));

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        file.Write(Header(format, sampleRate, mono.Length, dataBytes, headerBytes));

        var block = new byte[BlockSamples * bytesPerSample];
        long clipped = 0;
        for (int start = 0; start < mono.Length; start += BlockSamples)
        {
            var chunk = mono.Slice(start, Math.Min(BlockSamples, mono.Length - start));
            var bytes = block.AsSpan(0, chunk.Length * bytesPerSample);
            for (int i = 0; i < chunk.Length; i++)
            {
                float x = Limit(chunk[i], start + i, format, ref clipped);
                if (format == SampleFormat.S16)
                    BinaryPrimitives.WriteInt16LittleEndian(bytes[(2 * i)..], ToInt16(x));
                else
                    BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], x);
            }
            file.Write(bytes);
        }
        return clipped;
    }

    /// <summary>
    /// Scales by 32768 to match the reader (sample / 32768), so every 16-bit value survives a round trip;
    /// +1.0 itself lands one step below full scale, at 32767.
    /// </summary>
    internal static short ToInt16(float x) => (short)Math.Clamp(MathF.Round(x * 32768f), -32768f, 32767f);

    /// <summary>
    /// What a file of <paramref name="format"/> holds for <paramref name="x"/>: s16 clips to [-1, 1],
    /// f32 keeps finite values and turns ±∞ into ±1; <paramref name="clipped"/> counts each change.
    /// A NaN has no sensible clipped value, and silently writing silence would hide a diverged model.
    /// </summary>
    internal static float Limit(float x, long index, SampleFormat format, ref long clipped)
    {
        if (float.IsNaN(x)) throw new ArgumentException($"sample {index} is NaN", "mono");
        if (format == SampleFormat.F32 ? float.IsFinite(x) : x is >= -1f and <= 1f) return x;
        clipped++;
        return Math.Clamp(x, -1f, 1f);
    }

    internal static byte[] Header(SampleFormat format, int sampleRate, int frames, long dataBytes, int headerBytes)
    {
        bool isFloat = format == SampleFormat.F32;
        int bytesPerSample = isFloat ? 4 : 2;
        var h = new byte[headerBytes];
        var s = h.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(dataBytes + headerBytes - 8));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], isFloat ? 18u : 16u);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], (ushort)(isFloat ? 3 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], 1); // mono
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)((long)sampleRate * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], (ushort)bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], (ushort)(8 * bytesPerSample));
        int at = 36;
        if (isFloat)
        {
            // cbSize = 0 ends the fmt chunk; the fact chunk records the frame count.
            at = 38;
            "fact"u8.CopyTo(s[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 8)..], (uint)frames);
            at += 12;
        }
        "data"u8.CopyTo(s[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], (uint)dataBytes);
        return h;
    }
}
