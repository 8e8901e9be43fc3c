using MusicRnn.Performance;

namespace MusicRnn.Tests.Performance;

public sealed class GriffinLimSpeedTests
{
    [Fact]
    public void Should_report_the_audio_decoded_and_its_multiple_of_real_time()
    {
        // Given a tiny measurement: a quarter second at 256/64, 2 iterations, 2 runs
        // When measured
        var speed = GriffinLimSpeed.Measure(audioSeconds: 0.25, frameLength: 256, hop: 64, sampleRate: 8000, iterations: 2, runs: 2);

        // Then it says what it decoded (F·H samples of 2000: ⌈2000/64⌉ + 3 frames = 35 hops) and how fast, consistently
        Assert.Equal((256, 64, 8000, 2), (speed.FrameLength, speed.Hop, speed.SampleRate, speed.Iterations));
        Assert.Equal(35 * 64 / 8000.0, speed.AudioSeconds, 12);
        Assert.Equal(2, speed.Milliseconds.Runs.Count);
        Assert.All(speed.Milliseconds.Runs, ms => Assert.True(ms > 0));
        Assert.Equal(speed.AudioSeconds / (speed.Milliseconds.Best / 1000), speed.TimesRealTime, 9);
        Assert.True(speed.TimesRealTime >= speed.TimesRealTimeMedian);
    }
}
