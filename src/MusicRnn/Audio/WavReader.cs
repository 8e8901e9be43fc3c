using System.Buffers.Binary;
using System.Text;

namespace MusicRnn.Audio;

/// <summary>
/// Reads RIFF/WAVE files. The header is walked chunk by chunk (fmt and data in any order,
/// unknown chunks skipped, odd sizes padded) and checked against the real file length before
/// anything is allocated, so a damaged header gives a one-line message, never a huge array.
/// </summary>
internal static class WavReader
{
    private const ushort TagPcm = 1;
    private const ushort TagFloat = 3;
    private const ushort TagExtensible = 0xFFFE;

    // Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..1 hold the plain format tag.
    private static ReadOnlySpan<byte> SubformatGuidTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Where the samples are and how they are stored.</summary>
    /// <param name="Info">The description handed to callers.</param>
    /// <param name="IsFloat">IEEE float rather than integer PCM.</param>
    /// <param name="BytesPerSample">Container size of one sample: 1, 2, 3, 4 (PCM) or 4, 8 (float).</param>
    /// <param name="DataOffset">File offset of the first sample byte.</param>
    internal sealed record Layout(AudioInfo Info, bool IsFloat, int BytesPerSample, long DataOffset)
    {
        public int FrameBytes => BytesPerSample * Info.Channels;
    }

    public static AudioInfo Probe(string path, Stream file) => ReadLayout(path, file).Info;

    public static AudioDecoder Open(string path, Stream file) => new Decoder(file, ReadLayout(path, file));

    /// <summary>Walks the chunks of a file that starts with RIFF....WAVE.</summary>
    internal static Layout ReadLayout(string path, Stream file)
    {
        long length = file.Length;
        Span<byte> head = stackalloc byte[12];
        file.Position = 0;
        int got = file.ReadAtLeast(head, 12, throwOnEndOfStream: false);
        if (got < 12)
            throw InputException.ForFile(path, $"truncated WAV header (file has only {got} bytes)");

        Fmt? fmt = null;
        long dataOffset = -1, dataBytes = 0;
        long pos = 12;
        Span<byte> chunkHead = stackalloc byte[8];
        // The RIFF size field is often wrong (streamed writers leave 0 or -1), so the real file length bounds the walk.
        while (pos + 8 <= length)
        {
            file.Position = pos;
            file.ReadExactly(chunkHead);
            string id = Encoding.ASCII.GetString(chunkHead[..4]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHead[4..]);
            long body = pos + 8;
            long remaining = length - body;
            if (size > remaining)
            {
                if (id == "data")
                    throw InputException.ForFile(path, $"WAV data chunk declares {size} bytes but only {remaining} remain (truncated file?)");
                // A broken chunk after both needed chunks (e.g. cut-off trailing metadata) costs nothing.
                if (fmt is not null && dataOffset >= 0)
                    break;
                throw InputException.ForFile(path, $"WAV chunk '{Printable(id)}' at byte {pos} declares {size} bytes but only {remaining} remain (truncated file?)");
            }

            if (id == "fmt ")
                fmt = ReadFmt(path, file, size);
            else if (id == "data" && dataOffset < 0)
                (dataOffset, dataBytes) = (body, size);

            pos = body + size + PadByte(file, body + size, size, length);
        }

        if (fmt is null)
            throw InputException.ForFile(path, "WAV file has no fmt chunk");
        if (dataOffset < 0)
            throw InputException.ForFile(path, $"WAV file has no data chunk (file ends after {length} bytes)");

        var f = fmt.Value;
        var encoding = f.IsFloat ? $"IEEE float {f.Bits}-bit" : $"PCM {f.Bits}-bit";
        var info = new AudioInfo(path, "WAV", encoding, f.SampleRate, f.Channels, dataBytes / (f.BytesPerSample * (long)f.Channels));
        return new Layout(info, f.IsFloat, f.BytesPerSample, dataOffset);
    }

    // RIFF pads odd-sized chunks to even length, but some writers forget: trust the pad only if it is a zero byte.
    private static int PadByte(Stream file, long at, long size, long length)
    {
        if ((size & 1) == 0 || at >= length)
            return 0;
        file.Position = at;
        return file.ReadByte() == 0 ? 1 : 0;
    }

    private readonly record struct Fmt(bool IsFloat, int Bits, int BytesPerSample, int Channels, int SampleRate);

    private static Fmt ReadFmt(string path, Stream file, long size)
    {
        if (size < 16)
            throw InputException.ForFile(path, $"WAV fmt chunk is {size} bytes, at least 16 are needed");
        var b = new byte[Math.Min(size, 40)];
        file.ReadExactly(b);

        int tag = BinaryPrimitives.ReadUInt16LittleEndian(b);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2));
        long sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4));
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(12));
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(14));

        if (tag == TagExtensible)
        {
            if (size < 40)
                throw InputException.ForFile(path, $"WAVE_FORMAT_EXTENSIBLE fmt chunk is {size} bytes, 40 are needed");
            if (!b.AsSpan(26, 14).SequenceEqual(SubformatGuidTail))
                throw InputException.ForFile(path, $"unsupported WAV subformat GUID {new Guid(b.AsSpan(24, 16))}");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(24));
        }

        if (tag != TagPcm && tag != TagFloat)
            throw InputException.ForFile(path, $"unsupported WAV encoding {TagName(tag)} (format tag {tag}); only PCM and IEEE float are supported");
        if (channels == 0)
            throw InputException.ForFile(path, "WAV fmt chunk declares 0 channels");
        if (sampleRate == 0 || sampleRate > 10_000_000)
            throw InputException.ForFile(path, $"WAV fmt chunk declares an impossible sample rate of {sampleRate} Hz");

        bool isFloat = tag == TagFloat;
        // Samples narrower than their container (20-bit in 3 bytes) are left-justified, so decoding the container is right.
        int bytesPerSample = (bits + 7) / 8;
        bool supported = isFloat ? bits is 32 or 64 : bits is >= 8 and <= 32;
        if (!supported)
            throw InputException.ForFile(path, $"unsupported WAV sample size: {(isFloat ? "IEEE float" : "PCM")} {bits}-bit");
        if (blockAlign != 0 && blockAlign != bytesPerSample * channels)
            throw InputException.ForFile(path, $"WAV block align {blockAlign} does not match {channels} channels of {bytesPerSample} bytes");
        return new Fmt(isFloat, bits, bytesPerSample, channels, (int)sampleRate);
    }

    private static string TagName(int tag) => tag switch
    {
        2 => "Microsoft ADPCM",
        6 => "A-law",
        7 => "mu-law",
        0x11 => "IMA ADPCM",
        0x50 => "MPEG",
        0x55 => "MP3",
        _ => "unknown",
    };

    private static string Printable(string id) =>
        id.All(c => c is >= ' ' and <= '~') ? id : Convert.ToHexString(Encoding.Latin1.GetBytes(id));

    /// <summary>Streams the data chunk in blocks, converting each sample to float.</summary>
    private sealed class Decoder(Stream file, Layout layout) : AudioDecoder
    {
        private readonly byte[] _bytes = new byte[Math.Max(1, 65536 / layout.FrameBytes) * layout.FrameBytes];
        private long _framesLeft = layout.Info.FramesPerChannel;
        private bool _positioned;

        public override AudioInfo Info => layout.Info;

        public override int ReadFrames(Span<float> interleaved)
        {
            if (!_positioned)
            {
                file.Position = layout.DataOffset;
                _positioned = true;
            }
            int channels = layout.Info.Channels;
            int frames = (int)Math.Min(Math.Min(_framesLeft, interleaved.Length / channels), _bytes.Length / layout.FrameBytes);
            if (frames == 0)
                return 0;
            var bytes = _bytes.AsSpan(0, frames * layout.FrameBytes);
            file.ReadExactly(bytes);
            ToFloats(bytes, interleaved[..(frames * channels)]);
            _framesLeft -= frames;
            return frames;
        }

        private void ToFloats(ReadOnlySpan<byte> src, Span<float> dst)
        {
            switch (layout.IsFloat, layout.BytesPerSample)
            {
                case (true, 4):
                    for (int i = 0; i < dst.Length; i++)
                        dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                    break;
                case (true, _):
                    for (int i = 0; i < dst.Length; i++)
                        dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]);
                    break;
                case (false, 1): // 8-bit WAV is unsigned with 128 as zero.
                    for (int i = 0; i < dst.Length; i++)
                        dst[i] = (src[i] - 128) / 128f;
                    break;
                case (false, 2):
                    for (int i = 0; i < dst.Length; i++)
                        dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]) / 32768f;
                    break;
                case (false, 3):
                    for (int i = 0; i < dst.Length; i++)
                        dst[i] = (src[3 * i] | (src[(3 * i) + 1] << 8) | ((sbyte)src[(3 * i) + 2] << 16)) / 8388608f;
                    break;
                default:
                    for (int i = 0; i < dst.Length; i++)
                        dst[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]) / 2147483648.0);
                    break;
            }
        }

        public override void Dispose() => file.Dispose();
    }
}
