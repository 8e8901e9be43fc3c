using System.Buffers.Binary;
using MusicRnn.Analysis;
using static MusicRnn.Tests.Analysis.AnalysisTestKit;

namespace MusicRnn.Tests.Analysis;

public sealed class SpectrogramImageTests
{
    [Theory]
    [InlineData(900, 260)]
    [InlineData(640, 200)]
    public void Should_write_a_png_of_the_stated_size(int width, int height)
    {
        // Given 4 s of the synthesized track
        using var folder = new TempDir();
        var path = folder.File("track.png");

        // When its spectrogram is written
        SpectrogramImage.Write(path, Track(120, seed: 0, seconds: 4), Rate, "synthesized track, 120 BPM", width, height);

        // Then the file is a PNG (signature, then the IHDR chunk) of that many pixels
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    [Fact]
    public void Should_draw_the_same_audio_the_same_and_different_audio_differently()
    {
        // Given the real excerpt, and white noise of its length and level
        var excerpt = Excerpt();
        var noise = Noise(excerpt.Length, Rms(excerpt), seed: 1);

        // When each is drawn (the excerpt twice) under one title
        var first = SpectrogramImage.Render(excerpt, Rate, "audio");
        var again = SpectrogramImage.Render(excerpt, Rate, "audio");
        var other = SpectrogramImage.Render(noise, Rate, "audio");

        // Then drawing is deterministic, and the pictures of different audio differ
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Should_draw_audio_longer_than_the_picture_is_wide_and_audio_shorter_than_a_window()
    {
        // Given 60 s of audio (2580 frames for 900 pixels) and 1000 samples (no frame at all)
        var images = new[] { Noise(60 * Rate, 0.1, seed: 2), Noise(1000, 0.1, seed: 3) }
            .Select(audio => SpectrogramImage.Render(audio, Rate, "audio"));

        // Then both make pictures
        Assert.All(images, png => Assert.True(png.Length > 1000));
    }
}
