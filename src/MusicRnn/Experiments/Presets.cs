using MusicRnn.Models;
using MusicRnn.Training;

namespace MusicRnn.Experiments;

/// <summary>
/// The named starting points of <c>bench</c> (docs/ARCHITECTURE.md, "Experiments"). Each is a complete
/// <see cref="BenchConfig"/>; command-line options override single fields of it.
/// </summary>
public static class Presets
{
    /// <summary>The preset names, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["quick", "essay", "essay-code", "koutnik", "samples-quick", "samples"];

    /// <summary>
    /// Minutes on two cores for the whole default grid (4 architectures × 1–3 layers): train's
    /// default frames, log-magnitude STFT of 1024 samples every 256 (513 features, 86 frames a
    /// second), 128 hidden units read out through train's default scaled skip from the input frame,
    /// windows of 100 frames every 10, three epochs of RMSProp at 10⁻³ with a decoupled weight decay
    /// of 1, on one thread (see <see cref="BenchConfig.Threads"/>). The CW-RNN has 2 modules (periods
    /// 1 and 2) of 64 units, not 8 of 16. Measured on the synthesized track and a real song
    /// (bench/results/2026-12-02-residual): the grid makes a quarter of train's updates per epoch, and
    /// at a lower rate the track's models stay above linear prediction; on 20 s of the track the
    /// networks overfit what a ridge regression generalises from, and the decay, 40 s and a CW-RNN
    /// whose fastest module has 64 units rather than 16 are what put all 12 below it. Without --audio
    /// it trains on 40 s of the synthesized track (3445 frames, the last 10 % held out: 300 updates
    /// per epoch per model); a given song is used whole (a 60-s song: 456 updates per epoch).
    /// </summary>
    public static BenchConfig Quick { get; } = new()
    {
        Preset = "quick",
        TrackSeconds = 40,
        Data = Frames("stft", 1024),
        Model = new ModelSpec { HiddenSize = 128, Modules = 2, Readout = Readout.Scaled },
        Training = new TrainingConfig { Window = 100, Stride = 10, Epochs = 3, Optimizer = OptimizerKind.RmsProp, LearningRate = 1e-3, WeightDecay = 1 },
        SampleSeconds = 5,
        Threads = 1,
    };

    /// <summary>
    /// What the essay describes: the full complex FFT with 2048 features per frame (1024-sample
    /// frames), 2048 hidden units, windows of 200 frames every 5, 5 epochs of RMSProp, next-frame
    /// prediction. Hours per model on a CPU.
    /// </summary>
    public static BenchConfig Essay { get; } = new()
    {
        Preset = "essay",
        TrackSeconds = 30,
        Data = Frames("fft", 1024),
        Model = new ModelSpec { HiddenSize = 2048 },
        Training = new TrainingConfig { Window = 200, Stride = 5, Epochs = 5, Optimizer = OptimizerKind.RmsProp, LearningRate = 1e-3 },
    };

    /// <summary>
    /// What the essay's code ran (docs/ARCHITECTURE.md, "Experiments"): 1024 fft features per frame (its stereo 256-sample
    /// frames; mono 512-sample frames give the same count), 1024 hidden units, windows of 100
    /// every 5 over the song's first 1024 frames, reconstruction, Adagrad lr 0.001, 5 epochs, no
    /// held-out tail. Its loop started a window at every fifth of those 1024 frames (0, 5, …, 1020:
    /// 205 windows, 5 × 205 = 1025 updates), letting the last ones run short. MusicRnn's trainer
    /// only takes whole windows, so the preset keeps the same 205 starts by loading the 96 frames
    /// the last window reaches past frame 1023: 1020 + 100 = 1120 frames.
    /// </summary>
    public static BenchConfig EssayCode { get; } = new()
    {
        Preset = "essay-code",
        TrackSeconds = 30,
        Data = Frames("fft", 512) with { MaxFrames = (EssayCodeStarts - 1) / 5 * 5 + 100, Target = Target.Reconstruct, ValidateFraction = 0 },
        Model = new ModelSpec { HiddenSize = 1024 },
        Training = new TrainingConfig { Window = 100, Stride = 5, Epochs = 5, Optimizer = OptimizerKind.Adagrad, LearningRate = 1e-3, Clip = 0 },
    };

    /// <summary>The frames the essay's code started its windows in (its "first 1024 frames").</summary>
    public const int EssayCodeStarts = 1024;

    /// <summary>
    /// Koutník et al. (2014), "A Clockwork RNN", §4.1, sequence generation: a 320-sample excerpt of
    /// the song scaled to [-1, 1] is the target, the input is a constant 1 at every step, the one
    /// sequence is trained by full BPTT over all 320 steps (one update per epoch), one hidden layer
    /// and a linear output unit, and the models are sized to parameter budgets of about 100, 250,
    /// 500 and 1000. The figure is normalized MSE (docs/findings.md, "Koutník's sequence task").
    /// </summary>
    /// <remarks>
    /// Where it follows the paper: the task, the budgets, 2000 epochs, the CW-RNN's N(0, 0.1²)
    /// weights. Where it does not, and why: the paper trains every network by SGD with momentum 0.95
    /// (learning rate 3·10⁻⁴ for RNN and CW-RNN, 3·10⁻⁵ for the LSTM, whose forget-gate bias starts at
    /// 5) and reports that the RNN fails; here every architecture must learn, so every model gets
    /// Adam at 10⁻³ (at 10⁻² the tanh RNN stays at the mean, normalized MSE 1), the RNN starts from
    /// the identity recurrence (<see cref="RecurrentInit.Identity"/>) and LSTM and GRU from chrono
    /// gate biases spread over the excerpt's 320 steps (<see cref="RecurrentInit.Chrono"/>).
    /// </remarks>
    public static BenchConfig Koutnik { get; } = new()
    {
        Preset = "koutnik",
        Task = BenchTask.Sequence,
        TrackSeconds = 4,
        // The sequence task reads the song itself (at this rate); it has no frames to make.
        Data = Frames("raw", 2) with { Target = Target.Reconstruct, ValidateFraction = 0, Normalize = Codecs.NormalizerKind.None },
        Model = new ModelSpec { ChronoSteps = KoutnikExcerpt },
        Inits = new Dictionary<Architecture, RecurrentInit>
        {
            [Architecture.Rnn] = RecurrentInit.Identity,
            [Architecture.Lstm] = RecurrentInit.Chrono,
            [Architecture.Gru] = RecurrentInit.Chrono,
        },
        Layers = [1],
        Budgets = [100, 250, 500, 1000],
        Training = new TrainingConfig { Window = KoutnikExcerpt, Stride = KoutnikExcerpt, Epochs = 2000, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Clip = 1.0 },
        SampleSeconds = 0,
        ExcerptSamples = KoutnikExcerpt,
        Threads = 1,
    };

    /// <summary>
    /// The essay's four cells as the frame tier of SampleRNN's 2-tier model (Mehri et al. 2017), at
    /// the sample-level defaults (<see cref="SampleLevelDefaults"/>: 16 kHz mu-law, 256 units, 32
    /// streams of 1024 samples, Adam 1e-3), one layer each, 4 epochs, a 5-s sample per model; with the
    /// sample tier alone trained the same way as the baseline the frame tiers must beat. Minutes on
    /// 20 s of the synthesized track (8 updates per epoch per model).
    /// </summary>
    public static BenchConfig SamplesQuick { get; } = new()
    {
        Preset = "samples-quick",
        TrackSeconds = 20,
        Data = SampleLevelDefaults.Data,
        Model = SampleLevelDefaults.Model,
        Layers = [1],
        Training = SampleLevelDefaults.Training with { Epochs = 4 },
        SampleSeconds = 5,
    };

    /// <summary>
    /// The sample-level comparison on a real song: <see cref="SamplesQuick"/> trained for 20 epochs
    /// (a 60-s song: 26 updates per epoch per model) with a 10-s sample per model.
    /// </summary>
    public static BenchConfig Samples { get; } = SamplesQuick with
    {
        Preset = "samples",
        Training = SampleLevelDefaults.Training with { Epochs = 20 },
        SampleSeconds = 10,
    };

    /// <summary>Samples in the koutnik preset's target (Koutník et al.: 320).</summary>
    public const int KoutnikExcerpt = 320;

    /// <summary>The data settings of a preset: the given codec and frame at 22050 Hz, audio filled in by the run.</summary>
    private static DataConfig Frames(string codec, int frame) =>
        new() { Audio = [], Codec = new Codecs.CodecSettings(codec, frame, Codecs.CodecFactory.DefaultSampleRate) };

    /// <summary>The preset called <paramref name="name"/>; an <see cref="InputException"/> naming <c>--preset</c> otherwise.</summary>
    public static BenchConfig Get(string name) => name.Trim().ToLowerInvariant() switch
    {
        "quick" => Quick,
        "essay" => Essay,
        "essay-code" => EssayCode,
        "koutnik" => Koutnik,
        "samples-quick" => SamplesQuick,
        "samples" => Samples,
        _ => throw InputException.ForOption("--preset", $"unknown preset '{name}'; expected one of {string.Join(", ", Names)}"),
    };
}
