using MusicRnn.Objectives;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Objectives;

public sealed class FrameBaselinesTests
{
    private static Baseline Baseline(Target target, string name) => new FrameRegression(target).Baselines.Single(b => b.Name == name);

    [Fact]
    public void Should_measure_persistence_on_the_tail_targets()
    {
        // Given x_t = t over 10 frames with the last 2 held out
        using var frames = arange(10, dtype: ScalarType.Float32).unsqueeze(1);
        var songs = new[] { new TrainingSong("ramp", frames, 0.2) };

        // When measuring the persistence baseline for next-frame prediction and for reconstruction
        double? next = Baseline(Target.Next, "persistence").Measure(songs).Loss;
        double? same = Baseline(Target.Reconstruct, "persistence").Measure(songs).Loss;

        // Then predicting x_8 by x_7 and x_9 by x_8 errs by 1 each; reconstruction by persistence is exact
        Assert.Equal(8, songs[0].TailStart);
        Assert.Equal(1.0, next!.Value, 12);
        Assert.Equal(0.0, same!.Value, 12);
    }

    [Fact]
    public void Should_measure_the_mean_baseline_from_every_songs_training_frames()
    {
        // Given two ramps, 0..9 and 10..19, each with its last 2 frames held out
        using var a = arange(10, dtype: ScalarType.Float32).unsqueeze(1);
        using var b = arange(10, 20, dtype: ScalarType.Float32).unsqueeze(1);
        var songs = new[] { new TrainingSong("a", a, 0.2), new TrainingSong("b", b, 0.2) };

        // When measuring the mean baseline
        double? mean = Baseline(Target.Next, "mean").Measure(songs).Loss;

        // Then the training frames 0..7 and 10..17 average 8.5, and the tails 8, 9, 18, 19 miss it by
        // -0.5, 0.5, 9.5, 10.5: (0.25 + 0.25 + 90.25 + 110.25) / 4 = 50.25
        Assert.Equal(50.25, mean!.Value, 12);
    }

    [Fact]
    public void Should_predict_frames_that_follow_a_fixed_linear_recurrence_exactly()
    {
        // Given frames that obey x_{t+1} = A x_t + B x_{t-1} (a two-feature rotation and a sinusoid,
        // seeded start): a linear rule of the last two frames predicts them exactly
        const int frames = 300, features = 3;
        var x = new double[frames, features];
        var random = new Random(5);
        for (int f = 0; f < features; f++) { x[0, f] = random.NextDouble(); x[1, f] = random.NextDouble(); }
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        for (int t = 1; t + 1 < frames; t++)
        {
            x[t + 1, 0] = (c * x[t, 0]) - (s * x[t, 1]);
            x[t + 1, 1] = (s * x[t, 0]) + (c * x[t, 1]);
            x[t + 1, 2] = (2 * Math.Cos(0.5) * x[t, 2]) - x[t - 1, 2];
        }
        using var tensorFrames = tensor(x.Cast<double>().Select(v => (float)v).ToArray(), frames, features);
        var songs = new[] { new TrainingSong("recurrence", tensorFrames, 0.1) };

        // When measuring linear prediction, persistence and the mean
        var objective = new FrameRegression(Target.Next);
        var measured = objective.MeasureBaselines(songs).ToDictionary(b => b.Name);

        // Then linear prediction is exact to float32 rounding of the frames, far below the others,
        // and says which order and ridge it chose on the training frames
        Assert.InRange(measured["linear"].Loss!.Value, 0, 1e-9);
        Assert.True(measured["persistence"].Loss > 1e-4);
        Assert.True(measured["mean"].Loss > 1e-3);
        Assert.StartsWith("k = ", measured["linear"].Detail);
    }

    [Fact]
    public void Should_report_nothing_when_nothing_is_held_out()
    {
        // Given a song with no validation tail, when measuring every baseline, then each says null
        using var frames = arange(10, dtype: ScalarType.Float32).unsqueeze(1);
        var songs = new[] { new TrainingSong("ramp", frames, 0) };
        Assert.All(new FrameRegression(Target.Next).MeasureBaselines(songs), b => Assert.Null(b.Loss));
    }
}
