using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Objectives;

/// <summary>
/// The essay's objective: the mean squared error between predicted and target frames in model
/// space, over every frame and feature of a window (docs/ARCHITECTURE.md, "Objectives").
/// </summary>
/// <remarks>
/// Loss = (1/(T·B·D)) Σ_t Σ_b Σ_d (ŷ_tbd − y_tbd)², libtorch's <c>mse_loss</c> with mean reduction;
/// the validation score sums the same squares in float64 over all held-out frames and divides once
/// at the end, so songs and chunks of any length add up exactly.
/// </remarks>
public sealed class FrameRegression(Target target) : FrameObjective(target)
{
    /// <summary>The name results and checkpoints use.</summary>
    public const string MetricName = "mse";

    /// <inheritdoc/>
    public override string Name => MetricName;

    /// <inheritdoc/>
    public override string Metric => "MSE";

    /// <inheritdoc/>
    public override Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output, target, nn.Reduction.Mean);

    /// <inheritdoc/>
    public override MetricSum Score(Tensor output, Tensor target)
    {
        using var work = NewDisposeScope();
        using var two = 2.ToScalar();
        return new((output - target).pow(two).sum().to_type(ScalarType.Float64).item<double>(), target.numel());
    }
}
