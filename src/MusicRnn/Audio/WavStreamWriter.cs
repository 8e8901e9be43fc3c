using System.Buffers.Binary;

namespace MusicRnn.Audio;

/// <summary>
/// Writes a mono WAV file piece by piece, for output too long to hold whole (generation of any
/// length). The header goes out first with zero sizes and is patched when the writer is
/// disposed, so a file is complete once <see cref="Dispose"/> returns. Samples are clipped to
/// [-1, 1] and converted exactly as <see cref="AudioFile.WriteWav"/> does, so streamed and
/// one-shot files of the same samples are byte-identical.
/// </summary>
public sealed class WavStreamWriter : IDisposable
{
    private const int PcmHeaderBytes = 44;
    // Float data carries an 18-byte fmt chunk and a fact chunk, as the WAVE spec asks of non-PCM data.
    private const int FloatHeaderBytes = 58;

    private readonly FileStream file;
    private readonly SampleFormat format;
    private readonly int bytesPerSample;
    private readonly int headerBytes;
    private byte[] buffer = [];
    private bool disposed;

    /// <summary>Creates (or replaces) <paramref name="path"/> and writes a provisional header.</summary>
    public WavStreamWriter(string path, int sampleRate, SampleFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        (bytesPerSample, headerBytes) = format switch
        {
            SampleFormat.S16 => (2, PcmHeaderBytes),
            SampleFormat.F32 => (4, FloatHeaderBytes),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown sample format"),
        };
        this.format = format;
        SampleRate = sampleRate;
        file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        file.Write(Header(0));
    }

    /// <summary>Samples per second written in the header.</summary>
    public int SampleRate { get; }

    /// <summary>Samples written so far.</summary>
    public long SamplesWritten { get; private set; }

    /// <summary>Appends samples, clipped to [-1, 1].</summary>
    /// <exception cref="ArgumentException">A sample is NaN (a diverged model must not pass as silence), or the file would pass 4 GiB.</exception>
    public void Write(ReadOnlySpan<float> samples)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if ((SamplesWritten + samples.Length) * bytesPerSample + headerBytes - 8 > uint.MaxValue)
            throw new ArgumentException($"{SamplesWritten + samples.Length} samples do not fit in a WAV file (4 GiB limit)", nameof(samples));
        var size = samples.Length * bytesPerSample;
        if (buffer.Length < size) buffer = new byte[size];
        var bytes = buffer.AsSpan(0, size);
        for (var i = 0; i < samples.Length; i++)
        {
            var x = samples[i];
            if (float.IsNaN(x)) throw new ArgumentException($"sample {SamplesWritten + i} is NaN", nameof(samples));
            x = Math.Clamp(x, -1f, 1f);
            if (format == SampleFormat.S16)
                BinaryPrimitives.WriteInt16LittleEndian(bytes[(2 * i)..], WavWriter.ToInt16(x));
            else
                BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], x);
        }
        file.Write(bytes);
        SamplesWritten += samples.Length;
    }

    /// <summary>Patches the sizes into the header and closes the file.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            file.Position = 0;
            file.Write(Header(SamplesWritten));
            file.Flush();
        }
        finally
        {
            file.Dispose();
        }
    }

    private byte[] Header(long samples)
    {
        var isFloat = format == SampleFormat.F32;
        var dataBytes = samples * bytesPerSample;
        var h = new byte[headerBytes];
        var s = h.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(dataBytes + headerBytes - 8));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], isFloat ? 18u : 16u);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], (ushort)(isFloat ? 3 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], 1);   // mono
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)((long)SampleRate * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], (ushort)bytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], (ushort)(8 * bytesPerSample));
        var at = 36;
        if (isFloat)
        {
            // cbSize = 0 ends the fmt chunk; the fact chunk records the sample count.
            at = 38;
            "fact"u8.CopyTo(s[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 8)..], (uint)samples);
            at += 12;
        }
        "data"u8.CopyTo(s[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], (uint)dataBytes);
        return h;
    }
}
