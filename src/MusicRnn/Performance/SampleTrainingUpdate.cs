using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Performance;

/// <summary>
/// One default sample-level model going through training updates on a stand-in song, as the
/// <see cref="Trainer"/> runs them for <c>train --predict samples</c>: its windows laid out by
/// <see cref="WindowPlan"/> and stacked by the trainer's own code, the state carried from window
/// to window (stride = window), the loss of <see cref="SampleCategorical"/>, and the one
/// <see cref="TrainingStep"/> (backward, clip, Adam). A class of its own so that updates can be
/// timed one at a time and rounds interleaved across frame tiers.
/// </summary>
internal sealed class SampleTrainingUpdate : IDisposable
{
    private readonly FrameModel model;
    private readonly TrainingOptimizer optimizer;
    private readonly TrainingStep step;
    private readonly SampleCategorical objective;
    private readonly Tensor song, inputs, targets;
    private readonly WindowPlan plan;
    private readonly int window;
    private readonly Device device;
    private ModelState? carried;
    private int position;
    private long updates;

    /// <param name="arch">The frame tier (its sample-level default variant).</param>
    /// <param name="streams">Parallel streams per update (the training batch).</param>
    /// <param name="window">Samples per stream per update.</param>
    /// <param name="steps">Updates the stand-in song has windows for before the state starts over, as at a new song.</param>
    /// <param name="device">Where the model and the song are.</param>
    public SampleTrainingUpdate(Architecture arch, int streams, int window, int steps, Device device)
    {
        this.window = window;
        this.device = device;
        var spec = SampleLevelDefaults.ModelFor(arch);
        var training = SampleLevelDefaults.Training with { Batch = streams, Window = window, Stride = window };
        model = ModelFactory.Create(spec);
        model.to(device);
        model.train();
        var parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToArray();
        optimizer = TrainingOptimizer.Create(training, parameters);
        step = new TrainingStep([.. parameters.Select(p => p.parameter)], optimizer, training.Clip);
        int levels = spec.SampleLevel!.Levels;
        objective = new SampleCategorical(levels);
        // Uniformly drawn levels: the work of an update does not depend on the audio, and the
        // loss they give (about log2 L bits) says the update ran on real targets.
        int length = (streams * window * steps) + objective.TargetShift;
        using (var drawn = randint(0, levels, [length, 1]))
            song = drawn.to(ScalarType.Float32, device).DetachFromDisposeScope();
        inputs = song.narrow(0, 0, length - objective.TargetShift).DetachFromDisposeScope();
        targets = song.narrow(0, objective.TargetShift, length - objective.TargetShift).DetachFromDisposeScope();
        plan = WindowPlan.For(length - objective.TargetShift, training);
    }

    /// <summary>Samples one update trains on: streams × window.</summary>
    public long SamplesPerUpdate => (long)plan.Streams * window;

    /// <summary>The scalars the model trains (its parameters' numel).</summary>
    public long Parameters => model.parameters().Sum(p => p.numel());

    /// <summary>The loss of the latest update, in bits per sample.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>Runs one update and returns its milliseconds.</summary>
    public double Step() => PerfRunner.Time(device, () =>
    {
        if (position == plan.Steps)
        {
            carried?.Dispose();
            carried = null;
            position = 0;
        }
        var starts = Enumerable.Range(0, plan.Streams).Select(s => plan.Start(s, position, window)).ToArray();
        ModelState? ended = null;
        var result = step.Update(++updates, () =>
        {
            var (output, state) = model.forward(Trainer.Windows(inputs, starts, window), carried);   // [W, S, L]
            ended = state.Detach().MoveToOuterDisposeScope();
            return objective.Loss(output, Trainer.Windows(targets, starts, window));
        });
        carried?.Dispose();
        carried = ended;
        position++;
        LastLoss = result.Loss;
    });

    public void Dispose()
    {
        carried?.Dispose();
        targets.Dispose();
        inputs.Dispose();
        song.Dispose();
        optimizer.Dispose();
        model.Dispose();
    }
}
