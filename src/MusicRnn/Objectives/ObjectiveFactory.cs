using MusicRnn.Training;

namespace MusicRnn.Objectives;

/// <summary>Rebuilds an objective from the name a checkpoint or a results file records.</summary>
public static class ObjectiveFactory
{
    /// <summary>Every objective name MusicRnn knows.</summary>
    public static IReadOnlyList<string> Names { get; } = [FrameRegression.MetricName];

    /// <summary>The objective called <paramref name="name"/>, predicting <paramref name="target"/>.</summary>
    /// <exception cref="InputException">An unknown name.</exception>
    public static Objective Create(string name, Target target) => name switch
    {
        FrameRegression.MetricName => new FrameRegression(target),
        _ => throw new InputException($"unknown objective '{name}'; this MusicRnn knows {string.Join(", ", Names)}"),
    };
}
