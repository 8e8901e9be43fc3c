using System.Buffers.Binary;
using Xunit.Abstractions;

namespace MusicRnn.Tests.Audio;

/// <summary>
/// Fuzzing of the three decoders with a fixed seed. Valid seed files (the fixtures, and WAVs in
/// every supported encoding built here) are damaged in memory: bits flipped, bytes overwritten,
/// cut at many offsets, and the size fields each format trusts (RIFF/fmt/data sizes, MPEG frame
/// headers, ID3 sizes, Ogg segment tables and granule positions) set to lies up to gigabytes.
/// Every case must decode or be refused with an <see cref="InputException"/>, quickly and without
/// allocating for a size the file cannot hold (see <see cref="FuzzHarness"/>).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    // Enough for the random damage to go well past the targeted cases (45,000 cases with other seeds found nothing more); all three take about 20 s on a loaded 2-core machine.
    private const int CasesPerFormat = 2000;

    [Fact]
    public void Should_decode_or_refuse_every_damaged_wav_file()
    {
        // Given WAV seeds in every encoding, damaged in 2000 ways
        var cases = Limit(WavCases(new Mutator(9001)));

        // When each is read
        var report = FuzzHarness.Run("WAV", ".wav", cases);

        // Then each decoded or was refused within the time and memory bounds
        AssertClean(report);
    }

    [Fact]
    public void Should_decode_or_refuse_every_damaged_mp3_file()
    {
        // Given the MP3 fixtures (with and without tags), damaged in 2000 ways
        var cases = Limit(Mp3Cases(new Mutator(9002)));

        // When each is read
        var report = FuzzHarness.Run("MP3", ".mp3", cases);

        // Then each decoded or was refused within the time and memory bounds
        AssertClean(report);
    }

    [Fact]
    public void Should_decode_or_refuse_every_damaged_ogg_file()
    {
        // Given the Ogg Vorbis fixtures, damaged in 2000 ways, most pages re-signed so the damage gets past the CRC
        var cases = Limit(OggCases(new Mutator(9003)));

        // When each is read
        var report = FuzzHarness.Run("Ogg Vorbis", ".ogg", cases);

        // Then each decoded or was refused within the time and memory bounds
        AssertClean(report);
    }

    private void AssertClean(FuzzReport report)
    {
        output.WriteLine(report.ToString());
        foreach (var breach in report.Breaches.Take(30))
            output.WriteLine(breach);
        Assert.Equal(CasesPerFormat, report.Cases);
        Assert.True(report.Breaches.Count == 0, $"{report.Breaches.Count} breaches, first: {report.Breaches.FirstOrDefault()}");
        // A fuzzer whose every case is refused (or decoded) is not reaching both sides of the decoder.
        Assert.InRange(report.Decoded, 50, CasesPerFormat - 50);
    }

    /// <summary>The targeted cases first, then random damage until the count is reached.</summary>
    private static IEnumerable<FuzzCase> Limit(IEnumerable<FuzzCase> cases) => cases.Take(CasesPerFormat);

    /// <summary>Random damage of every kind to randomly chosen seeds, forever.</summary>
    private static IEnumerable<FuzzCase> RandomDamage(Mutator m, IReadOnlyList<(string Name, byte[] Bytes)> seeds, Func<byte[], byte[]>? fix = null)
    {
        for (int i = 0; ; i++)
        {
            var (name, seed) = m.Pick(seeds);
            var (kind, bytes) = m.Rng.Next(4) switch
            {
                0 => ("flip", m.FlipBits(seed, 1 + m.Rng.Next(16))),
                1 => ("overwrite", m.Overwrite(seed, 1 + m.Rng.Next(16))),
                _ => ("havoc", m.Havoc(seed)),
            };
            yield return new FuzzCase($"{name} random {kind} #{i}", fix is null ? bytes : fix(bytes));
        }
    }

    private static IEnumerable<FuzzCase> Cuts(IReadOnlyList<(string Name, byte[] Bytes)> seeds, int spread, int head) =>
        seeds.SelectMany(s => Mutator.CutPoints(s.Bytes.Length, spread, head)
            .Select(at => new FuzzCase($"{s.Name} cut at {at}", Mutator.Truncate(s.Bytes, at))));

    // ---- WAV ----

    /// <summary>Small WAVs covering each supported sample format, the extensible header, odd chunks and unusual chunk order.</summary>
    private static List<(string Name, byte[] Bytes)> WavSeeds()
    {
        var tone = Signals.Sine(440, 8000, 301);
        IEnumerable<long> Scaled(int bits) => tone.Select(x => (long)Math.Round(x * ((1L << (bits - 1)) - 1)));
        var pcm16 = WavBuilder.Ints(Scaled(16), 2);
        return
        [
            ("pcm8", new WavBuilder().Fmt(1, 1, 8000, 8).Data(WavBuilder.Ints(Scaled(8).Select(v => v + 128), 1)).ToBytes()),
            ("pcm16", new WavBuilder().Fmt(1, 1, 8000, 16).Data(pcm16).ToBytes()),
            ("pcm24 stereo", new WavBuilder().Fmt(1, 2, 8000, 24).Data(WavBuilder.Ints(Scaled(24).Take(300), 3)).ToBytes()),
            ("pcm32", new WavBuilder().Fmt(1, 1, 8000, 32).Data(WavBuilder.Ints(Scaled(32), 4)).ToBytes()),
            ("float32 stereo", new WavBuilder().Fmt(3, 2, 8000, 32).Data(WavBuilder.Floats(tone.Take(300))).ToBytes()),
            ("float64", new WavBuilder().Fmt(3, 1, 8000, 64).Data(WavBuilder.Doubles(tone.Select(x => (double)x))).ToBytes()),
            ("extensible pcm16 stereo", new WavBuilder().FmtExtensible(WavBuilder.PcmSubformat, 2, 8000, 16, 16).Data(pcm16[..600]).ToBytes()),
            ("pcm16 with LIST and odd chunk", new WavBuilder().Chunk("LIST", new byte[26]).Chunk("junk", new byte[5]).Fmt(1, 1, 8000, 16).Data(pcm16).ToBytes()),
            ("pcm16 data before fmt", new WavBuilder().Data(pcm16).Fmt(1, 1, 8000, 16).ToBytes()),
        ];
    }

    private static IEnumerable<FuzzCase> WavCases(Mutator m)
    {
        var seeds = WavSeeds();
        foreach (var c in Cuts(seeds, 12, 48))
            yield return c;

        foreach (var (name, seed) in seeds)
        {
            // Every size field told every interesting lie, the RIFF size included.
            foreach (uint lie in Mutator.Interesting32)
                yield return new FuzzCase($"{name} RIFF size {lie}", Mutator.WithLe32(seed, 4, lie));
            foreach (var (id, at) in FuzzLayout.WavChunks(seed))
            {
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(seed.AsSpan(at + 4));
                foreach (uint lie in Mutator.Interesting32.Concat([size - 1, size + 1, size + 2, (uint)seed.Length]))
                    yield return new FuzzCase($"{name} '{id}' size {lie}", Mutator.WithLe32(seed, at + 4, lie));
                if (id != "fmt ")
                    continue;
                // The fmt fields the decoder sizes its frames from.
                int f = at + 8;
                foreach (ushort v in new ushort[] { 0, 1, 2, 3, 8, 255, 0xFFFE, 0xFFFF })
                {
                    yield return new FuzzCase($"{name} tag {v}", Mutator.WithLe16(seed, f, v));
                    yield return new FuzzCase($"{name} channels {v}", Mutator.WithLe16(seed, f + 2, v));
                    yield return new FuzzCase($"{name} block align {v}", Mutator.WithLe16(seed, f + 12, v));
                }
                foreach (ushort bits in new ushort[] { 0, 1, 7, 9, 12, 17, 20, 25, 31, 33, 48, 63, 65, 0xFFFF })
                    yield return new FuzzCase($"{name} bits {bits}", Mutator.WithLe16(seed, f + 14, bits));
                foreach (uint rate in new uint[] { 0, 1, 10_000_000, 10_000_001, 0x7FFFFFFF, 0xFFFFFFFF })
                    yield return new FuzzCase($"{name} rate {rate}", Mutator.WithLe32(seed, f + 4, rate));
            }
        }

        foreach (var c in RandomDamage(m, seeds))
            yield return c;
    }

    // ---- MP3 ----

    private static List<(string Name, byte[] Bytes)> Mp3Seeds()
    {
        var seeds = new List<(string, byte[])>();
        foreach (string fixture in new[] { "tone_mono_1000hz_44100.mp3", "tone_mono_1000hz_44100_lame.mp3", "tone_stereo_440_660hz_22050.mp3" })
        {
            // A dozen frames exercise every header path as well as 80 do, and decode several times faster.
            var full = File.ReadAllBytes(Signals.Fixture(fixture));
            var frames = FuzzLayout.Mp3Frames(full);
            seeds.Add((fixture, full[..frames[Math.Min(12, frames.Count - 1)]]));
        }
        var mono = seeds[0].Item2;
        // An ID3v2 tag in front (10-byte header, 20 bytes of frames) and an ID3v1 tag behind.
        byte[] id3v2 = [.. "ID3"u8, 3, 0, 0, 0, 0, 0, 20, .. new byte[20]];
        byte[] id3v1 = [.. "TAG"u8, .. new byte[125]];
        seeds.Add(("id3v2 + mono", [.. id3v2, .. mono]));
        seeds.Add(("mono + id3v1", [.. mono, .. id3v1]));
        return seeds;
    }

    private static IEnumerable<FuzzCase> Mp3Cases(Mutator m)
    {
        var seeds = Mp3Seeds();
        foreach (var c in Cuts(seeds, 25, 16))
            yield return c;

        foreach (var (name, seed) in seeds)
        {
            var frames = FuzzLayout.Mp3Frames(seed);
            // Header lies in the first frames (where the stream is found) and one in the middle.
            foreach (int at in new[] { frames[0], frames[1], frames[2], frames[frames.Count / 2] })
            {
                for (int v = 0; v < 4; v++)
                {
                    for (int l = 0; l < 4; l++)
                        yield return new FuzzCase($"{name} frame@{at} version {v} layer {l}", Mutator.WithByte(seed, at + 1, (byte)((seed[at + 1] & 0xE1) | (v << 3) | (l << 1))));
                    yield return new FuzzCase($"{name} frame@{at} rate index {v}", Mutator.WithByte(seed, at + 2, (byte)((seed[at + 2] & 0xF3) | (v << 2))));
                    yield return new FuzzCase($"{name} frame@{at} mode {v}", Mutator.WithByte(seed, at + 3, (byte)((seed[at + 3] & 0x3F) | (v << 6))));
                }
                for (int br = 0; br < 16; br++)
                    yield return new FuzzCase($"{name} frame@{at} bitrate index {br}", Mutator.WithByte(seed, at + 2, (byte)((seed[at + 2] & 0x0F) | (br << 4))));
                yield return new FuzzCase($"{name} frame@{at} padding flipped", Mutator.WithByte(seed, at + 2, (byte)(seed[at + 2] ^ 2)));
                yield return new FuzzCase($"{name} frame@{at} CRC flag flipped", Mutator.WithByte(seed, at + 1, (byte)(seed[at + 1] ^ 1)));
                // Side information right after the header: main_data_begin and part2_3_length steer the bit reservoir.
                for (int k = 4; k < 12; k++)
                    yield return new FuzzCase($"{name} frame@{at} side info byte {k} = FF", Mutator.WithByte(seed, at + k, 0xFF));
            }
        }

        // ID3v2 sizes up to the largest syncsafe value (256 MiB) and beyond (bytes with the top bit set), and long chains of tags.
        var plain = seeds[0].Item2;
        foreach (uint size in new uint[] { 0, 1, 9, 10, (uint)plain.Length, 0x0FFFFFFF, 0x7F7F7F7F, 0xFFFFFFFF, 0x80808080 })
        {
            foreach (byte flags in new byte[] { 0, 0x10 })
            {
                byte[] tag = [.. "ID3"u8, 4, 0, flags, (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size];
                yield return new FuzzCase($"ID3v2 size {size:X8} flags {flags:X2}", [.. tag, .. plain]);
            }
        }
        byte[] empty = [.. "ID3"u8, 4, 0, 0, 0, 0, 0, 0];
        yield return new FuzzCase("1000 empty ID3v2 tags", [.. Enumerable.Repeat(empty, 1000).SelectMany(t => t), .. plain]);

        // The LAME seed's Info tag: frame count, byte count and gapless trim fields.
        var lame = seeds[1].Item2;
        int info = lame.AsSpan().IndexOf("Info"u8);
        int lameTag = lame.AsSpan().IndexOf("LAME"u8);
        foreach (uint lie in Mutator.Interesting32.Where((_, i) => i % 3 == 0))
        {
            yield return new FuzzCase($"Info frames {lie}", Mutator.WithLe32(lame, info + 8, lie));
            yield return new FuzzCase($"Info bytes {lie}", Mutator.WithLe32(lame, info + 12, lie));
        }
        foreach (byte flags in new byte[] { 0, 1, 0x0F, 0xFF })
            yield return new FuzzCase($"Info flags {flags}", Mutator.WithByte(lame, info + 7, flags));
        foreach (var (a, b) in new (byte, byte)[] { (0xFF, 0xFF), (0xFF, 0xF0), (0x00, 0x0F), (0x7F, 0xFF) })
            yield return new FuzzCase($"LAME delay/padding {a:X2}{b:X2}FF", Mutator.WithByte(Mutator.WithByte(Mutator.WithByte(lame, lameTag + 21, a), lameTag + 22, b), lameTag + 23, 0xFF));

        foreach (var c in RandomDamage(m, seeds))
            yield return c;
    }

    // ---- Ogg Vorbis ----

    private static List<(string Name, byte[] Bytes)> OggSeeds() =>
    [
        ("tone_mono_1000hz_22050.ogg", File.ReadAllBytes(Signals.Fixture("tone_mono_1000hz_22050.ogg"))),
        ("tone_stereo_440_660hz_44100.ogg", File.ReadAllBytes(Signals.Fixture("tone_stereo_440_660hz_44100.ogg"))),
    ];

    private static IEnumerable<FuzzCase> OggCases(Mutator m)
    {
        var seeds = OggSeeds();
        foreach (var c in Cuts(seeds, 40, 64))
            yield return c;

        foreach (var (name, seed) in seeds)
        {
            var pages = FuzzLayout.OggPages(seed);
            // Page n's fields, re-signed so the lie is believed; the granule of the last page sets the declared length.
            foreach (var (at, header, body) in pages)
            {
                int segments = header - 27;
                // 999 samples per file byte is just inside what the reader accepts as a plausible length.
                foreach (ulong granule in new ulong[] { 0, 1, 0xFFFFFFFFFFFFFFFF, 999UL * (ulong)seed.Length, 1UL << 31, 1UL << 40, 1UL << 62, 0x7FFFFFFFFFFFFFFF })
                    yield return Page($"{name} page@{at} granule {granule:X}", seed, at, b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 6), granule));
                foreach (byte flags in new byte[] { 0, 1, 2, 4, 5, 7, 0xFF })
                    yield return Page($"{name} page@{at} flags {flags}", seed, at, b => b[at + 5] = flags);
                foreach (int count in new[] { 0, 1, segments - 1, segments + 1, 255 })
                    yield return Page($"{name} page@{at} segment count {count}", seed, at, b => b[at + 26] = (byte)count);
                for (int k = 0; k < 3; k++)
                {
                    int s = m.Rng.Next(segments);
                    byte lie = m.Pick<byte>([0, 1, 254, 255, (byte)(seed[at + 27 + s] + 1)]);
                    yield return Page($"{name} page@{at} segment {s} length {lie}", seed, at, b => b[at + 27 + s] = lie);
                }
                yield return Page($"{name} page@{at} version 1", seed, at, b => b[at + 4] = 1);
                yield return Page($"{name} page@{at} sequence +5", seed, at, b => b[at + 18] += 5);
                yield return Page($"{name} page@{at} other serial", seed, at, b => b[at + 14] ^= 0x55);
                yield return new FuzzCase($"{name} page@{at} bad CRC", Mutator.WithByte(seed, at + 22, (byte)(seed[at + 22] ^ 1)));
            }

            // The identification header: version, channels, rate, block sizes, framing bit.
            int id = pages[0].At + pages[0].HeaderBytes + 7;
            foreach (uint v in new uint[] { 1, 0xFFFFFFFF })
                yield return Page($"{name} vorbis version {v}", seed, 0, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(id), v));
            foreach (byte channels in new byte[] { 0, 1, 2, 3, 8, 255 })
                yield return Page($"{name} channels {channels}", seed, 0, b => b[id + 4] = channels);
            foreach (uint rate in new uint[] { 0, 1, 8000, 0x7FFFFFFF, 0xFFFFFFFF })
                yield return Page($"{name} rate {rate}", seed, 0, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(id + 5), rate));
            for (int sizes = 0; sizes < 256; sizes += 17)
            {
                byte bs = (byte)sizes;
                yield return Page($"{name} block sizes {bs:X2}", seed, 0, b => b[id + 21] = bs);
            }
            yield return Page($"{name} framing bit cleared", seed, 0, b => b[id + 22] = 0);

            // Gigabyte lengths in the comment header (vendor string, comment count) and in the first codebook's header.
            int comments = seed.AsSpan().IndexOf("\u0003vorbis"u8) + 7, book = seed.AsSpan().IndexOf("\u0005vorbis"u8) + 8;
            int commentPage = pages.Last(p => p.At <= comments).At, bookPage = pages.Last(p => p.At <= book).At;
            foreach (uint lie in new uint[] { 0x7FFFFFFF, 0xFFFFFFFF, 0x40000000, (uint)seed.Length })
            {
                yield return Page($"{name} vendor length {lie}", seed, commentPage, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(comments), lie));
                int count = comments + 4 + BinaryPrimitives.ReadInt32LittleEndian(seed.AsSpan(comments));
                yield return Page($"{name} comment count {lie}", seed, commentPage, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(count), lie));
            }
            foreach (var (dims, entries) in new (ushort, uint)[] { (0xFFFF, 0xFFFFFF), (1, 0xFFFFFF), (0xFFFF, 1), (0, 0xFFFF), (0, 0) })
            {
                yield return Page($"{name} first codebook {dims} x {entries}", seed, bookPage, b =>
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(book + 3), dims);
                    (b[book + 5], b[book + 6], b[book + 7]) = ((byte)entries, (byte)(entries >> 8), (byte)(entries >> 16));
                });
            }

            // The setup header on the second page holds the codebooks, floors and residues: damage there, re-signed.
            var (setup, setupHeader, setupBody) = pages[1];
            for (int k = 0; k < 60; k++)
            {
                var b = m.FlipBits(seed[(setup + setupHeader)..(setup + setupHeader + setupBody)], 1 + m.Rng.Next(4));
                yield return Page($"{name} setup flip #{k}", seed, setup, page => b.CopyTo(page, setup + setupHeader));
            }
        }

        // Random damage to every page, most of it re-signed page by page.
        foreach (var c in RandomDamage(m, seeds, b => m.Rng.Next(4) == 0 ? b : Resign(b)))
            yield return c;
    }

    /// <summary>A copy of <paramref name="seed"/> changed by <paramref name="change"/>, with the page at <paramref name="at"/> given a fresh CRC.</summary>
    private static FuzzCase Page(string name, byte[] seed, int at, Action<byte[]> change)
    {
        var b = (byte[])seed.Clone();
        change(b);
        return new FuzzCase(name, FuzzLayout.WithOggCrc(b, at));
    }

    /// <summary>Gives every page still found by walking the file a fresh CRC.</summary>
    private static byte[] Resign(byte[] bytes)
    {
        foreach (var (at, _, _) in FuzzLayout.OggPages(bytes))
            FuzzLayout.WithOggCrc(bytes, at);
        return bytes;
    }
}
