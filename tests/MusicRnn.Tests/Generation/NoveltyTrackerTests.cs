using MusicRnn.Generation;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Generation;

public sealed class NoveltyTrackerTests
{
    private const int Features = 16;

    [Fact]
    public void Should_report_a_copied_segment_as_a_run_of_its_length()
    {
        // Given 120 training frames and output of 10 novel frames, then training frames 40..89 with slight noise
        using var training = Random(120, seed: 1);
        using var novel = Random(10, seed: 2);
        using var copy = training.narrow(0, 40, 50) + Random(50, seed: 3) * 1e-3;
        using var output = cat(new[] { novel, copy }, dim: 0);

        // When tracked in chunks of 7 (so runs cross chunk edges)
        var metrics = Track(training, output, chunk: 7);

        // Then the longest copied run is the 50 copied frames, found where they are
        Assert.Equal(50, metrics.LongestCopiedRun);
        Assert.Equal(10, metrics.CopiedRunGeneratedStart);
        Assert.Equal(40, metrics.CopiedRunTrainingStart);
        Assert.Equal(60, metrics.GeneratedFrames);
    }

    [Fact]
    public void Should_take_the_longest_of_two_copied_stretches()
    {
        // Given output that copies training frames 10..29 then jumps to 60..74
        using var training = Random(100, seed: 4);
        using var output = cat(new[] { training.narrow(0, 10, 20), training.narrow(0, 60, 15) }, dim: 0);

        // When tracked
        var metrics = Track(training, output, chunk: 256);

        // Then the jump breaks the run: the longest is 20, and every frame is on a training frame
        Assert.Equal(20, metrics.LongestCopiedRun);
        Assert.Equal(10, metrics.CopiedRunTrainingStart);
        Assert.True(metrics.MeanNearestDistance < 0.01 * metrics.TrainingFrameRms, $"nearest {metrics.MeanNearestDistance}");
    }

    [Fact]
    public void Should_find_no_copy_in_white_noise()
    {
        // Given training frames and output of independent white noise
        using var training = Random(200, seed: 5);
        using var output = Random(100, seed: 6);

        // When tracked
        var metrics = Track(training, output, chunk: 30);

        // Then nothing is copied, and the nearest training frame is far (about √2 × the RMS norm for
        // independent Gaussian frames, minus what taking the nearest of 200 gains)
        Assert.Equal(0, metrics.LongestCopiedRun);
        Assert.Equal(-1, metrics.CopiedRunGeneratedStart);
        Assert.InRange(metrics.MeanNearestDistance / metrics.TrainingFrameRms, 0.5, 1.5);
    }

    private static NoveltyMetrics Track(Tensor training, Tensor output, int chunk)
    {
        using var tracker = new NoveltyTracker(training);
        for (long start = 0; start < output.shape[0]; start += chunk)
        {
            using var piece = output.narrow(0, start, Math.Min(chunk, output.shape[0] - start));
            tracker.Add(piece);
        }
        return tracker.Result();
    }

    private static Tensor Random(int count, long seed)
    {
        using var g = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        return randn(new long[] { count, Features }, generator: g);
    }
}
