using MusicRnn.Models;
using MusicRnn.Performance;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Performance;

public sealed class SampleTrainingSpeedTests
{
    [Fact]
    public void Should_report_each_frame_tier_s_samples_per_update_and_their_rate()
    {
        // Given the four frame tiers at a tiny workload: 2 streams of 32 samples, 1 warm-up and 2 timed updates
        Architecture[] archs = [Architecture.Rnn, Architecture.Lstm, Architecture.Gru, Architecture.CwRnn];

        // When measured
        var speeds = SampleTrainingSpeed.Measure(archs, streams: 2, window: 32, warmup: 1, updates: 2, CPU, NullProgress.Instance);

        // Then every tier has its row of the default model (its parameter count) with the samples asked for, two positive
        // runs, a finite rate that follows from the best run, and the loss of a model that has not
        // learnt uniform levels yet (about log2 256 = 8 bits)
        Assert.Equal(["rnn", "lstm", "gru", "cwrnn"], speeds.Select(s => s.Arch));
        foreach (var s in speeds)
        {
            var spec = MusicRnn.Training.SampleLevelDefaults.ModelFor(Architectures.Find(s.Arch)!.Arch);
            Assert.Equal((256, 256, ParameterBudget.Count(spec), 2, 32, 64L), (s.Hidden, s.MlpSize, s.Parameters, s.Streams, s.Window, s.SamplesPerUpdate));
            Assert.Equal(2, s.Milliseconds.Runs.Count);
            Assert.All(s.Milliseconds.Runs, ms => Assert.True(ms > 0));
            Assert.True(double.IsFinite(s.SamplesPerSecond) && s.SamplesPerSecond > 0, s.Arch);
            Assert.Equal(64 / (s.Milliseconds.Best / 1e3), s.SamplesPerSecond, 6);
            Assert.True(s.SamplesPerSecond >= s.SamplesPerSecondMedian, s.Arch);
            Assert.InRange(s.LossBits, 7.5, 8.6);
        }
    }

    [Fact]
    public void Should_refuse_zero_timed_updates()
    {
        // Given no timed update; When measured; Then it is refused before any model is built
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SampleTrainingSpeed.Measure([Architecture.Gru], streams: 2, window: 32, warmup: 0, updates: 0, CPU, NullProgress.Instance));
    }
}
