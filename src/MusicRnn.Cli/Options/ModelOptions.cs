using System.CommandLine;
using MusicRnn.Models;

namespace MusicRnn.Cli.Options;

/// <summary>
/// The options that shape a model (<see cref="ModelSpec"/>) apart from its architecture and depth,
/// shared by <c>train</c>, <c>bench</c> and <c>demo</c>; null unless given.
/// </summary>
internal sealed class ModelOptions
{
    private readonly Option<int?> _hidden = new("--hidden") { Description = "hidden units per layer" };
    private readonly Option<int?> _modules = new("--modules") { Description = "cwrnn: modules the hidden layer is split into" };
    private readonly Option<int[]> _periods = new("--periods") { Description = "cwrnn: period of each module (default 1 2 4 ...)", AllowMultipleArgumentsPerToken = true };
    private readonly Option<Activation?> _activation = Choice.Of<Activation>("--activation", "rnn/cwrnn nonlinearity");
    private readonly Option<bool?> _peepholes = new("--peepholes") { Description = "lstm peephole connections: true or false (default true)" };
    private readonly Option<GruReset?> _gruReset = Choice.Of<GruReset>("--gru-reset", "gru reset gate before (Cho) or after (cuDNN) the recurrent product");
    private readonly Option<RecurrentInit?> _init = Choice.Of<RecurrentInit>("--init", "initial weights (identity: rnn/cwrnn U = I; chrono: lstm/gru gate biases, needs --chrono-steps)");
    private readonly Option<Readout?> _readout = Choice.Of<Readout>("--readout", "how the top state h becomes the next frame from the input x (plain: W h + b; residual: x + W h + b; scaled: s * x + W h + b, a gain s per feature; the two skips start as persistence)");
    private readonly Option<int?> _chronoSteps = new("--chrono-steps") { Description = "chrono init: the longest dependency in steps the gate biases are spread over" };

    /// <param name="defaults">The values used when an option is not given, shown in the help; null when they are a preset's.</param>
    public ModelOptions(ModelSpec? defaults)
    {
        if (defaults is null) return;
        TrainingOptions.Default(_hidden, defaults.HiddenSize);
        TrainingOptions.Default(_modules, defaults.Modules);
        TrainingOptions.Default(_activation, Choice.NameOf(defaults.Activation));
        TrainingOptions.Default(_gruReset, Choice.NameOf(defaults.GruReset));
        _readout.Description += defaults.Readout == Readout.Plain ? " (default plain)" : $" (default {Choice.NameOf(defaults.Readout)} where it fits: a recurrent model predicting the next frame; plain otherwise)";
    }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { _hidden, _modules, _periods, _activation, _peepholes, _gruReset, _init, _chronoSteps, _readout })
            command.Options.Add(o);
    }

    /// <summary>Whether <c>--hidden</c> was given (it excludes <c>--match-params</c>).</summary>
    public bool HiddenGiven(ParseResult parsed) => parsed.GetValue(_hidden) is not null;

    /// <summary><paramref name="baseline"/> with every given option put in its place (not validated).</summary>
    public ModelSpec Apply(ParseResult parsed, ModelSpec baseline)
    {
        var spec = baseline;
        if (parsed.GetValue(_hidden) is { } hidden) spec = spec with { HiddenSize = hidden };
        if (parsed.GetValue(_modules) is { } modules) spec = spec with { Modules = modules };
        if (parsed.GetValue(_periods) is { Length: > 0 } periods) spec = spec with { Periods = periods };
        if (parsed.GetValue(_activation) is { } activation) spec = spec with { Activation = activation };
        if (parsed.GetValue(_peepholes) is { } peepholes) spec = spec with { Peepholes = peepholes };
        if (parsed.GetValue(_gruReset) is { } reset) spec = spec with { GruReset = reset };
        if (parsed.GetValue(_init) is { } init) spec = spec with { Init = init };
        if (parsed.GetValue(_chronoSteps) is { } steps) spec = spec with { ChronoSteps = steps };
        if (parsed.GetValue(_readout) is { } readout) spec = spec with { Readout = readout };
        return spec;
    }

    /// <summary>
    /// <paramref name="spec"/>, whose readout came from defaults unless <c>--readout</c> was given, with
    /// the plain head where the default does not fit <paramref name="target"/> or the architecture;
    /// a readout given is kept, for validation to refuse with its reason.
    /// </summary>
    public ModelSpec FitReadout(ParseResult parsed, ModelSpec spec, Training.Target target) =>
        parsed.GetValue(_readout) is null && !spec.ReadoutFits(target) ? spec with { Readout = Readout.Plain } : spec;

    /// <summary>Whether <c>--init</c> was given (in <c>bench</c> it replaces a preset's per-architecture choice).</summary>
    public bool InitGiven(ParseResult parsed) => parsed.GetValue(_init) is not null;
}
