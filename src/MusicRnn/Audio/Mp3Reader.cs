using NLayer;

namespace MusicRnn.Audio;

/// <summary>
/// MPEG audio (MP3 and its Layer I/II siblings). NLayer decodes; this class first finds real
/// frames itself, because a decoder fed random bytes may "decode" them into silence. A frame
/// counts only when the next frames follow exactly where its header says they must, which
/// random data essentially never does. The same walk over frame headers gives the length
/// without decoding anything.
/// </summary>
internal static class Mp3Reader
{
    private const int SearchWindow = 1 << 16;
    private const int FramesToConfirm = 3;

    /// <summary>The problem reported for a file that should be MPEG audio but is not.</summary>
    public const string NoFrames = "no valid MPEG audio frames found";

    /// <summary>One frame header (ISO 11172-3 / 13818-3).</summary>
    /// <param name="Version">"1", "2" or "2.5".</param>
    /// <param name="Layer">1, 2 or 3.</param>
    /// <param name="SampleRate">Hz.</param>
    /// <param name="Channels">1 for single-channel mode, else 2.</param>
    /// <param name="Length">Bytes in the frame, header included.</param>
    /// <param name="SamplesPerFrame">Samples per channel the frame decodes to.</param>
    internal readonly record struct Frame(string Version, int Layer, int SampleRate, int Channels, int Length, int SamplesPerFrame)
    {
        public bool SameStreamAs(Frame other) =>
            Version == other.Version && Layer == other.Layer && SampleRate == other.SampleRate;
    }

    // kbit/s by bitrate index (1..14), one row of 15 per table: MPEG-1 Layer I, II, III;
    // MPEG-2/2.5 Layer I; MPEG-2/2.5 Layer II and III.
    private static ReadOnlySpan<int> BitratesKbps =>
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
    ];

    /// <summary>Parses a 4-byte header, or returns null when it is not one (reserved or free-format fields included).</summary>
    internal static Frame? ParseHeader(ReadOnlySpan<byte> b)
    {
        if (b.Length < 4 || b[0] != 0xFF || (b[1] & 0xE0) != 0xE0)
            return null;
        int versionBits = (b[1] >> 3) & 3, layerBits = (b[1] >> 1) & 3;
        int bitrateIndex = b[2] >> 4, rateIndex = (b[2] >> 2) & 3, padding = (b[2] >> 1) & 1;
        if (versionBits == 1 || layerBits == 0 || bitrateIndex is 0 or 15 || rateIndex == 3 || (b[3] & 3) == 2)
            return null;

        int layer = 4 - layerBits;
        bool mpeg1 = versionBits == 3;
        string version = versionBits switch { 3 => "1", 2 => "2", _ => "2.5" };
        int sampleRate = (rateIndex switch { 0 => 44100, 1 => 48000, _ => 32000 }) >> (versionBits switch { 3 => 0, 2 => 1, _ => 2 });
        int table = mpeg1 ? layer - 1 : layer == 1 ? 3 : 4;
        int bitrate = BitratesKbps[(table * 15) + bitrateIndex] * 1000;
        int channels = (b[3] >> 6) == 3 ? 1 : 2;

        int length, samples;
        if (layer == 1)
            (length, samples) = ((12 * bitrate / sampleRate + padding) * 4, 384);
        else if (layer == 3 && !mpeg1)
            (length, samples) = (72 * bitrate / sampleRate + padding, 576);
        else
            (length, samples) = (144 * bitrate / sampleRate + padding, 1152);
        return new Frame(version, layer, sampleRate, channels, length, samples);
    }

    /// <summary>True when a confirmed run of MPEG frames starts within the first 64 KiB after any ID3 tags.</summary>
    public static bool LooksLikeMpeg(Stream file)
    {
        long from = SkipId3Tags(file);
        return FindStream(file, from, Math.Min(file.Length, from + SearchWindow)) >= 0;
    }

    /// <summary>Finds the frames and counts them; null when the file holds no MPEG audio stream.</summary>
    public static AudioInfo? Probe(string path, Stream file)
    {
        long first = FindStream(file, SkipId3Tags(file), file.Length);
        if (first < 0)
            return null;
        var head = ReadHeader(file, first)!.Value;

        long frames = 0;
        for (long pos = first; pos >= 0;)
        {
            var frame = ReadHeader(file, pos);
            if (frame is { } f && f.SameStreamAs(head) && pos + f.Length <= file.Length)
            {
                frames++;
                pos += f.Length;
            }
            else
            {
                // Junk or a tag inside the stream: carry on from the next confirmed run of frames, if any.
                pos = pos + 4 <= file.Length ? FindStream(file, pos + 1, file.Length) : -1;
            }
        }
        var (tagFrame, trim) = GaplessInfo(file, first, head);
        long samples = Math.Max(0, ((frames - (tagFrame ? 1 : 0)) * head.SamplesPerFrame) - trim);
        string layer = head.Layer switch { 1 => "I", 2 => "II", _ => "III" };
        return new AudioInfo(path, "MP3", $"MPEG-{head.Version} Layer {layer}", head.SampleRate, head.Channels, samples);
    }

    /// <summary>
    /// Encoders put a Xing/Info tag in a first frame that holds no audio, and LAME adds the
    /// encoder delay and end padding after it; NLayer skips that frame and trims both, so the
    /// length reported here must do the same to match what decoding yields.
    /// </summary>
    /// <returns>Whether the first frame is a tag frame, and how many samples decoding trims.</returns>
    private static (bool TagFrame, int Trim) GaplessInfo(Stream file, long first, Frame head)
    {
        if (head.Layer != 3)
            return (false, 0);
        var frame = new byte[Math.Min(head.Length, 512)];
        file.Position = first;
        int got = file.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false);
        // The tag follows the side information, whose size depends on version and channel count; a CRC adds 2 bytes.
        int sideInfo = head.Version == "1" ? (head.Channels == 1 ? 17 : 32) : (head.Channels == 1 ? 9 : 17);
        int at = 4 + ((frame[1] & 1) == 0 ? 2 : 0) + sideInfo;
        if (at + 8 > got || !(frame.AsSpan(at, 4).SequenceEqual("Xing"u8) || frame.AsSpan(at, 4).SequenceEqual("Info"u8)))
            return (false, 0);

        // Flags say which optional fields follow: frame count, byte count, 100-byte seek table, quality.
        int flags = frame[at + 7];
        int lame = at + 8 + ((flags & 1) != 0 ? 4 : 0) + ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0) + ((flags & 8) != 0 ? 4 : 0);
        if (lame + 24 > got || !(frame.AsSpan(lame, 4).SequenceEqual("LAME"u8) || frame.AsSpan(lame, 4).SequenceEqual("Lavc"u8)))
            return (true, 0);
        // 12 bits of encoder delay, then 12 bits of padding, 21 bytes into the LAME tag.
        int delay = (frame[lame + 21] << 4) | (frame[lame + 22] >> 4);
        int padding = ((frame[lame + 22] & 0x0F) << 8) | frame[lame + 23];
        return (true, delay + padding);
    }

    public static AudioDecoder Open(string path, Stream file)
    {
        var info = Probe(path, file) ?? throw InputException.ForFile(path, NoFrames);
        file.Position = 0;
        return new Decoder(new MpegFile(file), info);
    }

    // ID3v2 tags sit before the audio; several may follow each other.
    private static long SkipId3Tags(Stream file)
    {
        long pos = 0;
        Span<byte> h = stackalloc byte[10];
        while (true)
        {
            file.Position = pos;
            if (file.ReadAtLeast(h, 10, throwOnEndOfStream: false) < 10 || !h[..3].SequenceEqual("ID3"u8))
                return pos;
            // The size is "syncsafe": four 7-bit groups. A footer (flag 0x10) adds 10 more bytes.
            long size = (h[6] & 0x7F) << 21 | (h[7] & 0x7F) << 14 | (h[8] & 0x7F) << 7 | (h[9] & 0x7F);
            pos += 10 + size + ((h[5] & 0x10) != 0 ? 10 : 0);
        }
    }

    /// <summary>Offset of the first frame in [from, limit) that starts a confirmed run of frames, or -1.</summary>
    private static long FindStream(Stream file, long from, long limit)
    {
        var window = new byte[SearchWindow + 3];
        for (long start = from; start < limit; start += SearchWindow)
        {
            file.Position = start;
            int got = file.ReadAtLeast(window, window.Length, throwOnEndOfStream: false);
            for (int i = 0; i + 4 <= got && i < SearchWindow; i++)
            {
                if (window[i] == 0xFF && ParseHeader(window.AsSpan(i, 4)) is { } f && Confirmed(file, start + i, f))
                    return start + i;
            }
        }
        return -1;
    }

    // The next frames must start exactly where this one ends. Reaching the end of the file or an
    // ID3v1/APE tag after at least one confirmed successor also counts (short files, tagged files).
    private static bool Confirmed(Stream file, long pos, Frame frame)
    {
        for (int k = 0; k < FramesToConfirm; k++)
        {
            pos += frame.Length;
            long left = file.Length - pos;
            if (left < 0)
                return k > 0;
            if (left < 4 || StartsWithTag(file, pos))
                return k > 0 || left == 0;
            if (ReadHeader(file, pos) is not { } next || !next.SameStreamAs(frame))
                return false;
            frame = next;
        }
        return true;
    }

    private static bool StartsWithTag(Stream file, long pos)
    {
        Span<byte> b = stackalloc byte[3];
        file.Position = pos;
        return file.ReadAtLeast(b, 3, throwOnEndOfStream: false) == 3 && (b.SequenceEqual("TAG"u8) || b.SequenceEqual("APE"u8));
    }

    private static Frame? ReadHeader(Stream file, long pos)
    {
        if (pos < 0 || pos + 4 > file.Length)
            return null;
        Span<byte> b = stackalloc byte[4];
        file.Position = pos;
        file.ReadExactly(b);
        return ParseHeader(b);
    }

    private sealed class Decoder(MpegFile mpeg, AudioInfo probed) : AudioDecoder
    {
        // NLayer's own view of the stream wins: it is what the samples will actually look like.
        public override AudioInfo Info { get; } = probed with { SampleRate = mpeg.SampleRate, Channels = mpeg.Channels };

        public override int ReadFrames(Span<float> interleaved)
        {
            int channels = Info.Channels;
            var want = interleaved[..(interleaved.Length / channels * channels)];
            int got = 0;
            // Keep reading until whole frames are in hand, in case the decoder stops mid-frame.
            while (got < want.Length)
            {
                int n = mpeg.ReadSamples(want[got..]);
                if (n <= 0)
                    break;
                got += n;
                if (got % channels == 0)
                    break;
            }
            return got / channels;
        }

        public override void Dispose() => mpeg.Dispose();
    }
}
