using MusicRnn.Training;

namespace MusicRnn.Models;

/// <summary>The architectures MusicRnn can build (docs/ARCHITECTURE.md, Models).</summary>
public enum Architecture
{
    /// <summary>Elman's vanilla RNN.</summary>
    Rnn,
    /// <summary>LSTM with forget gate and (optionally) diagonal peepholes.</summary>
    Lstm,
    /// <summary>Gated recurrent unit, reset before (Cho) or after (cuDNN) the recurrent product.</summary>
    Gru,
    /// <summary>Clockwork RNN (Koutník et al. 2014).</summary>
    CwRnn,
    /// <summary>Feed-forward logistic regression on one frame.</summary>
    LogReg,
    /// <summary>Feed-forward multi-layer perceptron on one frame.</summary>
    Mlp,
    /// <summary>The persistence baseline ŷ_t = x_t (no parameters).</summary>
    Persistence,
}

/// <summary>Nonlinearity of the vanilla RNN and the Clockwork RNN.</summary>
public enum Activation
{
    Tanh,
    Sigmoid,
}

/// <summary>Where the GRU applies its reset gate.</summary>
public enum GruReset
{
    /// <summary>Cho et al. 2014: n = tanh(W x + U (r ⊙ h)).</summary>
    Before,
    /// <summary>cuDNN/libtorch: n = tanh(W x + r ⊙ (U h + b)).</summary>
    After,
}

/// <summary>
/// How a recurrent layer's weights start (<see cref="RecurrentLayers.ResetParameters"/>). Every
/// choice but <see cref="Default"/> belongs to some architectures only (<see cref="ModelSpec.Validate"/>).
/// </summary>
public enum RecurrentInit
{
    /// <summary>libtorch's uniform ±1/√H (LSTM forget bias +1), the CW-RNN's N(0, 0.1²) of Koutník et al.</summary>
    Default,

    /// <summary>
    /// RNN and CW-RNN: U = I, W ~ N(0, 0.1²), biases 0 (Le, Jaitly &amp; Hinton 2015, the IRNN), so the
    /// state neither fades nor explodes at the start and gradients reach back over the whole sequence.
    /// </summary>
    Identity,

    /// <summary>
    /// LSTM and GRU: the gate biases of Tallec &amp; Ollivier (2018), "chrono initialization", so the
    /// units start with memory spans spread up to <see cref="ModelSpec.ChronoSteps"/> steps.
    /// </summary>
    Chrono,
}

/// <summary>
/// How a recurrent frame model turns its top state h_t into the predicted frame (<c>--readout</c>;
/// docs/ARCHITECTURE.md, "Models"). Every choice but <see cref="Plain"/> predicts the next frame as
/// a change from the current one, so it needs a model whose output is a frame of its input's size
/// and the target x_{t+1} (<see cref="ModelSpec.Validate"/>, <see cref="ModelSpec.ValidateFor"/>).
/// </summary>
public enum Readout
{
    /// <summary>The essay's linear head, ŷ_t = W_y h_t + b_y.</summary>
    Plain,

    /// <summary>
    /// A skip from the input, ŷ_t = x_t + W_y h_t + b_y, with W_y and b_y starting at zero: the
    /// untrained model is persistence and the network learns the change from the frame just heard.
    /// </summary>
    Residual,

    /// <summary>
    /// The skip with a learned gain per feature, ŷ_t = s ⊙ x_t + W_y h_t + b_y, s starting at 1 (and
    /// W_y, b_y at 0): persistence at the start, and each feature's own pull towards its mean
    /// (s_k &lt; 1, the first-order linear prediction of a bin from itself) without the network
    /// having to carry x_t in its state.
    /// </summary>
    Scaled,
}

/// <summary>
/// Everything needed to build a model with freshly initialised weights. Saved in every
/// checkpoint's config.json, so a checkpoint rebuilds its own model.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Which architecture.</summary>
    public Architecture Arch { get; init; } = Architecture.Lstm;

    /// <summary>Features per input frame.</summary>
    public int InputSize { get; init; }

    /// <summary>Features per predicted frame (usually equal to <see cref="InputSize"/>).</summary>
    public int OutputSize { get; init; }

    /// <summary>Hidden units per layer (for the CW-RNN: modules × units per module).</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary>Stacked recurrent (or hidden feed-forward) layers; 0 only for logistic regression.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Nonlinearity of RNN and CW-RNN units.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>LSTM only: diagonal peephole connections from the cell to the gates.</summary>
    public bool Peepholes { get; init; } = true;

    /// <summary>GRU only: where the reset gate acts.</summary>
    public GruReset GruReset { get; init; } = GruReset.Before;

    /// <summary>CW-RNN only: period of each module; null means 2^i for every module.</summary>
    public IReadOnlyList<int>? Periods { get; init; }

    /// <summary>CW-RNN only: number of modules the hidden layer is split into.</summary>
    public int Modules { get; init; } = 8;

    /// <summary>How the recurrent weights start; <see cref="RecurrentInit.Default"/> for every preset but koutnik.</summary>
    public RecurrentInit Init { get; init; } = RecurrentInit.Default;

    /// <summary>
    /// With <see cref="RecurrentInit.Chrono"/>: T_max, the longest dependency in steps the gate biases are
    /// spread over (at least 3: the biases are log U(1, T_max − 1)). It has no default: it is the
    /// task's (the koutnik preset's is its excerpt's length).
    /// </summary>
    public int ChronoSteps { get; init; }

    /// <summary>
    /// How the top state becomes the predicted frame. <see cref="Readout.Plain"/> here, so a
    /// checkpoint written before readouts existed rebuilds its own model; <c>train</c> and the quick
    /// preset ask for <see cref="Readout.Residual"/> where it fits.
    /// </summary>
    public Readout Readout { get; init; } = Readout.Plain;

    /// <summary>
    /// A sample-level model (SampleRNN): the recurrent stack above (arch, hidden, layers …) is its
    /// frame tier, and this says the rest. Null for a frame model.
    /// </summary>
    public SampleLevelSpec? SampleLevel { get; init; }

    /// <summary>Throws an <see cref="InputException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (InputSize <= 0) throw InputException.ForOption("input size", $"expected a positive number of features, got {InputSize}");
        if (OutputSize <= 0) throw InputException.ForOption("output size", $"expected a positive number of features, got {OutputSize}");
        if (HiddenSize <= 0) throw InputException.ForOption("--hidden", $"expected a positive number of units, got {HiddenSize}");
        if (Layers < (Arch == Architecture.LogReg ? 0 : 1) || Layers > 16)
            throw InputException.ForOption("--layers", $"expected 1 to 16 layers, got {Layers}");
        if (SampleLevel is { } sample)
        {
            sample.Validate();
            if (InputSize != 1 || OutputSize != sample.Levels)
                throw InputException.ForOption("input size", $"a sample-level model reads 1 level and predicts {sample.Levels}, got {InputSize} → {OutputSize}");
            if (!Architectures.Of(Arch).Recurrent)
                throw InputException.ForOption("--arch", $"a sample-level model's frame tier is recurrent (rnn, lstm, gru, cwrnn), got {Architectures.NameOf(Arch)}");
        }
        if (ReadoutShapeProblem() is { } readout) throw InputException.ForOption("--readout", readout);
        if (Init == RecurrentInit.Identity && Arch is not (Architecture.Rnn or Architecture.CwRnn))
            throw InputException.ForOption("--init", $"identity initializes the rnn and cwrnn recurrence, not {Architectures.NameOf(Arch)}");
        if (Init == RecurrentInit.Chrono && Arch is not (Architecture.Lstm or Architecture.Gru))
            throw InputException.ForOption("--init", $"chrono initializes lstm and gru gate biases, not {Architectures.NameOf(Arch)}");
        if (Init == RecurrentInit.Chrono && ChronoSteps < 3)
            throw InputException.ForOption("--chrono-steps", $"chrono needs the longest dependency to remember, at least 3 steps (e.g. the window), got {ChronoSteps}");
        if (Periods is not null && Arch != Architecture.CwRnn)
            throw InputException.ForOption("--periods", $"periods belong to the Clockwork RNN (--arch cwrnn), not to {Arch.ToString().ToLowerInvariant()}");
        if (Arch == Architecture.CwRnn)
        {
            if (Modules <= 0) throw InputException.ForOption("--modules", $"expected a positive number of modules, got {Modules}");
            if (HiddenSize % Modules != 0)
                throw InputException.ForOption("--hidden", $"a Clockwork RNN needs a hidden size divisible by its {Modules} modules, got {HiddenSize}");
            if (Periods is { } p)
            {
                if (p.Count != Modules) throw InputException.ForOption("--periods", $"expected {Modules} periods (one per module), got {p.Count}");
                if (p.Any(t => t <= 0)) throw InputException.ForOption("--periods", "every period must be a positive number of steps");
            }
        }
    }

    /// <summary>
    /// Throws an <see cref="InputException"/> naming <c>--readout</c> when the readout cannot serve a
    /// model trained towards <paramref name="target"/>: adding x_t to the prediction is a guess of
    /// x_{t+1}, and towards x_t itself it is the answer, with nothing left to learn.
    /// </summary>
    public void ValidateFor(Target target)
    {
        if (Readout != Readout.Plain && target != Target.Next)
            throw InputException.ForOption("--readout", $"{NameOf(Readout)} predicts the next frame as a change from the current one, so it needs --objective next, got {target.ToString().ToLowerInvariant()}");
    }

    /// <summary>
    /// Whether the readout fits a model of this spec trained towards <paramref name="target"/> (sizes
    /// not yet known count as fitting): how a command whose default readout is residual falls back to
    /// the plain head where a residual one does not apply (mlp, logreg, reconstruction).
    /// </summary>
    public bool ReadoutFits(Target target) => Readout == Readout.Plain || (target == Target.Next && ReadoutShapeProblem() is null);

    /// <summary>Why the readout does not fit this model's architecture or sizes, or null.</summary>
    private string? ReadoutShapeProblem()
    {
        if (Readout == Readout.Plain) return null;
        if (SampleLevel is not null || !Architectures.Of(Arch).Recurrent)
            return $"{NameOf(Readout)} belongs to recurrent frame models (rnn, lstm, gru, cwrnn), not to {(SampleLevel is null ? Architectures.NameOf(Arch) : "a sample-level model")}";
        if (InputSize > 0 && OutputSize > 0 && InputSize != OutputSize)
            return $"{NameOf(Readout)} adds the input frame to the prediction, so the output size ({OutputSize}) must equal the input size ({InputSize})";
        return null;
    }

    private static string NameOf(Readout readout) => readout.ToString().ToLowerInvariant();

    /// <summary>The period of CW-RNN module <paramref name="module"/> (0-based).</summary>
    public int PeriodOf(int module) => Periods is { } p ? p[module] : 1 << Math.Min(module, 30);
}

/// <summary>
/// What a sample-level model (Mehri et al. 2017, SampleRNN) adds to its frame tier's recurrent stack
/// (docs/ARCHITECTURE.md, "Models"): how many tiers, the frame sizes, the levels and the sample
/// tier's width.
/// </summary>
public sealed record SampleLevelSpec
{
    /// <summary>
    /// 1: the sample tier alone (the MLP over the previous samples, no recurrence: the baseline the
    /// recurrent tiers are measured against); 2: a frame tier conditioning it; 3: a slower tier above
    /// the frame tier (<c>--tiers</c>).
    /// </summary>
    public int Tiers { get; init; } = 2;

    /// <summary>Samples per frame of the frame tier, and the samples the sample tier sees (<c>--sample-frame</c>).</summary>
    public int FrameSize { get; init; } = 16;

    /// <summary>With 3 tiers: frame-tier frames per frame of the slower tier above (<c>--top-ratio</c>).</summary>
    public int TopRatio { get; init; } = 4;

    /// <summary>Quantization levels: the categorical output's size (<c>--levels</c>).</summary>
    public int Levels { get; init; } = 256;

    /// <summary>Width of the sample tier's MLP and of the per-position embeddings (<c>--mlp</c>).</summary>
    public int MlpSize { get; init; } = 256;

    /// <summary>Samples per frame of the slower tier.</summary>
    public int TopFrameSize => TopRatio * FrameSize;

    /// <summary>Throws an <see cref="InputException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Tiers is < 1 or > 3) throw InputException.ForOption("--tiers", $"expected 1 (sample tier alone), 2 or 3 tiers, got {Tiers}");
        if (FrameSize is < 1 or > 1024) throw InputException.ForOption("--sample-frame", $"expected 1 to 1024 samples per frame, got {FrameSize}");
        if (TopRatio is < 2 or > 64) throw InputException.ForOption("--top-ratio", $"expected 2 to 64 frames per top frame, got {TopRatio}");
        if (Levels is < 2 or > 65536) throw InputException.ForOption("--levels", $"expected 2 to 65536 levels, got {Levels}");
        if (MlpSize is < 1 or > 8192) throw InputException.ForOption("--mlp", $"expected 1 to 8192 units, got {MlpSize}");
    }
}
