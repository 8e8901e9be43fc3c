using MusicRnn.Models;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Performance;

/// <summary>
/// One model going through the essay-code training updates on random frames, step by step as
/// the trainer does it, so an update can be timed on its own and rounds interleaved across models.
/// </summary>
internal sealed class EssayUpdate : IDisposable
{
    private const double LearningRate = 1e-3;
    private const double Clip = 1.0;

    private readonly FrameModel model;
    private readonly Parameter[] parameters;
    private readonly optim.Optimizer optimizer;
    private readonly Tensor frames;
    private readonly Device device;
    private ModelState? carried;
    private int start;

    /// <param name="spec">The model (input = output, batch 1).</param>
    /// <param name="device">Where it runs.</param>
    public EssayUpdate(ModelSpec spec, Device device)
    {
        this.device = device;
        model = ModelFactory.Create(spec);
        model.to(device);
        parameters = [.. model.parameters()];
        optimizer = optim.Adagrad(parameters, LearningRate);
        // A stand-in song long enough for every update timed: [frames, 1, features].
        frames = randn(PerfRunner.EssayWindow + (64 * PerfRunner.EssayStride), 1, spec.InputSize, device: device).DetachFromDisposeScope();
    }

    /// <summary>Runs one update and returns its milliseconds.</summary>
    public double Step() => PerfRunner.Time(device, () =>
    {
        using var scope = NewDisposeScope();
        if (start + PerfRunner.EssayWindow + 1 + PerfRunner.EssayStride > frames.shape[0])
        {
            carried?.Dispose();
            carried = null;
            start = 0;
        }
        // reconstruct objective: the target is the input window itself.
        var input = frames.narrow(0, start, PerfRunner.EssayWindow);
        var (output, _) = model.forward(input, carried);
        var loss = nn.functional.mse_loss(output, input);
        if (!double.IsFinite(loss.item<float>())) throw new InvalidOperationException("the timed model diverged");
        loss.backward();
        // The trainer's global gradient norm and clip.
        var norm = stack(parameters.Where(p => p.grad is not null).Select(p => p.grad!.square().sum())).sum().sqrt().item<float>();
        if (norm > Clip)
            foreach (var p in parameters) p.grad?.mul_(Clip / (norm + 1e-6));
        optimizer.step();
        optimizer.zero_grad();
        ModelState next;
        using (no_grad())
        {
            var advance = frames.narrow(0, start, PerfRunner.EssayStride);
            next = model.forward(advance, carried).State.Detach().MoveToOuterDisposeScope();
        }
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
