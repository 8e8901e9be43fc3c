using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

public sealed class WavStreamWriterTests
{
    [Theory]
    [InlineData(SampleFormat.S16)]
    [InlineData(SampleFormat.F32)]
    public void Should_write_the_same_bytes_as_a_one_shot_write(SampleFormat format)
    {
        // Given a seeded signal that overshoots [-1, 1]
        using var dir = new TempDir();
        var random = new Random(5);
        var samples = Enumerable.Range(0, 3001).Select(_ => (float)(random.NextDouble() * 3 - 1.5)).ToArray();

        // When writing it in uneven pieces, and whole with AudioFile
        using (var writer = new WavStreamWriter(dir.File("streamed.wav"), 22050, format))
        {
            writer.Write(samples.AsSpan(0, 1000));
            writer.Write(samples.AsSpan(1000, 1));
            writer.Write(samples.AsSpan(1001));
            Assert.Equal(3001, writer.SamplesWritten);
        }
        AudioFile.WriteWav(dir.File("whole.wav"), samples, 22050, format);

        // Then both files are identical, sizes in the header included
        Assert.Equal(File.ReadAllBytes(dir.File("whole.wav")), File.ReadAllBytes(dir.File("streamed.wav")));
    }

    [Fact]
    public void Should_clip_rather_than_wrap_when_read_back()
    {
        // Given samples far outside [-1, 1]
        using var dir = new TempDir();
        var path = dir.File("loud.wav");

        // When streaming them to a 16-bit file and reading it back
        using (var writer = new WavStreamWriter(path, 8000, SampleFormat.S16))
            writer.Write([4f, -4f, 0.5f]);
        var back = AudioFile.ReadMono(path, 8000);

        // Then they sit at full scale with their sign kept, and in-range samples survive
        Assert.Equal(3, back.Length);
        Assert.True(back[0] > 0.999f);
        Assert.True(back[1] <= -0.999f);
        Assert.Equal(0.5f, back[2], 4);
    }
}
