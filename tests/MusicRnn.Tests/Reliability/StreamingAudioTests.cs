using MusicRnn.Audio;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// The block-by-block audio paths behind inspect and transcode give exactly what the
/// whole-signal paths give, whatever the block sizes.
/// </summary>
public sealed class StreamingAudioTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[] Noise(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((2 * random.NextDouble()) - 1) * 0.7f).ToArray();
    }

    /// <summary>Block sizes from 0 to a few thousand, seeded, covering blocks shorter than the filter.</summary>
    private static IEnumerable<int> Blocks(int total, int seed)
    {
        var random = new Random(seed);
        for (int done = 0; done < total;)
        {
            int n = Math.Min(total - done, random.Next(4) switch { 0 => 0, 1 => 1 + random.Next(7), 2 => random.Next(300), _ => random.Next(5000) });
            done += n;
            yield return n;
        }
    }

    [Theory]
    [InlineData(44100, 22050)]
    [InlineData(22050, 44100)]
    [InlineData(44100, 8000)]
    [InlineData(48000, 44100)]
    [InlineData(44100, 22051)] // up = 22051 > 4096 table rows: interpolated phases
    [InlineData(16000, 16000)]
    public void Should_resample_a_stream_of_blocks_exactly_as_the_whole_signal(int from, int to)
    {
        // Given a noise signal cut into blocks of random sizes
        var x = Noise(30_011, seed: from + to);
        var whole = Resampler.Resample(x, from, to);

        // When it is resampled block by block
        var streamed = new List<float>();
        var stream = Resampler.Streaming(from, to);
        int at = 0;
        foreach (int n in Blocks(x.Length, seed: 3))
        {
            stream.Push(x.AsSpan(at, n), block => streamed.AddRange(block.ToArray()));
            at += n;
        }
        stream.Finish(block => streamed.AddRange(block.ToArray()));

        // Then the output is the whole-signal output, bit for bit
        Assert.Equal(whole.Length, streamed.Count);
        int firstDifference = Enumerable.Range(0, whole.Length).FirstOrDefault(i => whole[i] != streamed[i], -1);
        Assert.True(firstDifference < 0, $"first difference at output {firstDifference}");
    }

    [Fact]
    public void Should_measure_peak_and_rms_of_blocks_as_of_the_whole_signal()
    {
        // Given a signal with its loudest sample in the middle, when measured in blocks
        var x = Noise(10_000, seed: 8);
        x[5_123] = -0.99f;
        var meter = new Loudness.Meter();
        int at = 0;
        foreach (int n in Blocks(x.Length, seed: 4))
        {
            meter.Add(x.AsSpan(at, n));
            at += n;
        }

        // Then peak and RMS equal the whole-signal figures exactly
        Assert.Equal(Loudness.PeakDbfs(x), meter.PeakDbfs);
        Assert.Equal(Loudness.RmsDbfs(x), meter.RmsDbfs);
        Assert.Equal(double.NegativeInfinity, new Loudness.Meter().RmsDbfs);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(22050)]
    public void Should_decode_mono_blocks_that_join_into_ReadMono(int? rate)
    {
        // Given a stereo 16-bit WAV of 3 s at 44.1 kHz (different noise on each channel)
        var left = Noise(3 * 44100, seed: 1);
        var right = Noise(3 * 44100, seed: 2);
        string path = _dir.File("stereo.wav");
        File.WriteAllBytes(path, new Audio.WavBuilder().Fmt(1, 2, 44100, 16)
            .Chunk("data", Audio.WavBuilder.Ints(left.Zip(right).SelectMany(p => new long[] { (long)(p.First * 32767), (long)(p.Second * 32767) }), 2)).ToBytes());

        // When decoded block by block
        var blocks = new List<float>();
        var info = AudioFile.ReadMonoBlocks(path, rate, block => blocks.AddRange(block.ToArray()));

        // Then the blocks join into exactly what ReadMono returns, and the info counts the frames decoded
        var whole = AudioFile.ReadMono(path, rate ?? 44100);
        Assert.True(whole.AsSpan().SequenceEqual(blocks.ToArray()));
        Assert.Equal(3 * 44100, info.FramesPerChannel);
        Assert.Equal(2, info.Channels);
    }

    [Theory]
    [InlineData(SampleFormat.S16)]
    [InlineData(SampleFormat.F32)]
    public void Should_write_a_wav_in_blocks_byte_for_byte_as_WriteWav_and_only_when_completed(SampleFormat format)
    {
        // Given samples that overshoot [-1, 1]
        var x = Noise(100_003, seed: 9).Select(v => v * 1.6f).ToArray();
        string expected = _dir.File("whole.wav");
        AudioFile.WriteWav(expected, x, 22050, format);

        // When written block by block
        string path = _dir.File("blocks.wav");
        using (var writer = AudioFile.CreateWav(path, 22050, format))
        {
            int at = 0;
            foreach (int n in Blocks(x.Length, seed: 5))
            {
                writer.Write(x.AsSpan(at, n));
                at += n;
            }
            Assert.False(File.Exists(path)); // not under its name before it is whole
            writer.Complete();
        }

        // Then the file is identical, and Stored() predicts what a reader gets back
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(path));
        var read = AudioFile.ReadMono(path, 22050);
        using var probe = AudioFile.CreateWav(_dir.File("probe.wav"), 22050, format);
        Assert.True(read.AsSpan().SequenceEqual(x.Select(probe.Stored).ToArray()));
    }

    [Fact]
    public void Should_leave_no_file_when_a_block_write_is_abandoned()
    {
        // Given a writer that fails before completing (as a decode error halfway would make it)
        string path = _dir.File("abandoned.wav");
        using (var writer = AudioFile.CreateWav(path, 8000, SampleFormat.S16))
            writer.Write(new float[1000]);

        // Then neither the file nor its partial data remain
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Should_pass_the_callers_own_failure_through_rather_than_blame_the_file()
    {
        // Given a good file and a consumer that fails (as a full disk or a codec bug would)
        string path = _dir.File("good.wav");
        AudioFile.WriteWav(path, Noise(50_000, seed: 6), 8000, SampleFormat.S16);

        // When decoding into it, then the consumer's exception arrives as it was, not as "cannot decode"
        var thrown = Assert.Throws<InvalidOperationException>(() =>
            AudioFile.ReadMonoBlocks(path, 8000, _ => throw new InvalidOperationException("consumer broke")));
        Assert.Equal("consumer broke", thrown.Message);
    }
}
