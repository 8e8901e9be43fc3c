using MusicRnn.Models;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Objectives;

/// <summary>
/// The plumbing every objective over real-valued frames shares: the model outputs a frame in
/// model space, the target is the next frame or the frame itself (<see cref="Training.Target"/>),
/// a generated frame is fed back as it is (or with Gaussian noise), and the baselines are the
/// frame rules persistence, the mean frame and linear prediction. A leaf says only how a prediction is scored
/// (<see cref="FrameRegression"/>: squared error).
/// </summary>
public abstract class FrameObjective : Objective
{
    /// <param name="target">Which frame is the target of x_t.</param>
    protected FrameObjective(Target target)
    {
        Target = target;
        Baselines = [new PersistenceBaseline(this), new MeanFrameBaseline(this), new LinearPredictionBaseline(this)];
    }

    /// <summary>The next frame or the frame itself.</summary>
    public Target Target { get; }

    /// <inheritdoc/>
    public override int TargetShift => Target.Shift();

    /// <inheritdoc/>
    public override IReadOnlyList<Baseline> Baselines { get; }

    /// <summary>Model space: the features after the normalizer.</summary>
    public override string Unit => "model space";

    /// <summary>The predicted frame itself: the run's audio is its clean predictions.</summary>
    public override Tensor Generated(Tensor prediction, Feedback feedback, torch.Generator random) => prediction;

    /// <summary>The prediction, with N(0, σ²) noise per feature when <see cref="Feedback.Noise"/> = σ &gt; 0.</summary>
    public override Tensor Fed(Tensor prediction, Tensor generated, Feedback feedback, torch.Generator random)
    {
        if (feedback.Noise <= 0) return prediction;
        // Drawn in float32 on the CPU, so the sequence is the same on every device and in every precision.
        using var sigma = feedback.Noise.ToScalar();
        using var one = 1.ToScalar();
        var noise = randn(prediction.shape, dtype: ScalarType.Float32, generator: random).to(prediction.dtype, prediction.device);
        return prediction.add(noise.mul(sigma), one);
    }

    /// <inheritdoc/>
    public override bool FeedsPredictionBack(Feedback feedback) => feedback.Noise <= 0;

    /// <summary>A predicted frame becomes the next input, so the model must output as many features as it takes.</summary>
    public override string? FeedbackProblem(ModelSpec spec) => spec.InputSize == spec.OutputSize
        ? null
        : $"free running feeds predictions back, so the model's output size ({spec.OutputSize}) must equal its input size ({spec.InputSize})";
}
