using MusicRnn.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Objectives;

/// <summary>
/// Koutník et al.'s figure for sequence generation (2014, §4.1): the mean squared error divided by
/// the variance of the target sequence, so 1 is what the best constant output scores and 0 is a
/// perfect copy. The model sees a constant input, so nothing is fed back and no frame rule applies:
/// the figure itself says how far from "the mean" a model got.
/// </summary>
/// <param name="variance">The target's variance (its mean squared deviation), positive.</param>
public sealed class NormalizedSquaredError(double variance) : Objective
{
    /// <summary>The name results use.</summary>
    public const string MetricName = "normalized mse";

    private readonly double variance = variance > 0 && double.IsFinite(variance)
        ? variance
        : throw new ArgumentOutOfRangeException(nameof(variance), variance, "expected a positive variance");

    /// <inheritdoc/>
    public override string Name => MetricName;

    /// <inheritdoc/>
    public override string Metric => "normalized MSE";

    /// <summary>Multiples of the target's variance.</summary>
    public override string Unit => "target variance";

    /// <summary>The target is aligned with the steps of the constant input.</summary>
    public override int TargetShift => 0;

    /// <inheritdoc/>
    public override IReadOnlyList<Baseline> Baselines { get; } = [];

    /// <inheritdoc/>
    public override Tensor Loss(Tensor output, Tensor target)
    {
        using var scale = (1 / variance).ToScalar();
        return nn.functional.mse_loss(output, target, nn.Reduction.Mean).mul(scale);
    }

    /// <inheritdoc/>
    public override MetricSum Score(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        using var two = 2.ToScalar();
        return new((output - target).pow(two).sum().to_type(ScalarType.Float64).item<double>() / variance, target.numel());
    }

    /// <summary>Not generated from: the input is a constant.</summary>
    public override Tensor Generated(Tensor prediction, Feedback feedback, torch.Generator random) =>
        throw new NotSupportedException(FeedbackProblem(new ModelSpec()));

    /// <summary>Not generated from: the input is a constant.</summary>
    public override Tensor Fed(Tensor prediction, Tensor generated, Feedback feedback, torch.Generator random) =>
        throw new NotSupportedException(FeedbackProblem(new ModelSpec()));

    /// <inheritdoc/>
    public override bool FeedsPredictionBack(Feedback feedback) => false;

    /// <inheritdoc/>
    public override string? FeedbackProblem(ModelSpec spec) => "the sequence task's input is a constant; nothing is fed back";
}
