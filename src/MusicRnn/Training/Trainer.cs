using MusicRnn.Models;
using MusicRnn.Objectives;
using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>One optimizer iteration as the log records it.</summary>
/// <param name="Iteration">1-based count of iterations since training began (resumes continue it).</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Song">0-based index of the song the windows came from.</param>
/// <param name="WindowStart">First frame of the first stream's window.</param>
/// <param name="Loss">The window's loss, in the objective's unit.</param>
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
/// Truncated back-propagation through time over a list of songs (docs/ARCHITECTURE.md,
/// "Training"). The trainer knows nothing of the architecture or the loss: it calls
/// <see cref="FrameModel.forward"/>, carries the <see cref="ModelState"/> it returns, asks the
/// <see cref="Objective"/> for the loss and the validation score, and updates through the one
/// <see cref="TrainingStep"/>.
/// </summary>
public sealed class Trainer : IDisposable
{
    private const int ValidationChunk = 1024;

    private readonly FrameModel _model;
    private readonly TrainingConfig _config;
    private readonly Objective _objective;
    private readonly TrainingStep _step;

    /// <param name="model">The model to train, already on the songs' device.</param>
    /// <param name="config">Validated training settings.</param>
    /// <param name="objective">What the model learns to output, and how that is scored.</param>
    public Trainer(FrameModel model, TrainingConfig config, Objective objective)
    {
        _model = model;
        _config = config;
        _objective = objective;
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToArray();
        Optimizer = TrainingOptimizer.Create(config, named);
        _step = new TrainingStep([.. named.Select(p => p.parameter)], Optimizer, config.Clip);
    }

    /// <summary>The update rule (its state goes into checkpoints).</summary>
    public TrainingOptimizer Optimizer { get; }

    /// <summary>Iterations done so far, counting any before a resume.</summary>
    public long Iteration { get; set; }

    /// <summary>Epochs completed so far, counting any before a resume.</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Optimizer steps taken by this trainer object (not restored on resume).</summary>
    public long OptimizerSteps => _step.Updates;

    /// <summary>Iterations one epoch takes over <paramref name="songs"/>.</summary>
    public long IterationsPerEpoch(IReadOnlyList<TrainingSong> songs) =>
        songs.Sum(s => (long)WindowPlan.For(s.TrainLength(_objective.TargetShift), _config).Steps);

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
            ? _model.parameters().Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray()
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

            if (epochGradient is not null && count > 0) _step.ApplySum(epochGradient);
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
        int shift = _objective.TargetShift;
        int length = song.TrainLength(shift);
        var plan = WindowPlan.For(length, _config);
        if (plan.Steps == 0) return;

        int window = _config.Window, stride = _config.Stride;
        using var songScope = NewDisposeScope();
        // Views made here, outside the per-step scopes, so they live for the whole song.
        var inputs = song.Frames.narrow(0, 0, length);        // [L, D]
        var targets = song.Frames.narrow(0, shift, length);   // [L, D]
        // Windows that follow each other end to end (stride = window, the sample-level models' layout)
        // start from the state the last one ended in; overlapping ones from their start state
        // advanced `stride` steps.
        bool carry = _config.State == StateMode.Carry, adjacent = stride == window;
        ModelState? carried = null;
        try
        {
            for (int step = 0; step < plan.Steps; step++)
            {
                var starts = Enumerable.Range(0, plan.Streams).Select(s => plan.Start(s, step, stride)).ToArray();
                long iteration = Iteration + 1;
                bool more = carry && step + 1 < plan.Steps;
                ModelState? ended = null;
                Tensor Loss()
                {
                    var (output, state) = _model.forward(Windows(inputs, starts, window), carried);   // [W, S, D]
                    if (more && adjacent) ended = state.Detach().MoveToOuterDisposeScope();
                    return _objective.Loss(output, Windows(targets, starts, window));
                }
                var result = epochGradient is null ? _step.Update(iteration, Loss) : _step.Accumulate(iteration, Loss, epochGradient);
                Iteration = iteration;

                if (ended is not null)
                {
                    carried?.Dispose();
                    carried = ended;
                }
                else if (more)
                {
                    // The next window starts `stride` frames later: advance this window's start
                    // state over those frames, without a graph.
                    using var work = TensorWork.Begin();
                    ModelState next;
                    using (no_grad())
                        next = _model.forward(Windows(inputs, starts, stride), carried).State.Detach().MoveToOuterDisposeScope();   // [stride, S, D]
                    carried?.Dispose();
                    carried = next;
                }
                onIteration(new IterationRecord(iteration, epoch, songIndex, starts[0], result.Loss, result.GradientNorm));
            }
        }
        finally
        {
            carried?.Dispose();
        }
    }

    /// <summary>
    /// Validation loss: each song runs from a zero state over all its frames without gradient (so
    /// the tail has its context), and the objective scores the predictions whose targets lie in
    /// the held-out tail. Mean over all tail targets, in the objective's unit.
    /// </summary>
    /// <returns>The loss, or null when no song holds frames out.</returns>
    public double? ValidationLoss(IReadOnlyList<TrainingSong> songs)
    {
        _model.eval();
        var total = default(MetricSum);
        int shift = _objective.TargetShift;
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
                    using var work = TensorWork.Begin();
                    var input = song.Frames.narrow(0, begin, n).unsqueeze(1); // [n, 1, D]
                    var (output, next) = _model.forward(input, state);
                    var moved = next.Detach().MoveToOuterDisposeScope();
                    state?.Dispose();
                    state = moved;
                    int from = Math.Max(begin, firstScored);
                    if (from >= begin + n) continue;
                    var predicted = output.narrow(0, from - begin, begin + n - from).squeeze(1);   // [m, D]
                    var target = song.Frames.narrow(0, from + shift, begin + n - from);           // [m, D]
                    total += _objective.Score(predicted, target);
                }
            }
            finally
            {
                state?.Dispose();
            }
        }
        _model.train();
        return total.Mean;
    }

    public void Dispose() => Optimizer.Dispose();

    /// <summary>Stacks the windows of length <paramref name="length"/> at <paramref name="starts"/> as parallel streams: [length, S, D].</summary>
    internal static Tensor Windows(Tensor sequence, int[] starts, int length) =>
        starts.Length == 1
            ? sequence.narrow(0, starts[0], length).unsqueeze(1)
            : stack(starts.Select(s => sequence.narrow(0, s, length)), dim: 1);
}
