using MusicRnn.Models;
using MusicRnn.Training;

namespace MusicRnn.Objectives;

/// <summary>Picks the objective of a run, and rebuilds one from the name a checkpoint or a results file records.</summary>
public static class ObjectiveFactory
{
    /// <summary>Every objective name MusicRnn knows.</summary>
    public static IReadOnlyList<string> Names { get; } = [FrameRegression.MetricName, SampleCategorical.MetricName];

    /// <summary>
    /// The objective a model of <paramref name="spec"/> learns on <paramref name="data"/>: the
    /// categorical over levels for a sample-level model, the frame regression otherwise.
    /// </summary>
    /// <param name="data">The songs' settings: the target and the codec.</param>
    /// <param name="spec">The model (or a grid's template).</param>
    /// <param name="sampleTierAlone">For a sample-level model, the trained "sample tier alone" baseline, if the run measures it.</param>
    /// <exception cref="InputException">A sample-level model on frames that are not quantized samples, the codec's levels and the model's disagree,
    /// or a residual readout towards a target other than the next frame.</exception>
    public static Objective For(DataConfig data, ModelSpec spec, Baseline? sampleTierAlone = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.SampleLevel is not { } sample)
        {
            if (data.Codec.Quantizes)
                throw InputException.ForOption("--codec", $"{data.Codec.Name} quantizes single samples, which only a sample-level model (--predict samples) reads");
            spec.ValidateFor(data.Target);
            return new FrameRegression(data.Target);
        }
        if (!data.Codec.Quantizes)
            throw InputException.ForOption("--codec", $"a sample-level model reads quantized samples (mulaw or linear), got {data.Codec.Name}");
        int levels = data.Codec.Levels ?? Codecs.QuantizingCodec.DefaultLevels;
        if (levels != sample.Levels)
            throw InputException.ForOption("--levels", $"the codec quantizes to {levels} levels but the model predicts {sample.Levels}");
        if (data.Target != Target.Next)
            throw InputException.ForOption("--objective", $"a sample-level model predicts the next sample, got {Choice(data.Target)}");
        return new SampleCategorical(sample.Levels, sampleTierAlone);
    }

    /// <summary>The objective called <paramref name="name"/>, predicting <paramref name="target"/> with a model of <paramref name="spec"/>.</summary>
    /// <exception cref="InputException">An unknown name, or a name that does not fit the model.</exception>
    public static Objective Create(string name, Target target, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return name switch
        {
            FrameRegression.MetricName => new FrameRegression(target),
            SampleCategorical.MetricName when spec.SampleLevel is { } sample => new SampleCategorical(sample.Levels),
            SampleCategorical.MetricName => throw new InputException($"objective '{name}' belongs to a sample-level model, but the model section has no sample_level"),
            _ => throw new InputException($"unknown objective '{name}'; this MusicRnn knows {string.Join(", ", Names)}"),
        };
    }

    private static string Choice(Target target) => target.ToString().ToLowerInvariant();
}
