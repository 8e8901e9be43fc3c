using MusicRnn.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>One optimizer iteration as the log records it.</summary>
/// <param name="Iteration">1-based count of iterations since training began (resumes continue it).</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Song">0-based index of the song the windows came from.</param>
/// <param name="WindowStart">First frame of the first stream's window.</param>
/// <param name="Loss">Mean squared error over the window's frames and features (model space).</param>
/// <param name="GradientNorm">Global L2 norm of the gradient before clipping.</param>
public sealed record IterationRecord(long Iteration, int Epoch, int Song, int WindowStart, double Loss, double GradientNorm);

/// <summary>
/// How the windows of one song are laid out. The song's windows (one every
/// <c>stride</c> frames) are split into <see cref="Streams"/> contiguous runs that advance
/// side by side, one window of each per iteration ([window, streams, features]); with
/// batch 1 that is the essay's single stream. Running contiguous runs in lock-step keeps
/// every stream's state carry exact and every stream's clock equal (which the Clockwork
/// RNN's single clock needs). Windows left over when the count does not divide are dropped.
/// </summary>
/// <param name="Windows">Windows that fit in the song's training head.</param>
/// <param name="Streams">Parallel streams, min(batch, windows).</param>
/// <param name="Steps">Iterations (windows per stream).</param>
public sealed record WindowPlan(int Windows, int Streams, int Steps)
{
    /// <summary>Plans the windows of a head with <paramref name="trainLength"/> usable input positions.</summary>
    public static WindowPlan For(int trainLength, TrainingConfig config)
    {
        int windows = trainLength < config.Window ? 0 : (trainLength - config.Window) / config.Stride + 1;
        int streams = Math.Min(config.Batch, windows);
        return new WindowPlan(windows, streams, streams == 0 ? 0 : windows / streams);
    }

    /// <summary>First frame of stream <paramref name="stream"/>'s window at step <paramref name="step"/>.</summary>
    public int Start(int stream, int step, int stride) => (stream * Steps + step) * stride;
}

/// <summary>
/// Truncated back-propagation through time over a list of songs (DESIGN.md §4). The
/// trainer knows nothing of the architecture: it calls <see cref="FrameModel.forward"/>
/// and carries the <see cref="ModelState"/> it returns.
/// </summary>
public sealed class Trainer : IDisposable
{
    private const int ValidationChunk = 1024;

    private readonly FrameModel _model;
    private readonly TrainingConfig _config;
    private readonly Objective _objective;
    private readonly Parameter[] _parameters;

    /// <param name="model">The model to train, already on the songs' device.</param>
    /// <param name="config">Validated training settings.</param>
    /// <param name="objective">What the model learns to output.</param>
    public Trainer(FrameModel model, TrainingConfig config, Objective objective)
    {
        _model = model;
        _config = config;
        _objective = objective;
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToArray();
        _parameters = named.Select(p => p.parameter).ToArray();
        Optimizer = TrainingOptimizer.Create(config, named);
    }

    /// <summary>The update rule (its state goes into checkpoints).</summary>
    public TrainingOptimizer Optimizer { get; }

    /// <summary>Iterations done so far, counting any before a resume.</summary>
    public long Iteration { get; set; }

    /// <summary>Epochs completed so far, counting any before a resume.</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Optimizer steps taken by this trainer object (not restored on resume).</summary>
    public long OptimizerSteps { get; private set; }

    /// <summary>Iterations one epoch takes over <paramref name="songs"/>.</summary>
    public long IterationsPerEpoch(IReadOnlyList<TrainingSong> songs) =>
        songs.Sum(s => (long)WindowPlan.For(s.TrainLength(_objective), _config).Steps);

    /// <summary>
    /// Trains one epoch: every song's windows in order, the state reset at each song's
    /// start. Throws <see cref="TrainingDivergedException"/> (without a checkpoint folder)
    /// before a non-finite loss or gradient can reach the weights.
    /// </summary>
    /// <returns>The mean training loss over the epoch's iterations.</returns>
    public double TrainEpoch(IReadOnlyList<TrainingSong> songs, Action<IterationRecord>? onIteration = null)
    {
        int epoch = CompletedEpochs + 1;
        _model.train();
        double lossSum = 0;
        long count = 0;

        // Rprop wants the gradient of the whole epoch: sum every iteration's gradient here
        // and take one step at the end.
        Tensor[]? epochGradient = Optimizer.FullBatch
            ? _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray()
            : null;
        try
        {
            for (int song = 0; song < songs.Count; song++)
            {
                TrainSong(songs[song], song, epoch, epochGradient, record =>
                {
                    lossSum += record.Loss;
                    count++;
                    onIteration?.Invoke(record);
                });
            }

            if (epochGradient is not null && count > 0)
            {
                using var quiet = NoCollection.Begin(NoCollection.StepBudget);
                using var scope = NewDisposeScope();
                for (int i = 0; i < _parameters.Length; i++)
                {
                    var grad = _parameters[i].grad;
                    if (grad is null) continue;
                    grad.copy_(epochGradient[i]);
                }
                Optimizer.Step();
                OptimizerSteps++;
                ZeroGradients();
            }
        }
        finally
        {
            if (epochGradient is not null) foreach (var g in epochGradient) g.Dispose();
        }

        CompletedEpochs = epoch;
        return count == 0 ? double.NaN : lossSum / count;
    }

    private void TrainSong(TrainingSong song, int songIndex, int epoch, Tensor[]? epochGradient, Action<IterationRecord> onIteration)
    {
        int length = song.TrainLength(_objective);
        var plan = WindowPlan.For(length, _config);
        if (plan.Steps == 0) return;

        int window = _config.Window, stride = _config.Stride;
        using var songScope = NewDisposeScope();
        // Views made here, outside the per-step scopes, so they live for the whole song.
        var inputs = song.Frames.narrow(0, 0, length);                                     // [L, D]
        var targets = song.Frames.narrow(0, TrainingSong.TargetShift(_objective), length); // [L, D]
        ModelState? carried = null;
        try
        {
            for (int step = 0; step < plan.Steps; step++)
            {
                var starts = Enumerable.Range(0, plan.Streams).Select(s => plan.Start(s, step, stride)).ToArray();
                IterationRecord record;
                using var quiet = NoCollection.Begin(NoCollection.StepBudget);
                using (var scope = NewDisposeScope())
                {
                    var input = Windows(inputs, starts, window);   // [W, S, D]
                    var target = Windows(targets, starts, window); // [W, S, D]
                    var (output, _) = _model.forward(input, carried);
                    var loss = nn.functional.mse_loss(output, target, nn.Reduction.Mean);
                    double lossValue = loss.item<float>();
                    long iteration = Iteration + 1;
                    if (!double.IsFinite(lossValue)) throw new TrainingDivergedException(iteration, null);

                    loss.backward();
                    double norm = GradientNorm();
                    if (!double.IsFinite(norm)) throw new TrainingDivergedException(iteration, null);

                    if (epochGradient is not null)
                    {
                        // Rprop reads only the sign of the epoch's gradient, so it is not clipped.
                        for (int i = 0; i < _parameters.Length; i++)
                            if (_parameters[i].grad is { } g) epochGradient[i].add_(g);
                    }
                    else
                    {
                        if (_config.Clip > 0 && norm > _config.Clip) ScaleGradients(_config.Clip / (norm + 1e-6));
                        Optimizer.Step();
                        OptimizerSteps++;
                    }
                    ZeroGradients();
                    Iteration = iteration;
                    record = new IterationRecord(iteration, epoch, songIndex, starts[0], lossValue, norm);

                    if (_config.State == StateMode.Carry && step + 1 < plan.Steps)
                    {
                        // The next window starts `stride` frames later: advance this
                        // window's start state over those frames, without a graph.
                        ModelState next;
                        using (no_grad())
                        {
                            var advance = Windows(inputs, starts, stride); // [stride, S, D]
                            next = _model.forward(advance, carried).State.Detach().MoveToOuterDisposeScope();
                        }
                        carried?.Dispose();
                        carried = next;
                    }
                }
                onIteration(record);
            }
        }
        finally
        {
            carried?.Dispose();
        }
    }

    /// <summary>
    /// Validation loss: each song runs from a zero state over all its frames without
    /// gradient (so the tail has its context), and the error is taken on the predictions
    /// whose targets lie in the held-out tail. Mean over all tail frames and features.
    /// </summary>
    /// <returns>The loss, or null when no song holds frames out.</returns>
    public double? ValidationLoss(IReadOnlyList<TrainingSong> songs)
    {
        _model.eval();
        double sum = 0;
        long values = 0;
        int shift = TrainingSong.TargetShift(_objective);
        using var noGrad = no_grad();
        foreach (var song in songs)
        {
            if (song.TailStart >= song.FrameCount) continue;
            int length = song.FrameCount - shift;
            int firstScored = song.TailStart - shift;
            ModelState? state = null;
            try
            {
                for (int begin = 0; begin < length; begin += ValidationChunk)
                {
                    int n = Math.Min(ValidationChunk, length - begin);
                    using var quiet = NoCollection.Begin(NoCollection.StepBudget);
                    using var scope = NewDisposeScope();
                    var input = song.Frames.narrow(0, begin, n).unsqueeze(1); // [n, 1, D]
                    var (output, next) = _model.forward(input, state);
                    var moved = next.Detach().MoveToOuterDisposeScope();
                    state?.Dispose();
                    state = moved;
                    int from = Math.Max(begin, firstScored);
                    if (from >= begin + n) continue;
                    var predicted = output.narrow(0, from - begin, begin + n - from).squeeze(1);   // [m, D]
                    var target = song.Frames.narrow(0, from + shift, begin + n - from);           // [m, D]
                    sum += (predicted - target).square().sum().to_type(ScalarType.Float64).item<double>();
                    values += predicted.numel();
                }
            }
            finally
            {
                state?.Dispose();
            }
        }
        _model.train();
        return values == 0 ? null : sum / values;
    }

    /// <summary>
    /// The persistence baseline ŷ_t = x_t on the same tail targets as
    /// <see cref="ValidationLoss"/>: a model that does not beat it has learned nothing.
    /// (For reconstruction it is 0 by definition.)
    /// </summary>
    public static double? PersistenceLoss(IReadOnlyList<TrainingSong> songs, Objective objective)
    {
        int shift = TrainingSong.TargetShift(objective);
        double sum = 0;
        long values = 0;
        foreach (var song in songs)
        {
            int firstScored = song.TailStart - shift;
            int m = song.FrameCount - song.TailStart;
            if (m == 0) continue;
            using var scope = NewDisposeScope();
            var predicted = song.Frames.narrow(0, firstScored, m);
            var target = song.Frames.narrow(0, firstScored + shift, m);
            sum += (predicted - target).square().sum().to_type(ScalarType.Float64).item<double>();
            values += predicted.numel();
        }
        return values == 0 ? null : sum / values;
    }

    /// <summary>
    /// The mean baseline ŷ_t = the mean training frame (per feature, over every song's frames
    /// before its tail), on the same tail targets as <see cref="ValidationLoss"/>. With the zscore
    /// normalizer it is about 1. Persistence is a weak bar for spectral frames, whose phases barely
    /// repeat from one frame to the next (its loss is about 2 there): a model that beats persistence
    /// but not this has learned only the song's average spectrum.
    /// </summary>
    public static double? MeanLoss(IReadOnlyList<TrainingSong> songs)
    {
        using var scope = NewDisposeScope();
        var heads = songs.Where(s => s.TailStart > 0 && s.TailStart < s.FrameCount).ToArray();
        if (heads.Length == 0) return null;
        var training = cat(heads.Select(s => s.Frames.narrow(0, 0, s.TailStart).to_type(ScalarType.Float64)).ToArray(), 0); // [frames, D]
        var mean = training.mean([0L]);                                                                                      // [D]
        double sum = 0;
        long values = 0;
        foreach (var song in heads)
        {
            var tail = song.Frames.narrow(0, song.TailStart, song.FrameCount - song.TailStart).to_type(ScalarType.Float64);
            sum += (tail - mean).square().sum().item<double>();
            values += tail.numel();
        }
        return sum / values;
    }

    public void Dispose() => Optimizer.Dispose();

    /// <summary>Stacks the windows of length <paramref name="length"/> at <paramref name="starts"/> as parallel streams: [length, S, D].</summary>
    private static Tensor Windows(Tensor sequence, int[] starts, int length) =>
        starts.Length == 1
            ? sequence.narrow(0, starts[0], length).unsqueeze(1)
            : stack(starts.Select(s => sequence.narrow(0, s, length)), dim: 1);

    private double GradientNorm()
    {
        var squares = _parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!.square().sum()).ToArray();
        if (squares.Length == 0) return 0;
        return Math.Sqrt(stack(squares).sum().to_type(ScalarType.Float64).item<double>());
    }

    private void ScaleGradients(double factor)
    {
        foreach (var p in _parameters) p.grad?.mul_(factor);
    }

    private void ZeroGradients()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }
}
