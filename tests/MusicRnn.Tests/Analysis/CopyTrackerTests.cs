using MusicRnn.Analysis;
using Xunit.Abstractions;
using static MusicRnn.Tests.Analysis.AnalysisTestKit;

namespace MusicRnn.Tests.Analysis;

public sealed class CopyTrackerTests(ITestOutputHelper output)
{
    private const double Hop = 512.0 / Rate;   // one analysis frame, 23 ms

    [Theory]
    [InlineData(2, 0, "on the sample's frame grid")]
    [InlineData(2, 64, "an eighth of a hop off the grid, as far from any phase as can be")]
    [InlineData(5, 192, "three eighths of a hop off, as far from any phase again")]
    [InlineData(6, 301, "anywhere")]
    public void Should_measure_a_copied_stretch_of_training_audio_at_its_length(int fromSecond, int offset, string placement)
    {
        // Given 10 s of training audio, and a sample of other music with 3 s of the training audio
        // copied into it 2.1 s in, taken from about `fromSecond` s in at `offset` samples from where
        // the sample's frame grid (every 512 samples) falls on the training audio
        var training = Track(120, seed: 0, seconds: 10);
        var other = Track(132, seed: 5, seconds: 8);
        var at = (2 * Rate) + 2205;
        var trainingStart = (fromSecond * Rate) - (((fromSecond * Rate) - at) % 512) + offset;
        var sample = Join(Cut(other, 0, at), Cut(training, trainingStart, 3 * Rate), Cut(other, at, 2 * Rate));

        // When tracked
        var copy = Copies(training, sample);

        // Then the copy is 3 s long within half an analysis frame (N/2 = 2 hops = 46 ms: whether the
        // frames over the copy's two edges, part copy and part other music, still match depends on
        // the music there), found where it is, from where it was taken
        output.WriteLine($"{placement}: {copy.Frames} frames, {copy.Seconds:F3} s at {copy.SampleStartSeconds:F3} s from {copy.TrainingStartSeconds:F3} s");
        Assert.InRange(copy.Seconds, 3 - (2 * Hop), 3 + (2 * Hop));
        Assert.InRange(copy.SampleStartSeconds!.Value, ((double)at / Rate) - Hop, ((double)at / Rate) + Hop);
        Assert.InRange(copy.TrainingStartSeconds!.Value, ((double)trainingStart / Rate) - Hop, ((double)trainingStart / Rate) + Hop);
    }

    [Fact]
    public void Should_find_nothing_copied_in_noise_or_in_other_music()
    {
        // Given training audio, and samples of white noise at its level and of another track
        var training = Track(120, seed: 0, seconds: 10);
        var noise = Noise(8 * Rate, Rms(training), seed: 10);
        var other = Track(100, seed: 3, seconds: 8);

        // When tracked
        var (fromNoise, fromOther) = (Copies(training, noise), Copies(training, other));

        // Then noise copies nothing, and other music at most a fraction of a second (shared drum sounds)
        output.WriteLine($"noise: {fromNoise.Seconds:F3} s, another track: {fromOther.Seconds:F3} s");
        Assert.Equal(0, fromNoise.Seconds);
        Assert.True(fromOther.Seconds < 0.3, $"copied {fromOther.Seconds} s");
    }

    [Fact]
    public void Should_not_count_silence_matching_silence_as_a_copy()
    {
        // Given training audio that opens with 3 s of silence, and a sample of 4 s of silence
        var training = Join(new float[3 * Rate], Track(120, seed: 0, seconds: 5));
        var sample = new float[4 * Rate];

        // When tracked, then nothing is copied
        Assert.Equal(0, Copies(training, sample).Seconds);
    }

    private static CopyMetrics Copies(float[] training, float[] sample)
    {
        var coarse = LogMelAnalyzer.Compute(training, Rate);
        var matching = FrameMatching.For(coarse, Rate);
        using var tracker = new CopyTracker(LogMelAnalyzer.Compute(training, Rate, matching.FineSettings), matching);
        tracker.Add(LogMelAnalyzer.Compute(sample, Rate));
        return tracker.Result();
    }
}
