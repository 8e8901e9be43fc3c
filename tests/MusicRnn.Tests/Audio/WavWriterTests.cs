using System.Buffers.Binary;
using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

public sealed class WavWriterTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static float[] Noise(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
    }

    [Fact]
    public void Should_round_trip_F32_exactly()
    {
        // Given seeded noise in [-1, 1], with both ends included
        var x = Noise(10_000, seed: 1).Concat([1f, -1f, 0f]).ToArray();
        var path = _temp.File("f32.wav");

        // When written as 32-bit float and read back
        AudioFile.WriteWav(path, x, 22050, SampleFormat.F32);
        var back = AudioFile.Read(path);

        // Then every sample is identical
        Assert.Equal(x, back.Channels[0]);
        Assert.Equal(new AudioInfo(path, "WAV", "IEEE float 32-bit", 22050, 1, x.Length), back.Info);
    }

    [Fact]
    public void Should_round_trip_S16_within_one_step()
    {
        // Given seeded noise in [-1, 1]
        var x = Noise(10_000, seed: 2);
        var path = _temp.File("s16.wav");

        // When written as 16-bit PCM and read back
        AudioFile.WriteWav(path, x, 44100, SampleFormat.S16);
        var back = AudioFile.Read(path);

        // Then every sample is within 1/32768
        Assert.Equal(44100, back.Info.SampleRate);
        Assert.Equal(x.Length, back.Channels[0].Length);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(x[i] - back.Channels[0][i]) <= 1.0 / 32768, $"sample {i}: {x[i]} -> {back.Channels[0][i]}");
    }

    [Fact]
    public void Should_clip_S16_at_full_scale_instead_of_wrapping()
    {
        // Given samples beyond full scale and at it
        float[] x = [1.5f, -1.5f, 1f, -1f, 0.5f, 100f, float.NegativeInfinity];
        var path = _temp.File("clip.wav");

        // When written as 16-bit PCM
        AudioFile.WriteWav(path, x, 8000, SampleFormat.S16);

        // Then the stored integers (read straight from the file's 44-byte header onwards) are clipped, never wrapped
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(44 + (2 * x.Length), bytes.Length);
        var stored = Enumerable.Range(0, x.Length).Select(i => BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + (2 * i)))).ToArray();
        Assert.Equal(new short[] { 32767, -32768, 32767, -32768, 16384, 32767, -32768 }, stored);
    }

    [Fact]
    public void Should_count_what_S16_clips()
    {
        // Given samples beyond full scale (and infinite), at it, and inside it
        float[] x = [1.5f, -1.5f, 1f, -1f, 0.5f, 100f, float.NegativeInfinity, 1.0000001f];

        // When written as 16-bit PCM, whole and block by block
        var path = _temp.File("count.wav");
        var clipped = AudioFile.WriteWav(path, x, 8000, SampleFormat.S16);
        using var writer = AudioFile.CreateWav(_temp.File("count-blocks.wav"), 8000, SampleFormat.S16);
        writer.Write(x.AsSpan(0, 3));
        writer.Write(x.AsSpan(3));
        writer.Complete();

        // Then the five samples outside [-1, 1] are counted, full scale itself is not
        Assert.Equal(5, clipped);
        Assert.Equal(5, writer.ClippedSamples);
    }

    [Fact]
    public void Should_keep_F32_samples_beyond_full_scale()
    {
        // Given samples beyond full scale, one of them infinite
        float[] x = [1.5f, -3f, 0.25f, 1e6f, float.PositiveInfinity];
        var path = _temp.File("loud32.wav");

        // When written as float and read back
        var clipped = AudioFile.WriteWav(path, x, 8000, SampleFormat.F32);

        // Then every finite sample comes back as it was (32-bit float holds them); only the infinity, which no
        // reader accepts, became full scale, and it is the one sample counted as clipped
        Assert.Equal(new[] { 1.5f, -3f, 0.25f, 1e6f, 1f }, AudioFile.Read(path).Channels[0]);
        Assert.Equal(1, clipped);
    }

    [Fact]
    public void Should_say_what_each_format_stores()
    {
        // Given a block writer of each format
        using var s16 = AudioFile.CreateWav(_temp.File("s16.wav"), 8000, SampleFormat.S16);
        using var f32 = AudioFile.CreateWav(_temp.File("f32.wav"), 8000, SampleFormat.F32);

        // When asked what a loud sample becomes
        // Then 16-bit clips and rounds to 1/32768, float keeps it, and asking counts nothing
        Assert.Equal(32767 / 32768f, s16.Stored(2f));
        Assert.Equal(2f, f32.Stored(2f));
        Assert.Equal(0, s16.ClippedSamples);
        Assert.Throws<ArgumentException>(() => f32.Stored(float.NaN));
    }

    [Fact]
    public void Should_write_a_plain_PCM_header_that_other_readers_understand()
    {
        // Given one second of a 440 Hz tone
        var x = Signals.Sine(440, 22050, 22050);
        var path = _temp.File("header.wav");

        // When written as 16-bit PCM
        AudioFile.WriteWav(path, x, 22050, SampleFormat.S16);

        // Then the canonical 44-byte header says: RIFF size, PCM tag 1, mono, 22050 Hz, 44100 B/s, align 2, 16 bits
        var h = File.ReadAllBytes(path).AsSpan();
        Assert.True(h[..4].SequenceEqual("RIFF"u8) && h[8..16].SequenceEqual("WAVEfmt "u8) && h[36..40].SequenceEqual("data"u8));
        Assert.Equal((uint)(h.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(h[4..]));
        Assert.Equal(16u, BinaryPrimitives.ReadUInt32LittleEndian(h[16..]));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(h[20..]));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(h[22..]));
        Assert.Equal(22050u, BinaryPrimitives.ReadUInt32LittleEndian(h[24..]));
        Assert.Equal(44100u, BinaryPrimitives.ReadUInt32LittleEndian(h[28..]));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(h[32..]));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(h[34..]));
        Assert.Equal((uint)(2 * x.Length), BinaryPrimitives.ReadUInt32LittleEndian(h[40..]));
    }

    [Fact]
    public void Should_write_an_empty_signal_as_a_valid_empty_file()
    {
        // Given no samples
        var path = _temp.File("empty.wav");

        // When written and probed
        AudioFile.WriteWav(path, [], 22050, SampleFormat.F32);

        // Then the file is a valid WAV with zero frames
        Assert.Equal(0, AudioFile.Probe(path).FramesPerChannel);
        Assert.Empty(AudioFile.Read(path).Channels[0]);
    }

    [Fact]
    public void Should_refuse_NaN_rather_than_write_silence()
    {
        // Given a signal with a NaN in it (a diverged model)
        float[] x = [0.1f, float.NaN];

        // When / Then writing fails loudly and names the sample
        var ex = Assert.Throws<ArgumentException>(() => AudioFile.WriteWav(_temp.File("nan.wav"), x, 8000, SampleFormat.S16));
        Assert.Contains("sample 1 is NaN", ex.Message);
    }

    [Fact]
    public void Should_refuse_a_path_in_a_missing_folder_with_a_message_naming_it()
    {
        // Given a path inside a folder that does not exist
        var path = Path.Combine(_temp.Path, "no-such-folder", "out.wav");

        // When / Then writing gives a one-line InputException that starts with the path
        var ex = Assert.Throws<InputException>(() => AudioFile.WriteWav(path, new float[4], 8000, SampleFormat.S16));
        Assert.StartsWith($"{path}: cannot write: ", ex.Message);
    }
}
