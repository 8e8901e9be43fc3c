using MusicRnn.Training;

namespace MusicRnn.Objectives;

/// <summary>
/// A rule a model must beat, measured by its objective's metric on the same held-out targets as
/// the model's validation loss (docs/ARCHITECTURE.md, "Objectives"). A model that does not beat
/// the best of them has learned nothing a one-line rule would not.
/// </summary>
public abstract class Baseline
{
    /// <summary>
    /// Short lower-case name, a word or two joined by underscores ("persistence", "mean"): the
    /// validation log's column is <c>{Name}_loss</c> and results list it under this name.
    /// </summary>
    public abstract string Name { get; }

    /// <summary>The rule in a line, for reports ("ŷ_t = x_t").</summary>
    public abstract string Rule { get; }

    /// <summary>Its loss on the held-out tails of <paramref name="songs"/> (null when nothing is held out), with how it was fitted.</summary>
    public abstract BaselineLoss Measure(IReadOnlyList<TrainingSong> songs);
}

/// <summary>A baseline's measured loss.</summary>
/// <param name="Name">The baseline's <see cref="Baseline.Name"/>.</param>
/// <param name="Loss">Its loss in the objective's metric; null when nothing was held out.</param>
/// <param name="Detail">What a fitted rule chose on the training frames ("k = 4, …"), for notes; null for fixed rules. Not logged.</param>
public sealed record BaselineLoss(string Name, double? Loss, string? Detail = null);
