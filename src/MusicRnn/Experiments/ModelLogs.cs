using System.Globalization;
using MusicRnn.Training;

namespace MusicRnn.Experiments;

/// <summary>
/// A trained model's figures as its training run logged them (log.csv and validation.csv, see
/// <see cref="TrainingLog"/>). The bench reads every figure from these files rather than from
/// the in-memory result, so a model resumed over several processes is measured exactly like one
/// trained in a single go: the logs span all runs, the in-memory result only the last.
/// </summary>
/// <param name="Losses">Every iteration's training loss, with its epoch.</param>
/// <param name="EpochEnds">Per epoch from 1: cumulative training seconds and validation loss at its end.</param>
/// <param name="PersistenceLoss">The persistence baseline on the validation tails, if any.</param>
/// <param name="MeanLoss">The mean baseline on the validation tails, if any.</param>
internal sealed record ModelLogs(IReadOnlyList<(long Iteration, int Epoch, double Loss)> Losses,
    IReadOnlyList<(int Epoch, double Seconds, double? Validation)> EpochEnds, double? PersistenceLoss, double? MeanLoss)
{
    /// <summary>Reads the logs <see cref="TrainingSession"/> wrote into <paramref name="directory"/>.</summary>
    public static ModelLogs Read(string directory)
    {
        var losses = Rows(Path.Combine(directory, TrainingLog.IterationFile), 7)
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), Number(f[4]) ?? double.NaN))
            .ToList();
        var validation = Rows(Path.Combine(directory, TrainingLog.ValidationFile), 6)
            .Select(f => (Epoch: int.Parse(f[0], CultureInfo.InvariantCulture), Seconds: Number(f[2]) ?? 0, Validation: Number(f[3]), Persistence: Number(f[4]), Mean: Number(f[5])))
            .ToList();
        return new ModelLogs(losses,
            validation.Where(v => v.Epoch >= 1).Select(v => (v.Epoch, v.Seconds, v.Validation)).ToList(),
            validation.Select(v => v.Persistence).FirstOrDefault(p => p is not null),
            validation.Select(v => v.Mean).FirstOrDefault(m => m is not null));
    }

    /// <summary>Seconds of each epoch: the differences of the cumulative times at the epochs' ends (the first from 0).</summary>
    public IReadOnlyList<double> EpochSeconds() =>
        EpochEnds.Select((e, i) => e.Seconds - (i == 0 ? 0 : EpochEnds[i - 1].Seconds)).ToList();

    /// <summary>The mean training loss over the last epoch's iterations (NaN when none ran).</summary>
    public double FinalTrainLoss()
    {
        if (Losses.Count == 0) return double.NaN;
        int last = Losses[^1].Epoch;
        return Losses.Where(l => l.Epoch == last).Average(l => l.Loss);
    }

    private static IEnumerable<string[]> Rows(string path, int fields)
    {
        if (!File.Exists(path)) throw InputException.ForFile(path, "training log is missing");
        return File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).Where(f => f.Length == fields).ToList();
    }

    private static double? Number(string text) =>
        text.Length == 0 ? null : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
