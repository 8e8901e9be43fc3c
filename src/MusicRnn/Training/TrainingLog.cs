using System.Globalization;
using MusicRnn.Objectives;

namespace MusicRnn.Training;

/// <summary>A row of log.csv: one optimizer iteration and when it ended.</summary>
/// <param name="Iteration">1-based iteration, counting any before a resume.</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Song">0-based index of the song its windows came from.</param>
/// <param name="WindowStart">First position of the first stream's window.</param>
/// <param name="Loss">The window's training loss, in the objective's unit.</param>
/// <param name="GradientNorm">Global L2 norm of the gradient before clipping.</param>
/// <param name="Seconds">Training seconds at its end, over all runs.</param>
public sealed record IterationRow(long Iteration, int Epoch, int Song, int WindowStart, double Loss, double GradientNorm, double Seconds);

/// <summary>A row of validation.csv: the model and every baseline on the held-out tails, at an epoch's end or within one.</summary>
/// <param name="Epoch">
/// Training done, in epochs: a whole number at an epoch's end (0 = the untrained model), a fraction
/// for a validation within an epoch (<c>--validate-every</c>), never rounded up to the epoch's end.
/// </param>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="Seconds">Training seconds so far, over all runs.</param>
/// <param name="Loss">The model's validation loss; null when nothing is held out.</param>
/// <param name="Baselines">Each baseline's loss, in the objective's order.</param>
public sealed record ValidationRow(double Epoch, long Iteration, double Seconds, double? Loss, IReadOnlyList<BaselineLoss> Baselines)
{
    /// <summary>Whether the row was written at an epoch's end (or before training).</summary>
    public bool AtEpochEnd => Epoch == Math.Floor(Epoch);
}

/// <summary>
/// The run's CSV logs in the output folder, written as training goes and read back as typed rows
/// (docs/ARCHITECTURE.md, "Formats"):
/// <list type="bullet">
/// <item>log.csv — a row per iteration: iteration, epoch, song, window_start, train_loss, grad_norm, seconds.</item>
/// <item>validation.csv — a row per epoch end (and, with <c>--validate-every</c>, within epochs):
/// epoch (training done, in epochs: fractional within an epoch), iteration, seconds,
/// validation_loss, then one <c>{baseline}_loss</c> column per baseline of the objective, all in
/// the objective's unit. Row epoch 0 is the untrained model. A baseline measured once is repeated on every row so each row
/// plots on its own; losses are empty when nothing is held out.</item>
/// </list>
/// A resumed run first cuts both files back to the checkpoint, so rows written after the last
/// checkpoint by a run that then crashed are not duplicated.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    /// <summary>File name of the per-iteration log.</summary>
    public const string IterationFile = "log.csv";

    /// <summary>File name of the per-epoch validation log.</summary>
    public const string ValidationFile = "validation.csv";

    private const string IterationHeader = "iteration,epoch,song,window_start,train_loss,grad_norm,seconds";
    private static readonly string[] ValidationColumns = ["epoch", "iteration", "seconds", "validation_loss"];

    private readonly StreamWriter _iterations;
    private readonly StreamWriter _validation;
    private readonly IReadOnlyList<string> _baselines;

    private TrainingLog(StreamWriter iterations, StreamWriter validation, IReadOnlyList<string> baselines)
    {
        _iterations = iterations;
        _validation = validation;
        _baselines = baselines;
    }

    /// <summary>Starts fresh logs in <paramref name="directory"/>, with a column for each of <paramref name="baselines"/>.</summary>
    public static TrainingLog Create(string directory, IReadOnlyList<string> baselines)
    {
        File.WriteAllText(Path.Combine(directory, IterationFile), IterationHeader + "\n");
        File.WriteAllText(Path.Combine(directory, ValidationFile), ValidationHeader(baselines) + "\n");
        return Open(directory, baselines);
    }

    /// <summary>
    /// Reopens the logs of a resumed run, dropping rows past iteration <paramref name="iteration"/>
    /// and epoch <paramref name="epoch"/>. A validation log written with other baseline columns (by
    /// an older MusicRnn) is rewritten with these, each value kept under its column's name.
    /// </summary>
    public static TrainingLog Resume(string directory, long iteration, int epoch, IReadOnlyList<string> baselines)
    {
        string iterations = Path.Combine(directory, IterationFile), validation = Path.Combine(directory, ValidationFile);
        Rewrite(iterations, IterationHeader, ReadIterations(directory).Where(r => r.Iteration <= iteration).Select(Format));
        var rows = ReadValidation(directory).Where(r => r.Epoch <= epoch && r.Iteration <= iteration).ToList();
        Rewrite(validation, ValidationHeader(baselines), rows.Select(r => Format(r, baselines)));
        return Open(directory, baselines);
    }

    /// <summary>Appends an iteration's row.</summary>
    public void Append(IterationRecord r, double seconds) =>
        _iterations.Write(Format(new IterationRow(r.Iteration, r.Epoch, r.Song, r.WindowStart, r.Loss, r.GradientNorm, seconds)) + "\n");

    /// <summary>Appends a validation row; <paramref name="baselines"/> in the order the log was created with.</summary>
    public void AppendValidation(double epoch, long iteration, double seconds, double? validation, IReadOnlyList<BaselineLoss> baselines)
    {
        _validation.Write(Format(new ValidationRow(epoch, iteration, seconds, validation, baselines), _baselines) + "\n");
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

    /// <summary>The iterations logged in <paramref name="directory"/>'s log.csv; a row cut short by a crash is skipped.</summary>
    public static IReadOnlyList<IterationRow> ReadIterations(string directory)
    {
        var (columns, rows) = Read(Path.Combine(directory, IterationFile));
        if (columns.Length != 7) return [];
        return [.. rows.Where(f => f.Length == 7 && f.All(v => v.Length > 0)).Select(f => new IterationRow(
            long.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
            int.Parse(f[3], CultureInfo.InvariantCulture), Number(f[4]) ?? double.NaN, Number(f[5]) ?? double.NaN, Number(f[6]) ?? 0))];
    }

    /// <summary>The validation rows of <paramref name="directory"/>'s validation.csv, baselines named by their columns.</summary>
    public static IReadOnlyList<ValidationRow> ReadValidation(string directory)
    {
        var (columns, rows) = Read(Path.Combine(directory, ValidationFile));
        if (!columns.Take(ValidationColumns.Length).SequenceEqual(ValidationColumns)) return [];
        var baselines = columns.Skip(ValidationColumns.Length).Select(c => c.EndsWith("_loss", StringComparison.Ordinal) ? c[..^5] : c).ToArray();
        return [.. rows.Where(f => f.Length == columns.Length).Select(f => new ValidationRow(
            Number(f[0]) ?? 0, long.Parse(f[1], CultureInfo.InvariantCulture), Number(f[2]) ?? 0, Number(f[3]),
            [.. baselines.Select((name, i) => new BaselineLoss(name, Number(f[ValidationColumns.Length + i])))]))];
    }

    private static string ValidationHeader(IReadOnlyList<string> baselines) =>
        string.Join(',', ValidationColumns.Concat(baselines.Select(b => $"{b}_loss")));

    private static string Format(IterationRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Iteration},{r.Epoch},{r.Song},{r.WindowStart},{r.Loss:R},{r.GradientNorm:R},{r.Seconds:F3}");

    private static string Format(ValidationRow r, IReadOnlyList<string> columns) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Epoch:0.####},{r.Iteration},{r.Seconds:F3},{Format(r.Loss)}")
        + string.Concat(columns.Select(c => "," + Format(r.Baselines.FirstOrDefault(b => b.Name == c)?.Loss)));

    private static string Format(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static double? Number(string text) =>
        text.Length == 0 ? null : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static (string[] Columns, List<string[]> Rows) Read(string path)
    {
        if (!File.Exists(path)) throw InputException.ForFile(path, "training log is missing");
        var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
        return lines.Count == 0 ? ([], []) : (lines[0].Split(','), [.. lines.Skip(1).Select(l => l.Split(','))]);
    }

    private static TrainingLog Open(string directory, IReadOnlyList<string> baselines) =>
        new(new StreamWriter(Path.Combine(directory, IterationFile), append: true),
            new StreamWriter(Path.Combine(directory, ValidationFile), append: true), baselines);

    private static void Rewrite(string path, string header, IEnumerable<string> rows)
    {
        // Written beside and renamed over: a run killed here keeps the old log whole rather than a cut one.
        string temp = path + ".tmp";
        File.WriteAllLines(temp, rows.Prepend(header));
        File.Move(temp, path, overwrite: true);
    }
}
