using NVorbis.Contracts;
using NVorbis.Ogg;

namespace MusicRnn.Audio;

/// <summary>
/// Ogg Vorbis through NVorbis. The first Ogg page is looked at first, so that Opus or FLAC in
/// an Ogg container get a message that says so rather than a decoder's complaint.
/// </summary>
/// <remarks>
/// NVorbis believes its input more than a damaged file deserves, so its packets pass through
/// <see cref="CheckedPackets"/> first. It trims the last packet to the end-of-stream page's
/// granule position, and a granule that lies (smaller than the samples already decoded) makes
/// that trimming loop forever; so NVorbis is never told where the stream ends: it decodes every
/// packet, and this reader cuts the output at the declared length itself, refusing a stream
/// that runs on for more than a block past it, because then the declared length is not a trim
/// but a damaged field. It also allocates whatever the headers' length and count fields ask
/// for before reading what they describe, so those fields are checked against the packet first.
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
                decoder ??= new NVorbis.StreamDecoder(new CheckedPackets(path, file.Length, packets));
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
        if (got < 27 || 27 + page[26] + 7 > got)
            throw InputException.ForFile(path, "truncated Ogg page header");
        int packet = 27 + page[26];
        var start = page.AsSpan(packet);
        if (start[..7].SequenceEqual("\u0001vorbis"u8))
            return;
        string what = start.StartsWith("OpusHead"u8) ? "Opus" : start.StartsWith("\u007fFLAC"u8) ? "FLAC" : "an unknown codec";
        throw InputException.ForFile(path, $"Ogg file holds {what}, not Vorbis; only Ogg Vorbis is supported");
    }

    /// <summary>
    /// Hands NVorbis the stream's packets with the end-of-stream mark hidden (see the class
    /// remarks), after checking the header fields NVorbis sizes buffers from: the block sizes
    /// in the identification header, the string lengths and count in the comment header, and
    /// the codebooks in the setup header, whose entry and dimension counts NVorbis allocates
    /// tables for before it finds out whether the packet holds them (24 + 16 bits can ask for
    /// gigabytes).
    /// </summary>
    private sealed class CheckedPackets(string path, long fileBytes, IPacketProvider inner) : IPacketProvider
    {
        private bool _identificationChecked;
        private bool _setupChecked;

        public bool CanSeek => inner.CanSeek;

        public int StreamSerial => inner.StreamSerial;

        public IPacket? GetNextPacket() => Wrap(inner.GetNextPacket());

        public IPacket? PeekNextPacket() => Wrap(inner.PeekNextPacket());

        public long SeekTo(long granulePos, int preRoll, GetPacketGranuleCount getPacketGranuleCount) =>
            inner.SeekTo(granulePos, preRoll, getPacketGranuleCount);

        public long GetGranuleCount() => inner.GetGranuleCount();

        private Packet? Wrap(IPacket? packet)
        {
            if (packet is null)
                return null;
            if (!_setupChecked)
            {
                try
                {
                    Check(packet);
                }
                finally
                {
                    packet.Reset();
                }
            }
            return new Packet(packet);
        }

        private void Check(IPacket packet)
        {
            ulong type = packet.ReadBits(8);
            for (int i = 0; i < 6; i++)
            {
                if (packet.ReadBits(8) != "vorbis"u8[i])
                    return;
            }
            if (type == 1 && !_identificationChecked)
            {
                _identificationChecked = true;
                packet.SkipBits(32 + 8 + (4 * 32));
                int small = (int)packet.ReadBits(4), large = (int)packet.ReadBits(4);
                // Vorbis I allows blocks of 2^6 to 2^13 samples, the short one no longer than the long one.
                if (small < 6 || large > 13 || small > large)
                    throw InputException.ForFile(path, $"Ogg Vorbis header declares block sizes 2^{small} and 2^{large}; Vorbis allows 2^6 to 2^13");
            }
            else if (type == 3)
            {
                CheckComments(packet);
            }
            else if (type == 5)
            {
                _setupChecked = true;
                CheckCodebooks(packet);
            }
        }

        /// <summary>
        /// The comment header is a vendor string and a list of strings, each after its 32-bit
        /// length; NVorbis allocates each length and the list's count before reading them.
        /// </summary>
        private void CheckComments(IPacket packet)
        {
            long vendor = (long)packet.ReadBits(32);
            if (vendor * 8 > packet.BitsRemaining)
                throw InputException.ForFile(path, $"Ogg Vorbis comment header declares a {vendor}-byte vendor string in a shorter packet");
            packet.SkipBits((int)(vendor * 8));
            long count = (long)packet.ReadBits(32);
            if (count * 32 > packet.BitsRemaining)
                throw InputException.ForFile(path, $"Ogg Vorbis comment header declares {count} comments, more than its packet can hold");
            for (long i = 0; i < count; i++)
            {
                long length = (long)packet.ReadBits(32);
                if (length * 8 > packet.BitsRemaining)
                    throw InputException.ForFile(path, $"Ogg Vorbis comment {i} declares {length} bytes, more than its packet holds");
                packet.SkipBits((int)(length * 8));
            }
        }

        /// <summary>
        /// Walks the codebooks as NVorbis will read them, adding up the tables it will allocate
        /// (about 16 bytes per entry for lengths and Huffman codes, 4 per entry and dimension for
        /// the value table, 4 per stored value), and refuses the stream when they pass 32 MB + 512 bytes per
        /// file byte; real encoders' codebooks need well under 1 MB. The walk stops quietly where
        /// the packet runs out or stops making sense, leaving the complaint to NVorbis, except
        /// inside an ordered length list, which NVorbis would go on reading past the end forever.
        /// </summary>
        private void CheckCodebooks(IPacket packet)
        {
            long budget = (32L << 20) + (512 * fileBytes), cost = 0;
            int books = (int)packet.ReadBits(8) + 1;
            for (int b = 0; b < books && packet.BitsRemaining >= 64; b++)
            {
                if (packet.ReadBits(24) != 0x564342)
                    return;
                long dimensions = (long)packet.ReadBits(16), entries = (long)packet.ReadBits(24);
                cost += 16 * entries;
                if (packet.ReadBits(1) == 1)
                {
                    packet.SkipBits(5);
                    for (long i = 0; i < entries;)
                    {
                        int bits = ILog(entries - i);
                        if (packet.BitsRemaining < bits)
                            throw InputException.ForFile(path, "Ogg Vorbis setup header ends inside a codebook");
                        i += (long)packet.ReadBits(bits);
                    }
                }
                else
                {
                    bool sparse = packet.ReadBits(1) == 1;
                    for (long i = 0; i < entries && packet.BitsRemaining > 0; i++)
                    {
                        if (!sparse || packet.ReadBits(1) == 1)
                            packet.SkipBits(5);
                    }
                }
                int lookup = (int)packet.ReadBits(4);
                if (lookup != 0)
                {
                    packet.SkipBits(64);
                    int valueBits = (int)packet.ReadBits(4) + 1;
                    packet.SkipBits(1);
                    long values = lookup == 1 ? Lookup1Values(entries, dimensions) : entries * dimensions;
                    cost += (4 * entries * dimensions) + (4 * values);
                    if (cost > budget || values * valueBits > packet.BitsRemaining)
                        break;
                    packet.SkipBits((int)(values * valueBits));
                }
                if (cost > budget)
                    break;
            }
            if (cost > budget)
                throw InputException.ForFile(path, $"Ogg Vorbis codebooks declare tables of {cost >> 20} MB, far more than a {fileBytes}-byte file can hold");
        }

        private static int ILog(long x) => x <= 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)x);

        // As NVorbis computes it: the largest r with r^dimensions <= entries. With no dimensions
        // NVorbis's formula overflows to an enormous count, so it is reported as one.
        private static long Lookup1Values(long entries, long dimensions)
        {
            if (dimensions == 0)
                return int.MaxValue;
            long r = (long)Math.Floor(Math.Exp(Math.Log(entries) / dimensions));
            return Math.Floor(Math.Pow(r + 1, dimensions)) <= entries ? r + 1 : r;
        }

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
