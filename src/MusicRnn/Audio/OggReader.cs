using NVorbis;

namespace MusicRnn.Audio;

/// <summary>
/// Ogg Vorbis through NVorbis. The first Ogg page is looked at first, so that Opus or FLAC in
/// an Ogg container get a message that says so rather than a decoder's complaint.
/// </summary>
internal static class OggReader
{
    public static AudioInfo Probe(string path, Stream file)
    {
        using var reader = OpenReader(path, file);
        return InfoOf(path, reader, file.Length);
    }

    public static AudioDecoder Open(string path, Stream file)
    {
        var reader = OpenReader(path, file);
        try
        {
            return new Decoder(reader, InfoOf(path, reader, file.Length));
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static VorbisReader OpenReader(string path, Stream file)
    {
        CheckFirstPacketIsVorbis(path, file);
        file.Position = 0;
        // Samples are kept as decoded (a lossy codec may overshoot ±1 a little); clipping is for writers.
        return new VorbisReader(file, closeOnDispose: false) { ClipSamples = false };
    }

    private static AudioInfo InfoOf(string path, VorbisReader reader, long fileBytes)
    {
        if (reader.Channels <= 0 || reader.SampleRate <= 0)
            throw InputException.ForFile(path, $"Ogg Vorbis header declares {reader.Channels} channels at {reader.SampleRate} Hz");
        // The length comes from the last page's granule position; a damaged one must not size any buffer.
        long frames = reader.TotalSamples;
        if (frames < 0 || frames > fileBytes * 1000)
            throw InputException.ForFile(path, $"Ogg Vorbis stream declares an impossible length of {frames} samples");
        return new AudioInfo(path, "Ogg Vorbis", "Vorbis", reader.SampleRate, reader.Channels, frames);
    }

    // Page header: "OggS", version, flags, granule (8), serial (4), sequence (4), CRC (4), segment count, segment table.
    private static void CheckFirstPacketIsVorbis(string path, Stream file)
    {
        var page = new byte[27 + 255 + 8];
        file.Position = 0;
        int got = file.ReadAtLeast(page, page.Length, throwOnEndOfStream: false);
        int packet = got >= 27 ? 27 + page[26] : int.MaxValue;
        if (packet + 7 > got)
            throw InputException.ForFile(path, "truncated Ogg page header");
        var start = page.AsSpan(packet);
        if (start[..7].SequenceEqual("\u0001vorbis"u8))
            return;
        string what = start.StartsWith("OpusHead"u8) ? "Opus" : start.StartsWith("\u007fFLAC"u8) ? "FLAC" : "an unknown codec";
        throw InputException.ForFile(path, $"Ogg file holds {what}, not Vorbis; only Ogg Vorbis is supported");
    }

    private sealed class Decoder(VorbisReader reader, AudioInfo info) : AudioDecoder
    {
        public override AudioInfo Info => info;

        public override int ReadFrames(Span<float> interleaved)
        {
            int channels = info.Channels;
            int n = reader.ReadSamples(interleaved[..(interleaved.Length / channels * channels)]);
            return n / channels;
        }

        public override void Dispose() => reader.Dispose();
    }
}
