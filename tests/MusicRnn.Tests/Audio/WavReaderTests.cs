using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

/// <summary>WAV decoding through <see cref="AudioFile"/>, on files built byte by byte by <see cref="WavBuilder"/>.</summary>
public sealed class WavReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // Two channels, so interleaving is checked too: left walks up from the minimum, right down from the maximum.
    private static readonly long[] Left16 = [-32768, -1, 0, 1, 12345];
    private static readonly long[] Right16 = [32767, 16384, -16384, 7, -7];

    private static IEnumerable<long> Interleave(long[] left, long[] right) => left.Zip(right).SelectMany(p => new[] { p.First, p.Second });

    [Theory]
    [InlineData(16, 32768.0)]
    [InlineData(24, 8388608.0)]
    [InlineData(32, 2147483648.0)]
    public void Should_decode_signed_PCM_as_the_integer_over_two_to_the_bits_minus_one(int bits, double scale)
    {
        // Given a stereo PCM file whose integers span the whole range of the depth
        double widen = scale / 32768.0;
        var left = Left16.Select(v => (long)(v * widen)).Append((long)scale - 1).ToArray();
        var right = Right16.Select(v => (long)(v * widen)).Append(-(long)scale).ToArray();
        var path = _temp.Write($"pcm{bits}.wav", new WavBuilder()
            .Fmt(1, 2, 8000, bits).Data(WavBuilder.Ints(Interleave(left, right), bits / 8)).ToBytes());

        // When read
        var audio = AudioFile.Read(path);

        // Then each sample is its integer / 2^(bits-1), in the right channel
        Assert.Equal(left.Select(v => (float)(v / scale)), audio.Channels[0]);
        Assert.Equal(right.Select(v => (float)(v / scale)), audio.Channels[1]);
        Assert.Equal($"PCM {bits}-bit", audio.Info.Encoding);
    }

    [Fact]
    public void Should_decode_8_bit_PCM_as_unsigned_with_128_as_zero()
    {
        // Given 8-bit samples 0, 64, 128, 192, 255
        var path = _temp.Write("pcm8.wav", new WavBuilder().Fmt(1, 1, 8000, 8).Data([0, 64, 128, 192, 255]).ToBytes());

        // When read
        var audio = AudioFile.Read(path);

        // Then they map to (b - 128) / 128
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 127f / 128 }, audio.Channels[0]);
    }

    [Fact]
    public void Should_decode_32_and_64_bit_IEEE_float()
    {
        // Given the same values stored as float32 and as float64, overshoot included
        float[] values = [0.5f, -0.25f, 1.5f, -1e-7f];
        var f32 = _temp.Write("f32.wav", new WavBuilder().Fmt(3, 1, 44100, 32).Data(WavBuilder.Floats(values)).ToBytes());
        var f64 = _temp.Write("f64.wav", new WavBuilder().Fmt(3, 1, 44100, 64).Data(WavBuilder.Doubles(values.Select(v => (double)v))).ToBytes());

        // When read
        var a = AudioFile.Read(f32);
        var b = AudioFile.Read(f64);

        // Then both give the values back exactly (decoding does not clip)
        Assert.Equal(values, a.Channels[0]);
        Assert.Equal(values, b.Channels[0]);
        Assert.Equal("IEEE float 64-bit", b.Info.Encoding);
    }

    [Fact]
    public void Should_mix_three_channels_down_to_their_mean()
    {
        // Given a 3-channel 16-bit file
        long[] samples = [3000, 6000, -3000, -32768, 32767, 1, 100, 200, 300];
        var path = _temp.Write("three.wav", new WavBuilder().Fmt(1, 3, 16000, 16).Data(WavBuilder.Ints(samples, 2)).ToBytes());

        // When read as mono at its own rate
        var mono = AudioFile.ReadMono(path, 16000);

        // Then each sample is the mean of the frame's three channels
        var expected = samples.Chunk(3).Select(f => (float)(f.Sum() / 3.0 / 32768)).ToArray();
        Assert.Equal(expected.Length, mono.Length);
        for (int i = 0; i < mono.Length; i++)
            Assert.Equal(expected[i], mono[i], 1e-6f);
        Assert.Equal(3, AudioFile.Probe(path).Channels);
    }

    [Fact]
    public void Should_decode_WAVE_FORMAT_EXTENSIBLE_with_the_PCM_subformat()
    {
        // Given a 24-bit extensible file with the KSDATAFORMAT_SUBTYPE_PCM GUID
        var path = _temp.Write("ext.wav", new WavBuilder()
            .FmtExtensible(WavBuilder.PcmSubformat, 1, 96000, 24, 24).Data(WavBuilder.Ints([4194304, -8388608], 3)).ToBytes());

        // When read
        var audio = AudioFile.Read(path);

        // Then it decodes as 24-bit PCM
        Assert.Equal(new[] { 0.5f, -1f }, audio.Channels[0]);
        Assert.Equal(96000, audio.Info.SampleRate);
    }

    [Fact]
    public void Should_walk_unknown_and_odd_sized_chunks_and_accept_data_before_fmt()
    {
        // Given data before fmt, and unknown odd-sized chunks: one padded as RIFF says, one whose writer forgot the pad
        var path = _temp.Write("order.wav", new WavBuilder()
            .Chunk("LIST", [1, 2, 3])
            .Data(WavBuilder.Ints([16384, -16384, 8192], 2))
            .Chunk("junk", [9, 9, 9, 9, 9], pad: false)
            .Fmt(1, 1, 22050, 16)
            .ToBytes());

        // When probed and read
        var info = AudioFile.Probe(path);
        var audio = AudioFile.Read(path);

        // Then the samples and the header are found
        Assert.Equal(3, info.FramesPerChannel);
        Assert.Equal(22050, info.SampleRate);
        Assert.Equal(new[] { 0.5f, -0.5f, 0.25f }, audio.Channels[0]);
    }

    [Fact]
    public void Should_probe_the_header_and_report_the_duration()
    {
        // Given a second of 16-bit stereo silence at 8000 Hz
        var path = _temp.Write("probe.wav", new WavBuilder().Fmt(1, 2, 8000, 16).Data(new byte[8000 * 4]).ToBytes());

        // When probed
        var info = AudioFile.Probe(path);

        // Then it describes the file
        Assert.Equal(new AudioInfo(path, "WAV", "PCM 16-bit", 8000, 2, 8000), info);
        Assert.Equal(1.0, info.Seconds);
    }

    [Fact]
    public void Should_drop_a_trailing_partial_frame()
    {
        // Given a stereo 16-bit data chunk of 7 bytes: one whole frame and three stray bytes
        var path = _temp.Write("partial.wav", new WavBuilder().Fmt(1, 2, 8000, 16).Data([0, 64, 0, 192, 1, 2, 3]).ToBytes());

        // When read
        var audio = AudioFile.Read(path);

        // Then only the whole frame is decoded
        Assert.Equal(new[] { 0.5f }, audio.Channels[0]);
        Assert.Equal(new[] { -0.5f }, audio.Channels[1]);
    }

    [Fact]
    public void Should_read_long_files_in_blocks_without_losing_samples()
    {
        // Given a 16-bit stereo ramp longer than one decoding block
        int frames = 100_003;
        var ints = Enumerable.Range(0, frames).SelectMany(i => new long[] { (i % 65536) - 32768, -((i % 65536) - 32768) - 1 });
        var path = _temp.Write("long.wav", new WavBuilder().Fmt(1, 2, 44100, 16).Data(WavBuilder.Ints(ints, 2)).ToBytes());

        // When read whole and as mono
        var audio = AudioFile.Read(path);
        var mono = AudioFile.ReadMono(path, 44100);

        // Then every frame is there, in order, and the channels (x and -x - 1) average to -1/65536
        Assert.Equal(frames, audio.Channels[0].Length);
        for (int i = 0; i < frames; i += 997)
            Assert.Equal(((i % 65536) - 32768) / 32768f, audio.Channels[0][i]);
        Assert.All(mono, v => Assert.Equal(-1f / 65536, v));
    }
}
