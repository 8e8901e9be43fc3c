using MusicRnn.Models;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Objectives;

/// <summary>
/// What a model predicts and how that is judged: the seam between the models and everything that
/// trains, validates, reports and generates (docs/ARCHITECTURE.md, "Objectives"). The trainer, the
/// validation, the Koutník runner, the timed essay-code update, the bench results, the report and
/// the generator ask the objective; none of them names a loss.
/// </summary>
/// <remarks>
/// An objective owns, in one place:
/// <list type="bullet">
/// <item>the loss of a window, the number gradients come from, in the unit of the metric;</item>
/// <item>the validation metric, its name and unit, and how a chunk's score adds up;</item>
/// <item>the baselines it reports, by name, measured on the same held-out targets;</item>
/// <item>how a prediction becomes the next input when generating (as is, with noise, or sampled
/// with a temperature), and so whether the folded generation loop, which feeds the prediction back
/// unchanged, may stand in for that.</item>
/// </list>
/// Inputs and targets are slices of one sequence per song, [positions, ...]: the target of
/// position t is position t + <see cref="TargetShift"/>.
/// </remarks>
public abstract class Objective
{
    /// <summary>The metric's name as results record it ("mse"); also how a checkpoint names the objective.</summary>
    public abstract string Name { get; }

    /// <summary>The metric as people write it, for tables and axes ("MSE").</summary>
    public abstract string Metric { get; }

    /// <summary>What the metric is measured in ("model space", "bits per sample").</summary>
    public abstract string Unit { get; }

    /// <summary>How far a target is ahead of its input: 1 to predict the next position, 0 for the position itself.</summary>
    public abstract int TargetShift { get; }

    /// <summary>Outputs a model needs per position for inputs of <paramref name="features"/> features: the features themselves, or one logit per level.</summary>
    public virtual int OutputSize(int features) => features;

    /// <summary>The rules a model must beat, measured on the same held-out targets as the model.</summary>
    public abstract IReadOnlyList<Baseline> Baselines { get; }

    /// <summary>The loss of a window, the mean over its targets in the metric's unit: a scalar tensor with a graph.</summary>
    /// <param name="output">The model's output, [T, B, O].</param>
    /// <param name="target">The targets, [T, B, ...].</param>
    public abstract Tensor Loss(Tensor output, Tensor target);

    /// <summary>
    /// The metric of a chunk as a sum and the number of values it averages, so chunks and songs add
    /// up exactly: the validation loss is Σ sum / Σ count.
    /// </summary>
    /// <param name="output">Predictions, [n, ...] (any layout <see cref="Loss"/> takes).</param>
    /// <param name="target">Their targets, the same leading size.</param>
    public abstract MetricSum Score(Tensor output, Tensor target);

    /// <summary>
    /// The frame a generation run makes of <paramref name="prediction"/>, what is decoded into its
    /// audio: the predicted frame itself (a regression), or a level drawn from it (a categorical).
    /// Called once for every frame the run makes.
    /// </summary>
    /// <param name="prediction">The model's output for one step, [1, B, O].</param>
    /// <param name="feedback">Noise and temperature asked for.</param>
    /// <param name="random">The run's own generator, so equal seeds give equal output.</param>
    public abstract Tensor Generated(Tensor prediction, Feedback feedback, torch.Generator random);

    /// <summary>The input fed back after <paramref name="prediction"/>, which became <paramref name="generated"/> (called only when a step follows).</summary>
    /// <param name="prediction">The model's output for one step, [1, B, O].</param>
    /// <param name="generated">What <see cref="Generated"/> made of it.</param>
    /// <param name="feedback">Noise and temperature asked for.</param>
    /// <param name="random">The run's own generator.</param>
    public abstract Tensor Fed(Tensor prediction, Tensor generated, Feedback feedback, torch.Generator random);

    /// <summary>
    /// Whether, for these settings, both the generated frame and the input fed back are the
    /// prediction itself: then a loop that folds the feedback into the recurrence computes the same frames.
    /// </summary>
    public abstract bool FeedsPredictionBack(Feedback feedback);

    /// <summary>Why a model of <paramref name="spec"/> cannot run free under this objective (its predictions cannot be its inputs), or null.</summary>
    public abstract string? FeedbackProblem(ModelSpec spec);

    /// <summary>The validation metric of every baseline on <paramref name="songs"/>' held-out tails, by name.</summary>
    public IReadOnlyList<BaselineLoss> MeasureBaselines(IReadOnlyList<TrainingSong> songs) => [.. Baselines.Select(b => b.Measure(songs))];
}

/// <summary>A metric summed over some values, and how many.</summary>
/// <param name="Sum">The sum, in float64.</param>
/// <param name="Count">Values summed.</param>
public readonly record struct MetricSum(double Sum, long Count)
{
    /// <summary>The sum of two partial sums.</summary>
    public static MetricSum operator +(MetricSum a, MetricSum b) => new(a.Sum + b.Sum, a.Count + b.Count);

    /// <summary>The mean, or null when nothing was summed.</summary>
    public double? Mean => Count == 0 ? null : Sum / Count;
}

/// <summary>How predictions are turned into inputs while generating.</summary>
/// <param name="Noise">σ of Gaussian noise added to a fed-back frame (frame objectives; model space).</param>
/// <param name="Temperature">Softmax temperature of a sampled prediction (categorical objectives).</param>
public sealed record Feedback(double Noise = 0, double Temperature = 1);
