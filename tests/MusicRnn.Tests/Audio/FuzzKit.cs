using System.Buffers.Binary;
using System.Diagnostics;
using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

/// <summary>One damaged file: what was done to which seed, and the resulting bytes.</summary>
internal sealed record FuzzCase(string Name, byte[] Bytes);

/// <summary>
/// Byte-level damage for fuzzing, all drawn from one seeded <see cref="Random"/> so a failing case
/// can be rebuilt from its name and the seed. Every method returns a new array; seeds stay intact.
/// </summary>
internal sealed class Mutator(int seed)
{
    private readonly Random _rng = new(seed);

    /// <summary>Values that break size arithmetic: zero, off-by-one, sign boundaries, gigabytes.</summary>
    public static readonly uint[] Interesting32 =
    [
        0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 39, 40, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        0x3FFFFFFF, 0x40000000, 0x7FFFFFFF, 0x80000000, 0xC0000000, 0xFFFFFFF0, 0xFFFFFFFE, 0xFFFFFFFF,
    ];

    public Random Rng => _rng;

    public T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    public static byte[] Truncate(byte[] seed, int length) => seed[..length];

    public byte[] FlipBits(byte[] seed, int count)
    {
        var b = (byte[])seed.Clone();
        for (int i = 0; i < count; i++)
            b[_rng.Next(b.Length)] ^= (byte)(1 << _rng.Next(8));
        return b;
    }

    public byte[] Overwrite(byte[] seed, int count)
    {
        var b = (byte[])seed.Clone();
        ReadOnlySpan<byte> special = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];
        for (int i = 0; i < count; i++)
            b[_rng.Next(b.Length)] = _rng.Next(2) == 0 ? special[_rng.Next(special.Length)] : (byte)_rng.Next(256);
        return b;
    }

    /// <summary>Several kinds of damage stacked: flips, overwrites, lying 16/32-bit fields, inserted, deleted and repeated ranges.</summary>
    public byte[] Havoc(byte[] seed)
    {
        var b = (byte[])seed.Clone();
        int steps = 1 + _rng.Next(4);
        for (int s = 0; s < steps && b.Length > 8; s++)
        {
            int at = _rng.Next(b.Length - 4);
            switch (_rng.Next(7))
            {
                case 0: b = FlipBits(b, 1 + _rng.Next(8)); break;
                case 1: b = Overwrite(b, 1 + _rng.Next(8)); break;
                case 2: BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), Pick(Interesting32)); break;
                case 3: BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), (ushort)Pick(Interesting32)); break;
                case 4:
                    var junk = new byte[1 + _rng.Next(64)];
                    _rng.NextBytes(junk);
                    b = [.. b.AsSpan(0, at), .. junk, .. b.AsSpan(at)];
                    break;
                case 5: b = [.. b.AsSpan(0, at), .. b.AsSpan(Math.Min(b.Length, at + 1 + _rng.Next(256)))]; break;
                default:
                    int len = Math.Min(b.Length - at, 1 + _rng.Next(512));
                    b = [.. b.AsSpan(0, at + len), .. b.AsSpan(at, len), .. b.AsSpan(at + len)];
                    break;
            }
        }
        return b;
    }

    public static byte[] WithLe32(byte[] seed, int at, uint value)
    {
        var b = (byte[])seed.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), value);
        return b;
    }

    public static byte[] WithLe16(byte[] seed, int at, ushort value)
    {
        var b = (byte[])seed.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), value);
        return b;
    }

    public static byte[] WithByte(byte[] seed, int at, byte value)
    {
        var b = (byte[])seed.Clone();
        b[at] = value;
        return b;
    }

    /// <summary>Offsets spread over the whole file plus every offset of its first <paramref name="head"/> bytes, where headers live.</summary>
    public static IEnumerable<int> CutPoints(int length, int spread, int head) =>
        Enumerable.Range(0, Math.Min(head, length))
            .Concat(Enumerable.Range(1, spread).Select(k => (int)((long)length * k / (spread + 1))))
            .Distinct();
}

/// <summary>Structure of the seed files, found by the tests' own walkers so that size fields can be aimed at.</summary>
internal static class FuzzLayout
{
    /// <summary>(id, offset of the 8-byte chunk header) for each chunk after RIFF....WAVE.</summary>
    public static List<(string Id, int At)> WavChunks(byte[] b)
    {
        var chunks = new List<(string, int)>();
        for (int pos = 12; pos + 8 <= b.Length;)
        {
            chunks.Add((System.Text.Encoding.ASCII.GetString(b, pos, 4), pos));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4));
            pos = (int)(pos + 8 + size + (size & 1));
        }
        return chunks;
    }

    /// <summary>Offsets of the frame headers of an MPEG stream, following each frame's length from the first sync.</summary>
    public static List<int> Mp3Frames(byte[] b)
    {
        var frames = new List<int>();
        int pos = 0;
        while (pos + 4 <= b.Length && Mp3Reader.ParseHeader(b.AsSpan(pos, 4)) is null)
            pos++;
        while (pos + 4 <= b.Length && Mp3Reader.ParseHeader(b.AsSpan(pos, 4)) is { } f)
        {
            frames.Add(pos);
            pos += f.Length;
        }
        return frames;
    }

    /// <summary>Ogg pages: start offset, header length (27 + segment count) and body length.</summary>
    public static List<(int At, int HeaderBytes, int BodyBytes)> OggPages(byte[] b)
    {
        var pages = new List<(int, int, int)>();
        for (int pos = 0; pos + 27 <= b.Length && b.AsSpan(pos, 4).SequenceEqual("OggS"u8);)
        {
            int segments = b[pos + 26];
            if (pos + 27 + segments > b.Length)
                break;
            int body = 0;
            for (int s = 0; s < segments; s++)
                body += b[pos + 27 + s];
            pages.Add((pos, 27 + segments, body));
            pos += 27 + segments + body;
        }
        return pages;
    }

    /// <summary>
    /// Recomputes the CRC of the page at <paramref name="at"/> from its (possibly lying) segment
    /// table, so a reader that checks CRCs accepts the damaged page and goes on to parse it. Pages
    /// whose declared extent runs past the end are left alone; no reader can accept them anyway.
    /// </summary>
    public static byte[] WithOggCrc(byte[] bytes, int at)
    {
        if (at + 27 > bytes.Length || at + 27 + bytes[at + 26] > bytes.Length)
            return bytes;
        int segments = bytes[at + 26];
        int end = at + 27 + segments;
        for (int s = 0; s < segments; s++)
            end += bytes[at + 27 + s];
        if (end > bytes.Length)
            return bytes;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 22), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 22), OggCrc(bytes.AsSpan(at, end - at)));
        return bytes;
    }

    // Ogg's CRC-32: polynomial 0x04C11DB7, bits fed most significant first, zero initial value, no final inversion.
    private static uint OggCrc(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        foreach (byte x in page)
        {
            crc ^= (uint)x << 24;
            for (int k = 0; k < 8; k++)
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
        }
        return crc;
    }
}

/// <summary>What a fuzz run saw: counts, the slowest and the most allocating case, and every contract breach.</summary>
internal sealed class FuzzReport(string format)
{
    public int Cases { get; set; }
    public int Decoded { get; set; }
    public int Refused { get; set; }
    public double SlowestMs { get; set; }
    public string SlowestCase { get; set; } = "";
    public long MostAllocated { get; set; }
    public string MostAllocatingCase { get; set; } = "";
    public double TotalSeconds { get; set; }
    public List<string> Breaches { get; } = [];

    /// <summary>Why decoding was refused, by the type of the decoder exception that was wrapped (or "own check").</summary>
    public SortedDictionary<string, int> RefusalCauses { get; } = new(StringComparer.Ordinal);

    public override string ToString() =>
        $"{format}: {Cases} cases in {TotalSeconds:F1} s, {Decoded} decoded, {Refused} refused; " +
        $"slowest {SlowestMs:F0} ms ({SlowestCase}); most allocated {MostAllocated / 1e6:F1} MB ({MostAllocatingCase}); " +
        $"refusal causes: {string.Join(", ", RefusalCauses.Select(kv => $"{kv.Key} {kv.Value}"))}";
}

/// <summary>
/// Decodes damaged files and checks the contract every input must meet: <see cref="AudioFile.Probe"/>
/// and <see cref="AudioFile.Read"/> either return or throw <see cref="InputException"/> (for Read,
/// with a one-line message naming the file), within <see cref="CaseLimit"/> for both together, and
/// allocate no more than the file could justify.
/// </summary>
internal static class FuzzHarness
{
    /// <summary>Longest time one case may take; decoding these files normally takes milliseconds.</summary>
    public static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(2);

    // A hung decoder never returns, so the cases run on their own thread and the test gives up on it after this.
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Bytes a whole decode of a <paramref name="fileBytes"/>-byte file may allocate. Each term is
    /// something an honest file (or a lie the readers cannot rule out cheaply) may legally cost:
    /// 64 MB for NVorbis's per-channel block buffers, which for Vorbis's largest legal header
    /// (255 channels of 8192-sample blocks) come to about 60 MB before any audio is read;
    /// 32 MB + 512 bytes per file byte for the codebook tables OggReader lets NVorbis build;
    /// 16 MB for the decode block, the first sample buffers, NLayer's tables and stream buffers;
    /// and 320 bytes per file byte for the samples, as the densest MPEG frames (48 bytes for 576
    /// samples on 2 channels) give about 100 bytes of floats per input byte and the doubling
    /// sample buffers and final copy roughly triple that. A size field believed without checking
    /// allocates gigabytes and is far past this.
    /// </summary>
    public static long AllocationBound(long fileBytes) => (112L << 20) + (832 * fileBytes);

    public static FuzzReport Run(string format, string extension, IEnumerable<FuzzCase> cases)
    {
        var report = new FuzzReport(format);
        string current = "(none)";
        var clock = Stopwatch.StartNew();
        var worker = new Thread(() =>
        {
            // An exception escaping a thread would end the whole test process, so the run records it instead.
            try
            {
                using var temp = new TempFolder();
                foreach (var c in cases)
                {
                    current = c.Name;
                    RunOne(report, temp.Write($"case{extension}", c.Bytes), c);
                }
            }
            catch (Exception ex)
            {
                report.Breaches.Add($"{current}: the harness failed: {ex}");
            }
        }, maxStackSize: 16 << 20) { IsBackground = true, Name = $"fuzz {format}" };
        worker.Start();
        if (!worker.Join(RunLimit))
            report.Breaches.Add($"{current}: still running after {RunLimit.TotalSeconds} s (hang?)");
        report.TotalSeconds = clock.Elapsed.TotalSeconds;
        return report;
    }

    /// <summary>The first namespace on the throwing stack that is not the runtime's own helpers.</summary>
    private static string Origin(Exception ex) =>
        new StackTrace(ex).GetFrames()
            .Select(f => f.GetMethod()?.DeclaringType?.Namespace ?? "")
            .FirstOrDefault(ns => ns.Length > 0 && !ns.StartsWith("System", StringComparison.Ordinal) && !ns.StartsWith("Internal", StringComparison.Ordinal))
        ?? "System";

    private static void RunOne(FuzzReport report, string path, FuzzCase c)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        // Probe (what `musicrnn inspect` runs) walks the headers on its own path, so it meets the same contract.
        try
        {
            AudioFile.Probe(path);
        }
        catch (Exception ex) when (ex is not InputException)
        {
            report.Breaches.Add($"{c.Name}: {ex.GetType().Name} escaped from Probe: {ex.Message}");
        }
        catch (InputException)
        {
        }
        Exception? error = null;
        try
        {
            AudioFile.Read(path);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        double ms = clock.Elapsed.TotalMilliseconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        report.Cases++;
        if (ms > report.SlowestMs)
            (report.SlowestMs, report.SlowestCase) = (ms, c.Name);
        if (allocated > report.MostAllocated)
            (report.MostAllocated, report.MostAllocatingCase) = (allocated, c.Name);

        switch (error)
        {
            case null:
                report.Decoded++;
                break;
            case InputException input:
                report.Refused++;
                string cause = input.InnerException is { } inner ? $"{inner.GetType().Name} in {Origin(inner)}" : "own check";
                report.RefusalCauses[cause] = report.RefusalCauses.GetValueOrDefault(cause) + 1;
                if (!input.Message.StartsWith(path + ": ", StringComparison.Ordinal) || input.Message.Contains('\n'))
                    report.Breaches.Add($"{c.Name}: message is not one line naming the file: {input.Message}");
                break;
            default:
                report.Breaches.Add($"{c.Name}: {error.GetType().Name} escaped: {error.Message}");
                break;
        }
        if (ms > CaseLimit.TotalMilliseconds)
            report.Breaches.Add($"{c.Name}: took {ms:F0} ms");
        if (allocated > AllocationBound(c.Bytes.Length))
            report.Breaches.Add($"{c.Name}: allocated {allocated} bytes for a {c.Bytes.Length}-byte file");
    }
}
