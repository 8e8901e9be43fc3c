using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Training;

public sealed class TrainerTests
{
    private static ModelSpec Spec(int features, int hidden) =>
        new() { Arch = Architecture.Rnn, InputSize = features, OutputSize = features, HiddenSize = hidden, Layers = 1 };

    [Fact]
    public void Should_halve_the_loss_on_a_short_chord_sequence()
    {
        // Given a seeded chord sequence and a small Elman RNN trained with Adam
        manual_seed(1);
        using var frames = Synthetic.ChordFrames(frames: 96, features: 8, seed: 1);
        var songs = new[] { new TrainingSong("chords", frames, 0) };
        using var model = new TinyRnn(Spec(8, 24));
        var config = new TrainingConfig { Window = 24, Stride = 4, Epochs = 6, Optimizer = OptimizerKind.Adam, LearningRate = 1e-2 };
        using var trainer = new Trainer(model, config, new FrameRegression(Target.Next));

        // When training for a few epochs
        var losses = new List<double>();
        for (int e = 0; e < config.Epochs; e++) trainer.TrainEpoch(songs, r => losses.Add(r.Loss));

        // Then the last iterations' loss is below half the first one's
        double last = losses.TakeLast(5).Average();
        Assert.True(last < losses[0] / 2, $"first loss {losses[0]}, last {last}");
    }

    [Theory]
    [InlineData(Architecture.Rnn)]
    [InlineData(Architecture.Lstm)]
    [InlineData(Architecture.Gru)]
    [InlineData(Architecture.CwRnn)]
    [InlineData(Architecture.LogReg)]
    [InlineData(Architecture.Mlp)]
    public void Should_halve_the_loss_of_every_architecture_on_a_short_chord_sequence(Architecture arch)
    {
        // Given a seeded chord sequence (in [0, 1] for the logistic regression's sigmoid) and a small model
        manual_seed(2);
        using var frames = Synthetic.ChordFrames(frames: 73, features: 8, seed: 2, minMax: arch == Architecture.LogReg);
        var songs = new[] { new TrainingSong("chords", frames, 0) };
        var spec = Spec(8, 16) with { Arch = arch, Modules = 4 };
        using var model = ModelFactory.Create(spec);
        var config = new TrainingConfig { Window = 12, Stride = 6, Epochs = 6, Optimizer = OptimizerKind.Adam, LearningRate = 2e-2 };
        using var trainer = new Trainer(model, config, new FrameRegression(Target.Next));

        // When training for a few epochs
        var losses = new List<double>();
        for (int e = 0; e < config.Epochs; e++) trainer.TrainEpoch(songs, r => losses.Add(r.Loss));

        // Then the last iterations' loss is below half the first one's
        double last = losses.TakeLast(5).Average();
        Assert.True(last < losses[0] / 2, $"{arch}: first loss {losses[0]}, last {last}");
    }

    [Fact]
    public void Should_start_each_carried_window_from_the_long_forward_state_at_its_first_frame()
    {
        // Given a model whose state does not depend on its weights, two epochs over one song
        using var frames = Synthetic.NoiseFrames(frames: 60, features: 3, seed: 2);
        var songs = new[] { new TrainingSong("noise", frames, 0) };
        using var model = new LeakySum(Spec(3, 3));
        var config = new TrainingConfig { Window = 10, Stride = 5, Epochs = 2, Optimizer = OptimizerKind.Sgd, LearningRate = 1e-3 };
        using var trainer = new Trainer(model, config, new FrameRegression(Target.Next));
        var starts = new List<int>();

        // When training with the state carried
        trainer.TrainEpoch(songs, r => starts.Add(r.WindowStart));
        trainer.TrainEpoch(songs, r => starts.Add(r.WindowStart));

        // Then every window started from the state one pass from frame 0 reaches at its start
        // (zeros at each epoch's start), and the clock counts the frames since the reset
        Assert.Equal(starts.Count, model.WindowStarts.Count);
        Assert.Equal(2 * 10, starts.Count); // (59 - 10) / 5 + 1 windows per epoch
        for (int i = 0; i < starts.Count; i++)
        {
            var expected = LongForwardState(model, frames, starts[i]);
            var actual = model.WindowStarts[i] ?? new float[3];
            Assert.Equal(starts[i], model.WindowClocks[i]);
            for (int f = 0; f < 3; f++) Assert.Equal(expected[f], actual[f], 5);
        }
    }

    [Fact]
    public void Should_carry_each_parallel_stream_from_its_own_position()
    {
        // Given batch 2: the song's windows split into two contiguous streams run side by side
        using var frames = Synthetic.NoiseFrames(frames: 61, features: 2, seed: 3);
        var songs = new[] { new TrainingSong("noise", frames, 0) };
        using var model = new LeakySum(Spec(2, 2));
        var config = new TrainingConfig { Window = 10, Stride = 5, Batch = 2, Epochs = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 1e-3 };
        using var trainer = new Trainer(model, config, new FrameRegression(Target.Next));
        var plan = WindowPlan.For(60, config);

        // When training one epoch
        trainer.TrainEpoch(songs);

        // Then there are windows/2 iterations, and stream b's state at step k is the long pass's at its window start
        Assert.Equal(11, plan.Windows);
        Assert.Equal(5, model.WindowStarts.Count);
        for (int step = 1; step < plan.Steps; step++)
        {
            var actual = model.WindowStarts[step]!;
            for (int stream = 0; stream < 2; stream++)
            {
                int start = plan.Start(stream, step, config.Stride);
                // stream 1 starts at window 5 from zeros: its state covers frames since its own start
                int from = plan.Start(stream, 0, config.Stride);
                var expected = LongForwardState(model, frames.narrow(0, from, start - from), start - from);
                for (int f = 0; f < 2; f++) Assert.Equal(expected[f], actual[stream * 2 + f], 5);
            }
        }
    }

    [Fact]
    public void Should_start_every_window_from_zeros_when_state_is_reset()
    {
        // Given state reset
        using var frames = Synthetic.NoiseFrames(frames: 40, features: 2, seed: 4);
        using var model = new LeakySum(Spec(2, 2));
        var config = new TrainingConfig { Window = 10, Stride = 5, State = StateMode.Reset, Epochs = 1, Optimizer = OptimizerKind.Sgd };
        using var trainer = new Trainer(model, config, new FrameRegression(Target.Next));

        // When training one epoch
        trainer.TrainEpoch([new TrainingSong("noise", frames, 0)]);

        // Then every window was given no state at all
        Assert.Equal(6, model.WindowStarts.Count);
        Assert.All(model.WindowStarts, s => Assert.Null(s));
    }

    [Fact]
    public void Should_make_exactly_one_rprop_step_per_epoch()
    {
        // Given Rprop over a song of many windows
        manual_seed(5);
        using var frames = Synthetic.ChordFrames(frames: 60, features: 4, seed: 5);
        var songs = new[] { new TrainingSong("chords", frames, 0) };
        using var model = new TinyRnn(Spec(4, 6));
        var config = new TrainingConfig { Window = 10, Stride = 5, Epochs = 2, Optimizer = OptimizerKind.Rprop, LearningRate = 1e-2 };
        using var trainer = new Trainer(model, config, new FrameRegression(Target.Next));
        var initial = Snapshot(model);
        var unchangedDuringEpoch = new List<bool>();

        // When training two epochs, watching the weights after every iteration of the first
        trainer.TrainEpoch(songs, _ => unchangedDuringEpoch.Add(MaxDifference(initial, Snapshot(model)) == 0));
        var afterFirst = Snapshot(model);
        trainer.TrainEpoch(songs);

        // Then the weights held still through the epoch's 10 iterations and moved only at its end
        Assert.Equal(10, unchangedDuringEpoch.Count);
        Assert.All(unchangedDuringEpoch, Assert.True);
        Assert.True(MaxDifference(initial, afterFirst) > 0);
        Assert.Equal(2, trainer.OptimizerSteps);
        Assert.Equal(20, trainer.Iteration);
    }

    [Fact]
    public void Should_stop_with_the_iteration_when_the_loss_is_not_finite()
    {
        // Given a song whose frame 12 is NaN: the third window (frames 10..19) sees it
        using var frames = Synthetic.NoiseFrames(frames: 40, features: 2, seed: 6);
        frames[12, 0] = tensor(float.NaN);
        using var model = new TinyRnn(Spec(2, 4));
        var config = new TrainingConfig { Window = 10, Stride = 5, State = StateMode.Reset, Epochs = 1 };
        using var trainer = new Trainer(model, config, new FrameRegression(Target.Next));

        // When training
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.TrainEpoch([new TrainingSong("nan", frames, 0)]));

        // Then it names iteration 2 (frames 5..14 hold frame 12 first) and the weights are still finite
        Assert.Equal(2, e.Iteration);
        Assert.Contains("diverged at iteration 2", e.Message);
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void Should_validate_on_the_tail_with_the_context_of_the_whole_song()
    {
        // Given a leaky-sum model (output = its state) and a song longer than one validation chunk
        using var frames = Synthetic.NoiseFrames(frames: 2500, features: 2, seed: 7);
        var song = new TrainingSong("noise", frames, 0.1);
        using var model = new LeakySum(Spec(2, 2));
        using var trainer = new Trainer(model, new TrainingConfig { Optimizer = OptimizerKind.Sgd }, new FrameRegression(Target.Next));

        // When validating
        double loss = trainer.ValidationLoss([song])!.Value;

        // Then it equals the error of states computed in one pass from zero over the whole song, on the tail only
        var x = frames.data<float>().ToArray();
        double[] h = new double[2];
        double sum = 0;
        int count = 0;
        for (int t = 0; t < 2499; t++)
        {
            for (int f = 0; f < 2; f++)
            {
                h[f] = h[f] * LeakySum.Decay + x[t * 2 + f];
                if (t + 1 >= song.TailStart) { sum += Math.Pow(h[f] - x[(t + 1) * 2 + f], 2); count++; }
            }
        }
        Assert.Equal(2 * 250, count);
        Assert.Equal(sum / count, loss, 4);
    }

    private static float[] LongForwardState(LeakySum model, Tensor frames, int upTo)
    {
        if (upTo == 0) return new float[frames.shape[1]];
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (_, state) = model.forward(frames.narrow(0, 0, upTo).unsqueeze(1), null);
        return state.Tensors[0].data<float>().ToArray();
    }

    private static float[][] Snapshot(FrameModel model) =>
        model.parameters().Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    private static double MaxDifference(float[][] a, float[][] b) =>
        a.Zip(b).SelectMany(p => p.First.Zip(p.Second, (x, y) => (double)Math.Abs(x - y))).Max();
}
