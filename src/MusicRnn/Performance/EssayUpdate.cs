using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Performance;

/// <summary>
/// One model going through the essay-code training updates on random frames, through the
/// trainer's own <see cref="TrainingStep"/> and objective, so an update can be timed on its own and
/// rounds interleaved across models.
/// </summary>
internal sealed class EssayUpdate : IDisposable
{
    private readonly FrameModel model;
    private readonly TrainingOptimizer optimizer;
    private readonly TrainingStep step;
    private readonly Objective objective = new FrameRegression(Target.Reconstruct);
    private readonly Tensor frames;
    private readonly Device device;
    private ModelState? carried;
    private int start;
    private long updates;

    /// <param name="spec">The model (input = output, batch 1).</param>
    /// <param name="device">Where it runs.</param>
    public EssayUpdate(ModelSpec spec, Device device)
    {
        this.device = device;
        model = ModelFactory.Create(spec);
        model.to(device);
        var parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToArray();
        // The essay-code preset's optimizer and clip.
        var training = new TrainingConfig { Optimizer = OptimizerKind.Adagrad, LearningRate = 1e-3, Clip = 1.0 };
        optimizer = TrainingOptimizer.Create(training, parameters);
        step = new TrainingStep([.. parameters.Select(p => p.parameter)], optimizer, training.Clip);
        // A stand-in song long enough for every update timed: [frames, 1, features].
        frames = randn(PerfRunner.EssayWindow + (64 * PerfRunner.EssayStride), 1, spec.InputSize, device: device).DetachFromDisposeScope();
    }

    /// <summary>Runs one update and returns its milliseconds.</summary>
    public double Step() => PerfRunner.Time(device, () =>
    {
        if (start + PerfRunner.EssayWindow + 1 + PerfRunner.EssayStride > frames.shape[0])
        {
            carried?.Dispose();
            carried = null;
            start = 0;
        }
        // The reconstruct target: the input window itself.
        step.Update(++updates, () =>
        {
            var input = frames.narrow(0, start, PerfRunner.EssayWindow);
            return objective.Loss(model.forward(input, carried).Output, input);
        });
        using var work = TensorWork.Begin();
        ModelState next;
        using (no_grad())
            next = model.forward(frames.narrow(0, start, PerfRunner.EssayStride), carried).State.Detach().MoveToOuterDisposeScope();
        carried?.Dispose();
        carried = next;
        start += PerfRunner.EssayStride;
    });

    public void Dispose()
    {
        carried?.Dispose();
        frames.Dispose();
        optimizer.Dispose();
        model.Dispose();
    }
}
