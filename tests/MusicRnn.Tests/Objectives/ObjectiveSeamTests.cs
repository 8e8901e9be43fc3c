using MusicRnn.Checkpoints;
using MusicRnn.Codecs;
using MusicRnn.Experiments;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Tests.Training;
using MusicRnn.Training;
using static TorchSharp.torch;
using Generator = MusicRnn.Generation.Generator;

namespace MusicRnn.Tests.Objectives;

/// <summary>
/// The objective is a seam: an objective the library has never seen trains, validates, logs and
/// generates through the same trainer, session, log readers and generator, none of them changed.
/// </summary>
public sealed class ObjectiveSeamTests
{
    /// <summary>A test-only objective: the mean absolute error over frames (an L1 regression).</summary>
    private sealed class AbsoluteError(Target target) : FrameObjective(target)
    {
        public override string Name => "mae";

        public override string Metric => "MAE";

        public override Tensor Loss(Tensor output, Tensor target) => nn.functional.l1_loss(output, target, nn.Reduction.Mean);

        public override MetricSum Score(Tensor output, Tensor target)
        {
            using var scope = NewDisposeScope();
            return new((output - target).abs().sum().to_type(ScalarType.Float64).item<double>(), target.numel());
        }
    }

    private const int Features = 8;

    [Fact]
    public void Should_train_log_and_generate_under_an_objective_the_library_does_not_know()
    {
        // Given a looping chord song and the tiny test RNN, under the absolute error
        using var dir = new TempDir();
        var objective = new AbsoluteError(Target.Next);
        var song = Synthetic.ChordFrames(120, Features, seed: 5);
        using var data = new TrainingData([new TrainingSong("chords.wav", song, 0.2)], [new SongRecord("chords.wav", new string('c', 64), 120)],
            new CodecSettings("rfft", Features, 22050), NormalizerKind.ZScore, zeros(Features), ones(Features), Target.Next, 0.2);
        var spec = new ModelSpec { Arch = Architecture.Rnn, HiddenSize = 16 };
        var training = new TrainingConfig { Window = 12, Stride = 6, Epochs = 6, Optimizer = OptimizerKind.Adam, LearningRate = 1e-2, Seed = 3 };

        // When the session trains it
        var result = TrainingSession.Run(data, objective, spec, training, new RunConfig { OutDirectory = dir.Path }, NullProgress.Instance,
            s => new TinyRnn(s with { InputSize = Features, OutputSize = Features }));

        // Then the logs are in the objective's unit with its baselines by name: the persistence baseline
        // read back equals the objective's own score of ŷ_t = x_t on the tail, and the loss fell
        var logs = ModelLogs.Read(dir.Path);
        Assert.Equal(["persistence", "mean", "linear"], logs.Baselines().Select(b => b.Name));
        var tail = song.narrow(0, 95, 25);
        var persistence = (song.narrow(0, 95, 24) - song.narrow(0, 96, 24)).abs().mean().item<float>();
        Assert.Equal(persistence, logs.Baselines()[0].Loss!.Value, 5);
        Assert.True(logs.EpochEnds[^1].Loss < logs.Validations[0].Loss, "training lowered the validation MAE");
        Assert.Equal(tail.shape[0], song.shape[0] - 95);

        // And the trained model generates through the generator, fed back as the objective says
        using var checkpoint = Checkpoint.Load(result.CheckpointDirectory);
        Assert.Equal("mae", checkpoint.Config.Objective.Name);
        using var model = new TinyRnn(spec with { InputSize = Features, OutputSize = Features });
        checkpoint.LoadWeightsInto(model);
        var frames = new List<float>();
        new Generator(model, objective, chunkFrames: 7).FreeRun(song.narrow(0, 0, 10), 30, new Feedback(), seed: 1,
            chunk => frames.AddRange(chunk.contiguous().data<float>().ToArray()));
        Assert.Equal(30 * Features, frames.Count);
        Assert.All(frames, f => Assert.True(float.IsFinite(f)));
    }
}
