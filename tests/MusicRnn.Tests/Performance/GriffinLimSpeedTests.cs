using MusicRnn.Codecs;
using MusicRnn.Performance;

namespace MusicRnn.Tests.Performance;

public sealed class GriffinLimSpeedTests
{
    [Theory]
    [InlineData("stft")]
    [InlineData("mel")]
    public void Should_report_the_audio_decoded_and_its_multiple_of_real_time(string name)
    {
        // Given a tiny measurement: a quarter second at 256/64 and 8000 Hz, 16 mel bands, 2 iterations, 2 runs
        var settings = new CodecSettings(name, 256, 8000) { Hop = 64, PhaseIterations = 2, MelBands = name == "mel" ? 16 : null };

        // When measured
        var speed = GriffinLimSpeed.Measure(settings, audioSeconds: 0.25, runs: 2);

        // Then it says what it decoded (F·H samples of 2000: ⌈2000/64⌉ + 3 frames = 35 hops) and how fast, consistently
        Assert.Equal((name, 256, 64, 8000, 2), (speed.Codec, speed.FrameLength, speed.Hop, speed.SampleRate, speed.Iterations));
        Assert.Equal(35 * 64 / 8000.0, speed.AudioSeconds, 12);
        Assert.Equal(2, speed.Milliseconds.Runs.Count);
        Assert.All(speed.Milliseconds.Runs, ms => Assert.True(ms > 0));
        Assert.Equal(speed.AudioSeconds / (speed.Milliseconds.Best / 1000), speed.TimesRealTime, 9);
        Assert.True(speed.TimesRealTime >= speed.TimesRealTimeMedian);
    }

    [Fact]
    public void Should_refuse_an_exact_codec_naming_the_codec()
    {
        // Given rfft, which has no phase to rebuild; When measured; Then the error names --codec
        var error = Assert.Throws<InputException>(() => GriffinLimSpeed.Measure(new CodecSettings("rfft", 256, 8000), audioSeconds: 0.25, runs: 1));
        Assert.Contains("--codec", error.Message, StringComparison.Ordinal);
    }
}
