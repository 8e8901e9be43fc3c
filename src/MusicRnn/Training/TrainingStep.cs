using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>What one training step measured.</summary>
/// <param name="Loss">The window's loss before the update, in the objective's unit.</param>
/// <param name="GradientNorm">Global L2 norm of the gradient before clipping.</param>
public readonly record struct StepResult(double Loss, double GradientNorm);

/// <summary>
/// The one training step of MusicRnn (docs/ARCHITECTURE.md, "Training"): forward and loss (given
/// by the caller), backward, the non-finite check, the global-norm clip, the optimizer's update
/// and zeroed gradients, inside the <see cref="TensorWork"/> guard. The trainer, the Koutník
/// sequence runner and the timed essay-code update all step through it, so the three cannot
/// drift apart.
/// </summary>
/// <remarks>
/// Norm: ‖g‖ = sqrt(Σ_p Σ g_p²), the squares summed per parameter and over parameters in
/// float32 and the root taken in float64. Clip: when ‖g‖ &gt; c every gradient is scaled by
/// c / (‖g‖ + 10⁻⁶), as PyTorch's clip_grad_norm_ does. A non-finite loss or norm throws
/// <see cref="TrainingDivergedException"/> before anything reaches the weights. A full-batch rule
/// (Rprop) wants the gradient of the whole epoch: <see cref="Accumulate"/> adds each window's
/// unclipped gradient to a sum that <see cref="ApplySum"/> turns into one update.
/// </remarks>
internal sealed class TrainingStep
{
    private readonly Parameter[] parameters;
    private readonly TrainingOptimizer optimizer;
    private readonly double clip;

    /// <param name="parameters">The model's trainable parameters, in the optimizer's order.</param>
    /// <param name="optimizer">The update rule.</param>
    /// <param name="clip">Global-norm ceiling; 0 turns clipping off.</param>
    public TrainingStep(IReadOnlyList<Parameter> parameters, TrainingOptimizer optimizer, double clip)
    {
        this.parameters = [.. parameters];
        this.optimizer = optimizer;
        this.clip = clip;
    }

    /// <summary>Optimizer updates taken through this step.</summary>
    public long Updates { get; private set; }

    /// <summary>One update from the loss <paramref name="loss"/> computes (forward and objective, inside the guard).</summary>
    /// <param name="iteration">The iteration this is, for the divergence message.</param>
    /// <param name="loss">Runs the forward pass and returns the scalar loss, with its graph.</param>
    public StepResult Update(long iteration, Func<Tensor> loss) => Run(iteration, loss, sum: null);

    /// <summary>Backward without an update: the window's gradient is added to <paramref name="sum"/> (one tensor per parameter).</summary>
    public StepResult Accumulate(long iteration, Func<Tensor> loss, IReadOnlyList<Tensor> sum) => Run(iteration, loss, sum);

    /// <summary>One update from a gradient summed by <see cref="Accumulate"/> (not clipped: Rprop reads only its sign).</summary>
    public void ApplySum(IReadOnlyList<Tensor> sum)
    {
        using var work = TensorWork.Begin();
        for (var i = 0; i < parameters.Length; i++)
            parameters[i].grad?.copy_(sum[i]);
        optimizer.Step();
        Updates++;
        ZeroGradients();
    }

    private StepResult Run(long iteration, Func<Tensor> computeLoss, IReadOnlyList<Tensor>? sum)
    {
        using var work = TensorWork.Begin();
        var loss = computeLoss();
        double value = loss.item<float>();
        if (!double.IsFinite(value)) throw new TrainingDivergedException(iteration, null);
        loss.backward();
        var norm = GradientNorm();
        if (!double.IsFinite(norm)) throw new TrainingDivergedException(iteration, null);
        if (sum is not null)
        {
            using var one = 1.ToScalar();
            for (var i = 0; i < parameters.Length; i++)
                if (parameters[i].grad is { } g) sum[i].add_(g, one);
        }
        else
        {
            if (clip > 0 && norm > clip) ScaleGradients(clip / (norm + 1e-6));
            optimizer.Step();
            Updates++;
        }
        ZeroGradients();
        return new StepResult(value, norm);
    }

    private double GradientNorm()
    {
        using var two = 2.ToScalar();
        var squares = parameters.Select(p => p.grad).OfType<Tensor>().Select(g => g.pow(two).sum()).ToArray();
        if (squares.Length == 0) return 0;
        return Math.Sqrt(stack(squares).sum().to_type(ScalarType.Float64).item<double>());
    }

    private void ScaleGradients(double factor)
    {
        using var scale = factor.ToScalar();
        foreach (var p in parameters) p.grad?.mul_(scale);
    }

    private void ZeroGradients()
    {
        foreach (var p in parameters) p.grad?.zero_();
    }
}
