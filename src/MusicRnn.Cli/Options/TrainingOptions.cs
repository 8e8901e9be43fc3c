using System.CommandLine;
using MusicRnn.Training;

namespace MusicRnn.Cli.Options;

/// <summary>
/// The options that set a <see cref="TrainingConfig"/> (truncated BPTT and the update rule), shared
/// by <c>train</c>, <c>bench</c> and <c>demo</c>; null unless given.
/// </summary>
internal sealed class TrainingOptions
{
    private readonly Option<int?> _window = new("--window") { Description = "frames per BPTT window" };
    private readonly Option<int?> _stride = new("--stride") { Description = "frames between window starts" };
    private readonly Option<int?> _batch = new("--batch") { Description = "windows per step, run as parallel streams" };
    private readonly Option<StateMode?> _state = Choice.Of<StateMode>("--state", "each window's start state: carried (advanced between windows) or reset");
    private readonly Option<int?> _epochs = new("--epochs") { Description = "epochs to train (in total, when resuming)" };
    private readonly Option<OptimizerKind?> _optimizer = Choice.Of<OptimizerKind>("--optimizer", "update rule");
    private readonly Option<double?> _lr = new("--lr") { Description = "learning rate (rprop: initial step size)" };
    private readonly Option<double?> _momentum = new("--momentum") { Description = "sgd momentum" };
    private readonly Option<bool> _nesterov = new("--nesterov") { Description = "sgd: Nesterov momentum" };
    private readonly Option<double?> _weightDecay = new("--weight-decay") { Description = "decoupled weight decay λ: each step first shrinks every weight by lr·λ (0 = off)" };
    private readonly Option<double?> _clip = new("--clip") { Description = "gradient-norm ceiling (0 = off)" };
    private readonly Option<long?> _seed = new("--seed") { Description = "seed of the weights (and of a bench's synthesized track and samples)" };
    private readonly Option<int?> _validateEvery = new("--validate-every") { Description = "also validate every N iterations, within epochs (0 = at epoch ends only)" };

    /// <param name="defaults">The values used when an option is not given, shown in the help; null when they are a preset's.</param>
    public TrainingOptions(TrainingConfig? defaults)
    {
        if (defaults is null) return;
        Default(_window, defaults.Window);
        Default(_stride, defaults.Stride);
        Default(_batch, defaults.Batch);
        Default(_state, Choice.NameOf(defaults.State));
        Default(_epochs, defaults.Epochs);
        Default(_optimizer, Choice.NameOf(defaults.Optimizer));
        Default(_lr, defaults.LearningRate);
        Default(_weightDecay, defaults.WeightDecay);
        Default(_clip, defaults.Clip);
        Default(_seed, defaults.Seed);
    }

    /// <summary>Appends "(default X)" to an option's help.</summary>
    internal static void Default(Option option, object value) =>
        option.Description += string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (default {value})");

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { _window, _stride, _batch, _state, _epochs, _optimizer, _lr, _momentum, _nesterov, _weightDecay, _clip, _seed, _validateEvery })
            command.Options.Add(o);
    }

    /// <summary><paramref name="baseline"/> with every given option put in its place (not validated).</summary>
    public TrainingConfig Apply(ParseResult parsed, TrainingConfig baseline)
    {
        var t = baseline;
        if (parsed.GetValue(_window) is { } window) t = t with { Window = window };
        if (parsed.GetValue(_stride) is { } stride) t = t with { Stride = stride };
        if (parsed.GetValue(_batch) is { } batch) t = t with { Batch = batch };
        if (parsed.GetValue(_state) is { } state) t = t with { State = state };
        if (parsed.GetValue(_epochs) is { } epochs) t = t with { Epochs = epochs };
        if (parsed.GetValue(_optimizer) is { } optimizer) t = t with { Optimizer = optimizer };
        if (parsed.GetValue(_lr) is { } lr) t = t with { LearningRate = lr };
        if (parsed.GetValue(_momentum) is { } momentum) t = t with { Momentum = momentum };
        if (parsed.GetValue(_nesterov)) t = t with { Nesterov = true };
        if (parsed.GetValue(_weightDecay) is { } decay) t = t with { WeightDecay = decay };
        if (parsed.GetValue(_clip) is { } clip) t = t with { Clip = clip };
        if (parsed.GetValue(_seed) is { } seed) t = t with { Seed = seed };
        if (parsed.GetValue(_validateEvery) is { } every) t = t with { ValidateEvery = every };
        return t;
    }
}
