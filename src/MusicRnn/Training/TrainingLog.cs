using System.Globalization;

namespace MusicRnn.Training;

/// <summary>
/// The run's CSV logs in the output folder.
/// <list type="bullet">
/// <item>log.csv — one row per iteration: iteration, epoch, song, window_start, train_loss, grad_norm, seconds.</item>
/// <item>validation.csv — one row per epoch end: epoch, iteration, seconds, validation_loss, persistence_loss,
/// mean_loss; row epoch 0 is written at the start (the untrained model), and the two baselines, computed
/// once then, are repeated on every row so each row plots on its own. Losses are empty when
/// nothing is held out.</item>
/// </list>
/// A resumed run first cuts both files back to the checkpoint, so rows written after the
/// last checkpoint by a run that then crashed are not duplicated.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    /// <summary>File name of the per-iteration log.</summary>
    public const string IterationFile = "log.csv";

    /// <summary>File name of the per-epoch validation log.</summary>
    public const string ValidationFile = "validation.csv";

    private const string IterationHeader = "iteration,epoch,song,window_start,train_loss,grad_norm,seconds";
    private const string ValidationHeader = "epoch,iteration,seconds,validation_loss,persistence_loss,mean_loss";

    private readonly StreamWriter _iterations;
    private readonly StreamWriter _validation;

    private TrainingLog(StreamWriter iterations, StreamWriter validation)
    {
        _iterations = iterations;
        _validation = validation;
    }

    /// <summary>Starts fresh logs in <paramref name="directory"/>.</summary>
    public static TrainingLog Create(string directory)
    {
        File.WriteAllText(Path.Combine(directory, IterationFile), IterationHeader + "\n");
        File.WriteAllText(Path.Combine(directory, ValidationFile), ValidationHeader + "\n");
        return Open(directory);
    }

    /// <summary>Reopens the logs of a resumed run, dropping rows past iteration <paramref name="iteration"/> and epoch <paramref name="epoch"/>.</summary>
    public static TrainingLog Resume(string directory, long iteration, int epoch)
    {
        Truncate(Path.Combine(directory, IterationFile), IterationHeader, fields => long.TryParse(fields[0], CultureInfo.InvariantCulture, out long i) && i <= iteration && fields.Length == 7);
        Truncate(Path.Combine(directory, ValidationFile), ValidationHeader, fields => int.TryParse(fields[0], CultureInfo.InvariantCulture, out int e) && e <= epoch && fields.Length == 6);
        return Open(directory);
    }

    /// <summary>Appends an iteration's row.</summary>
    public void Append(IterationRecord r, double seconds) =>
        _iterations.Write(string.Create(CultureInfo.InvariantCulture,
            $"{r.Iteration},{r.Epoch},{r.Song},{r.WindowStart},{r.Loss:R},{r.GradientNorm:R},{seconds:F3}\n"));

    /// <summary>Appends an epoch's validation row.</summary>
    public void AppendValidation(int epoch, long iteration, double seconds, double? validation, Baselines baselines)
    {
        _validation.Write(string.Create(CultureInfo.InvariantCulture,
            $"{epoch},{iteration},{seconds:F3},{Format(validation)},{Format(baselines.Persistence)},{Format(baselines.Mean)}\n"));
        Flush();
    }

    /// <summary>Pushes buffered rows to the files.</summary>
    public void Flush()
    {
        _iterations.Flush();
        _validation.Flush();
    }

    public void Dispose()
    {
        _iterations.Dispose();
        _validation.Dispose();
    }

    private static string Format(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static TrainingLog Open(string directory) =>
        new(new StreamWriter(Path.Combine(directory, IterationFile), append: true),
            new StreamWriter(Path.Combine(directory, ValidationFile), append: true));

    private static void Truncate(string path, string header, Func<string[], bool> keep)
    {
        var rows = File.Exists(path) ? File.ReadAllLines(path).Skip(1) : [];
        var kept = rows.Where(line => line.Length > 0 && keep(line.Split(','))).ToArray();
        // Written beside and renamed over: a run killed here keeps the old log whole rather than a cut one.
        string temp = path + ".tmp";
        File.WriteAllLines(temp, kept.Prepend(header));
        File.Move(temp, path, overwrite: true);
    }
}
