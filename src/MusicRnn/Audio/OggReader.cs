using NVorbis.Contracts;
using NVorbis.Ogg;

namespace MusicRnn.Audio;

/// <summary>
/// Ogg Vorbis through NVorbis. The first Ogg page is looked at first, so that Opus or FLAC in
/// an Ogg container get a message that says so rather than a decoder's complaint.
/// </summary>
/// <remarks>
/// NVorbis trims the last packet to the end-of-stream page's granule position, and a granule
/// that lies (smaller than the samples already decoded) makes that trimming loop forever. So
/// NVorbis is never told where the stream ends: it decodes every packet, and this reader cuts
/// the output at the declared length itself, refusing a stream that runs on for more than a
/// block past it, because then the declared length is not a trim but a damaged field.
/// </remarks>
internal static class OggReader
{
    // The longest Vorbis block: a stream ends at most this many samples before its last packet does.
    private const int MaxBlockSamples = 8192;

    public static AudioInfo Probe(string path, Stream file)
    {
        using var stream = OpenStream(path, file);
        return stream.Info;
    }

    public static AudioDecoder Open(string path, Stream file)
    {
        var stream = OpenStream(path, file);
        try
        {
            return new Decoder(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The container, the first logical stream's decoder and its description, disposed together.</summary>
    private sealed class OpenedStream(ContainerReader container, NVorbis.StreamDecoder decoder, AudioInfo info) : IDisposable
    {
        public NVorbis.StreamDecoder Decoder => decoder;

        public AudioInfo Info => info;

        public void Dispose()
        {
            decoder.Dispose();
            container.Dispose();
        }
    }

    private static OpenedStream OpenStream(string path, Stream file)
    {
        CheckFirstPacketIsVorbis(path, file);
        file.Position = 0;
        var container = new ContainerReader(file, closeOnDispose: false);
        NVorbis.StreamDecoder? decoder = null;
        try
        {
            // Only the first logical stream is decoded; later ones (chained files) are ignored.
            container.NewStreamCallback = packets =>
            {
                decoder ??= new NVorbis.StreamDecoder(new NoEndOfStream(packets));
                return true;
            };
            if (!container.TryInit() || decoder is null)
                throw InputException.ForFile(path, "no Ogg Vorbis stream found");
            // Samples are kept as decoded (a lossy codec may overshoot ±1 a little); clipping is for writers.
            decoder.ClipSamples = false;
            return new OpenedStream(container, decoder, InfoOf(path, decoder, file.Length));
        }
        catch
        {
            decoder?.Dispose();
            container.Dispose();
            throw;
        }
    }

    private static AudioInfo InfoOf(string path, NVorbis.StreamDecoder decoder, long fileBytes)
    {
        if (decoder.Channels <= 0 || decoder.SampleRate <= 0)
            throw InputException.ForFile(path, $"Ogg Vorbis header declares {decoder.Channels} channels at {decoder.SampleRate} Hz");
        // The length comes from the last page's granule position; a damaged one must not size any buffer.
        long frames = decoder.TotalSamples;
        if (frames < 0 || frames > fileBytes * 1000)
            throw InputException.ForFile(path, $"Ogg Vorbis stream declares an impossible length of {frames} samples");
        return new AudioInfo(path, "Ogg Vorbis", "Vorbis", decoder.SampleRate, decoder.Channels, frames);
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

    /// <summary>Hands NVorbis the stream's packets with the end-of-stream mark hidden (see the class remarks).</summary>
    private sealed class NoEndOfStream(IPacketProvider inner) : IPacketProvider
    {
        public bool CanSeek => inner.CanSeek;

        public int StreamSerial => inner.StreamSerial;

        public IPacket? GetNextPacket() => Wrap(inner.GetNextPacket());

        public IPacket? PeekNextPacket() => Wrap(inner.PeekNextPacket());

        public long SeekTo(long granulePos, int preRoll, GetPacketGranuleCount getPacketGranuleCount) =>
            inner.SeekTo(granulePos, preRoll, getPacketGranuleCount);

        public long GetGranuleCount() => inner.GetGranuleCount();

        private static Packet? Wrap(IPacket? packet) => packet is null ? null : new Packet(packet);

        private sealed class Packet(IPacket inner) : IPacket
        {
            public bool IsEndOfStream => false;

            public bool IsResync => inner.IsResync;

            public bool IsShort => inner.IsShort;

            public long? GranulePosition => inner.GranulePosition;

            public int BitsRead => inner.BitsRead;

            public int BitsRemaining => inner.BitsRemaining;

            public int ContainerOverheadBits => inner.ContainerOverheadBits;

            public ulong TryPeekBits(int count, out int bitsRead) => inner.TryPeekBits(count, out bitsRead);

            public void SkipBits(int count) => inner.SkipBits(count);

            public ulong ReadBits(int count) => inner.ReadBits(count);

            public void Done() => inner.Done();

            public void Reset() => inner.Reset();
        }
    }

    /// <summary>Decodes every packet and ends the output at the declared length.</summary>
    private sealed class Decoder(OpenedStream stream) : AudioDecoder
    {
        private long _framesLeft = stream.Info.FramesPerChannel;

        public override AudioInfo Info => stream.Info;

        public override int ReadFrames(Span<float> interleaved)
        {
            int channels = Info.Channels;
            if (_framesLeft == 0)
            {
                CheckNothingFollows();
                return 0;
            }
            var want = interleaved[..(int)(Math.Min(interleaved.Length / channels, _framesLeft) * channels)];
            int frames = stream.Decoder.Read(want, 0, want.Length) / channels;
            _framesLeft -= frames;
            return frames;
        }

        /// <summary>Past the declared end only the rest of the last block may remain; more means the declared length is false.</summary>
        private void CheckNothingFollows()
        {
            int channels = Info.Channels;
            var scratch = new float[1024 * channels];
            long extra = 0;
            int n;
            while (extra <= MaxBlockSamples && (n = stream.Decoder.Read(scratch, 0, scratch.Length)) > 0)
                extra += n / channels;
            if (extra > MaxBlockSamples)
            {
                throw InputException.ForFile(Info.Path,
                    $"Ogg Vorbis stream holds more than the {Info.FramesPerChannel} samples its last page declares (damaged granule position?)");
            }
        }

        public override void Dispose() => stream.Dispose();
    }
}
