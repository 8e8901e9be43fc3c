using MusicRnn.Objectives;
using MusicRnn.Training;

namespace MusicRnn.Experiments;

/// <summary>
/// A trained model's figures as its training run logged them (log.csv and validation.csv, read
/// back as <see cref="TrainingLog"/>'s typed rows). The bench reads every figure from these files
/// rather than from the in-memory result, so a model resumed over several processes is measured
/// exactly like one trained in a single go: the logs span all runs, the in-memory result only the last.
/// </summary>
/// <param name="Iterations">Every iteration's row.</param>
/// <param name="Validations">Every validation row, epoch 0 (the untrained model) first.</param>
internal sealed record ModelLogs(IReadOnlyList<IterationRow> Iterations, IReadOnlyList<ValidationRow> Validations)
{
    /// <summary>Reads the logs <see cref="TrainingSession"/> wrote into <paramref name="directory"/>.</summary>
    public static ModelLogs Read(string directory) =>
        new(TrainingLog.ReadIterations(directory), TrainingLog.ReadValidation(directory));

    /// <summary>The rows of epochs 1 onwards: where each epoch ended.</summary>
    public IReadOnlyList<ValidationRow> EpochEnds => [.. Validations.Where(v => v.Epoch >= 1 && v.AtEpochEnd)];

    /// <summary>
    /// The first validation (at an epoch's end or within one) whose loss was below every baseline
    /// measured: the essay's criterion, the time a model takes to reach an error; null if none was.
    /// </summary>
    public ValidationRow? FirstBelowBaselines()
    {
        var bar = Baselines().Select(b => b.Loss).OfType<double>().Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();
        return double.IsNaN(bar) ? null : Validations.FirstOrDefault(v => v.Loss is { } l && l < bar);
    }

    /// <summary>Seconds of each epoch: the differences of the cumulative times at the epochs' ends (the first from 0).</summary>
    public IReadOnlyList<double> EpochSeconds()
    {
        var ends = EpochEnds;
        return [.. ends.Select((e, i) => e.Seconds - (i == 0 ? 0 : ends[i - 1].Seconds))];
    }

    /// <summary>The mean training loss over the last epoch's iterations (NaN when none ran).</summary>
    public double FinalTrainLoss()
    {
        if (Iterations.Count == 0) return double.NaN;
        int last = Iterations[^1].Epoch;
        return Iterations.Where(l => l.Epoch == last).Average(l => l.Loss);
    }

    /// <summary>Each baseline's first measured loss (they are measured once per run and repeated), in the log's column order.</summary>
    public IReadOnlyList<BaselineLoss> Baselines()
    {
        var names = Validations.Count == 0 ? [] : Validations[0].Baselines.Select(b => b.Name).ToArray();
        return [.. names.Select((name, i) => new BaselineLoss(name, Validations.Select(v => v.Baselines[i].Loss).FirstOrDefault(l => l is not null)))];
    }
}
