using System.Diagnostics.CodeAnalysis;
using MusicRnn.Models;
using MusicRnn.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// Runs a trained <see cref="FrameModel"/> to make new frames (docs/ARCHITECTURE.md,
/// "Generation"), in model space, one stream (batch 1), without gradients. How a prediction
/// becomes the next input is the model's <see cref="Objective"/>'s to say.
/// </summary>
/// <remarks>
/// Memory stays bounded for any length: the work is cut into chunks of
/// <see cref="ChunkFrames"/> frames, each inside its own dispose scope; only the recurrent
/// state and the last prediction leave a chunk, and each chunk of frames goes to a sink as
/// soon as it is made. The sink receives a tensor [frames, OutputSize] that lives only for the
/// duration of the call (it is disposed with its chunk), so a sink copies what it keeps.
/// The model is put in evaluation mode for the run and returned to its previous mode afterwards.
/// <para>
/// Free running on an LSTM, where the objective feeds each prediction back unchanged
/// (<see cref="Objective.FeedsPredictionBack"/>), goes through <see cref="FreeRunningLstm"/>, which
/// folds the feedback into the recurrence: prepared once per run, then run chunk by chunk. It makes
/// the same frames as feeding each prediction back through <see cref="FrameModel.forward"/>, up to
/// float rounding, several times faster (<c>musicrnn perf</c>, bench/results/). When the fed-back
/// input is not the prediction (noise, sampling) every step goes frame by frame through forward.
/// </para>
/// </remarks>
public sealed class Generator
{
    private readonly FrameModel model;
    private readonly Objective objective;
    private readonly Device device;
    private readonly ScalarType dtype;

    /// <param name="model">The model to run.</param>
    /// <param name="objective">What the model predicts: says how a prediction is fed back.</param>
    /// <param name="chunkFrames">Frames per chunk (and per dispose scope).</param>
    public Generator(FrameModel model, Objective objective, int chunkFrames = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkFrames, 1);
        this.model = model;
        this.objective = objective;
        ChunkFrames = chunkFrames;
        // A model without parameters (the persistence baseline) has no device of its own: the CPU.
        // Frames are made in the model's precision (float32 unless a test asks for float64).
        var first = model.parameters().FirstOrDefault();
        (device, dtype) = (first?.device ?? CPU, first?.dtype ?? ScalarType.Float32);
    }

    /// <summary>Frames made per chunk.</summary>
    public int ChunkFrames { get; }

    /// <summary>Whether <see cref="FreeRun"/> with this feedback and length runs on the fold.</summary>
    /// <remarks>Only a model on the fastest kernel folds (the others are the references it is tested
    /// against); the fold assumes the fed-back input is the prediction itself; a single frame takes
    /// no step, so preparing the fold would be wasted.</remarks>
    internal bool UsesFold(Feedback feedback, long frames) =>
        model.Kernel == Kernel.Fastest && objective.FeedsPredictionBack(feedback) && frames > 1 && FreeRunningLstm.Supports(model);

    /// <summary>
    /// Primes the state on <paramref name="prime"/>, then feeds each prediction back as the next
    /// input for <paramref name="frames"/> steps, sending the predictions to <paramref name="sink"/>
    /// chunk by chunk.
    /// </summary>
    /// <param name="prime">Priming frames [P, InputSize] in model space; not disposed. With P = 0 the
    /// run starts from a zero frame (the training mean under z-score) and a zero state.</param>
    /// <param name="frames">How many frames to make.</param>
    /// <param name="feedback">How predictions are fed back (noise, temperature); the frames sent to
    /// the sink are the model's predictions as they came out.</param>
    /// <param name="seed">Seed of the feedback's randomness; equal seeds give equal output.</param>
    /// <param name="sink">Receives each chunk of predictions, [chunk, OutputSize], valid during the call only.</param>
    /// <param name="progress">Told of each finished chunk, in frames.</param>
    public void FreeRun(Tensor prime, long frames, Feedback feedback, long seed, Action<Tensor> sink, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(prime);
        ArgumentNullException.ThrowIfNull(feedback);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        if (objective.FeedbackProblem(model.Spec) is { } problem) throw new ArgumentException(problem, nameof(prime));
        CheckFrames(prime, nameof(prime));

        progress ??= NullProgress.Instance;
        if (UsesSampler)
        {
            FreeRunSamples((SampleRnnModel)model, prime, frames, feedback, seed, 1, (_, chunk) => sink(chunk), progress);
            return;
        }

        // The feedback's randomness comes from its own CPU generator so it is the same sequence
        // on every device and does not depend on (or disturb) torch's global RNG.
        using var random = new torch.Generator(unchecked((ulong)seed), CPU);
        progress.Begin("generate", frames + prime.shape[0]);
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        ModelState? state = null;
        Tensor? next = null;   // the prediction that becomes the next generated frame, [1, 1, O]
        FreeRunningLstm? fold = null;
        try
        {
            (state, next) = Prime(prime, progress);
            // Made once per run, not per chunk: the fold is a product of two weight matrices, which
            // costs the time of many steps through forward.
            fold = UsesFold(feedback, frames) ? new FreeRunningLstm(model) : null;
            long made = 0;
            while (made < frames)
            {
                var count = (int)Math.Min(ChunkFrames, frames - made);
                using (var work = TensorWork.Begin())
                {
                    // The chunk's first frame is the prediction carried in; each step predicts the
                    // next, except that the last step of the run would predict a frame nobody asked for.
                    var steps = made + count == frames ? count - 1 : count;
                    var (outputs, carried, current) = fold is null
                        ? StepByForward(state, next, count, steps, feedback, random)
                        : StepByFold(fold, state, next, steps);
                    // [chunk, 1, O] → [chunk, O]: one row per generated frame.
                    sink(outputs.narrow(0, 0, count).reshape(count, -1));
                    made += count;
                    ReplaceCarried(ref state, ref next, carried, current);
                }
                progress.Report(prime.shape[0] + made);
            }
            progress.Complete();
        }
        finally
        {
            fold?.Dispose();
            state?.Dispose();
            next?.Dispose();
            if (wasTraining) model.train();
        }
    }

    /// <summary>
    /// Whether <see cref="FreeRun"/> runs on <see cref="SampleLevelSampler"/>: a sample-level model
    /// on the fastest kernel, in float32 on the CPU (the sampler's arithmetic).
    /// </summary>
    internal bool UsesSampler => model is SampleRnnModel && model.Kernel == Kernel.Fastest && device.type == DeviceType.CPU && dtype == ScalarType.Float32;

    /// <summary>
    /// Free running of <paramref name="streams"/> streams from the same prime, stream b seeded
    /// <paramref name="seed"/> + b, so each is what <see cref="FreeRun"/> makes with that seed. On the
    /// sampler (<see cref="UsesSampler"/>) they run side by side, one product per weight matrix for
    /// all of them; otherwise one after another.
    /// </summary>
    /// <param name="prime">Priming frames [P, InputSize] in model space; not disposed.</param>
    /// <param name="frames">How many frames to make per stream.</param>
    /// <param name="feedback">How predictions are fed back.</param>
    /// <param name="seed">Seed of stream 0.</param>
    /// <param name="streams">Streams B.</param>
    /// <param name="sink">Receives each stream's chunks, [chunk, OutputSize], valid during the call only.</param>
    /// <param name="progress">Told of each finished chunk, in frames per stream.</param>
    public void FreeRunStreams(Tensor prime, long frames, Feedback feedback, long seed, int streams, Action<int, Tensor> sink, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(prime);
        ArgumentNullException.ThrowIfNull(feedback);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams);
        if (!UsesSampler)
        {
            for (int b = 0; b < streams; b++)
            {
                int stream = b;
                FreeRun(prime, frames, feedback, seed + b, chunk => sink(stream, chunk), progress);
            }
            return;
        }
        if (objective.FeedbackProblem(model.Spec) is { } problem) throw new ArgumentException(problem, nameof(prime));
        CheckFrames(prime, nameof(prime));
        FreeRunSamples((SampleRnnModel)model, prime, frames, feedback, seed, streams, sink, progress ?? NullProgress.Instance);
    }

    /// <summary>
    /// Free running on <see cref="SampleLevelSampler"/>: primes one stream through forward (no prime is
    /// the silence the model's initial state already stands for), copies its state to every stream,
    /// then samples level by level.
    /// </summary>
    private void FreeRunSamples(SampleRnnModel sampled, Tensor prime, long frames, Feedback feedback, long seed, int streams, Action<int, Tensor> sink, IProgressSink progress)
    {
        progress.Begin("generate", frames + prime.shape[0]);
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        ModelState? state = null;
        Tensor? next = null;
        try
        {
            if (prime.shape[0] > 0) (state, next) = Prime(prime, progress);
            else state = sampled.InitialState(1, device, dtype).Detach();
            if (streams > 1)
            {
                // Every state tensor is batch-first, [1, …]: the streams start alike and part at their first draw.
                var one = state;
                state = new ModelState([.. one.Tensors.Select(t => t.expand([streams, .. t.shape.Skip(1)]).contiguous())], one.Clock);
                one.Dispose();
            }
            long made = 0;
            new SampleLevelSampler(sampled).Run(state, frames, feedback.Temperature, seed, ChunkFrames, levels =>
            {
                using var scope = NewDisposeScope();
                var span = levels.Span;
                int count = span.Length / streams;
                var column = new float[count];
                for (int b = 0; b < streams; b++)
                {
                    for (int n = 0; n < count; n++) column[n] = span[(n * streams) + b];   // time-major [n·B] → stream b's levels
                    sink(b, tensor(column, [count, 1]));
                }
                made += count;
                progress.Report(prime.shape[0] + made);
            });
            progress.Complete();
        }
        finally
        {
            state?.Dispose();
            next?.Dispose();
            if (wasTraining) model.train();
        }
    }

    /// <summary>
    /// <paramref name="count"/> frames, each what the objective makes of a prediction (<paramref name="next"/>
    /// first), with <paramref name="steps"/> steps through forward, each fed what the objective makes
    /// of the frame before it (count steps but in a run's last chunk, whose last frame needs none).
    /// </summary>
    /// <returns>The frames [count, 1, ·], the state after the last step, and its prediction
    /// (<paramref name="next"/> itself with no step).</returns>
    private (Tensor Frames, ModelState State, Tensor Last) StepByForward(ModelState state, Tensor next, int count, int steps, Feedback feedback, torch.Generator random)
    {
        var frames = new Tensor[count];
        var (carried, current) = (state, next);
        for (var i = 0; i < count; i++)
        {
            // Each prediction becomes a frame exactly once: the last one of a chunk that steps on
            // is carried, and becomes the first frame of the next chunk.
            frames[i] = objective.Generated(current, feedback, random);
            if (i < steps) (current, carried) = model.forward(objective.Fed(current, frames[i], feedback, random), carried);
        }
        return (cat(frames, dim: 0), carried, current);
    }

    /// <summary>The same as <see cref="StepByForward"/> without noise, on the fold.</summary>
    private static (Tensor Frames, ModelState State, Tensor Last) StepByFold(FreeRunningLstm fold, ModelState state, Tensor next, int steps)
    {
        // [1, 1, O] → [1, I] (the sizes are equal): the fold takes one frame per stream.
        var (predictions, carried) = fold.Run(next.reshape(1, -1), state, steps);   // [steps, 1, O]
        return (cat([next, predictions], dim: 0), carried, steps > 0 ? predictions.narrow(0, steps - 1, 1) : next);
    }

    /// <summary>
    /// Teacher forcing: feeds the real <paramref name="frames"/> one after another and sends the
    /// model's prediction after each (for the <c>next</c> objective, frame t's prediction is its
    /// guess of frame t + 1) to <paramref name="sink"/>, chunk by chunk.
    /// </summary>
    /// <param name="frames">Real frames [F, InputSize] in model space; not disposed.</param>
    /// <param name="sink">Receives each chunk of predictions, [chunk, OutputSize], valid during the call only.</param>
    /// <param name="progress">Told of each finished chunk, in frames.</param>
    /// <param name="feedback">How a prediction becomes a frame (a categorical's temperature); null = the defaults.</param>
    /// <param name="seed">Seed of that, where it draws.</param>
    /// <remarks>The sink gets the frames the objective makes of the predictions: the predictions
    /// themselves for a regression, a level drawn from each for a categorical.</remarks>
    /// <param name="predictions">Also receives each chunk's raw predictions [chunk, OutputSize] (a categorical's logits), valid during the call only.</param>
    public void TeacherForced(Tensor frames, Action<Tensor> sink, IProgressSink? progress = null, Feedback? feedback = null, long seed = 0,
        Action<Tensor>? predictions = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(sink);
        CheckFrames(frames, nameof(frames));
        progress ??= NullProgress.Instance;
        feedback ??= new Feedback();
        using var random = new torch.Generator(unchecked((ulong)seed), CPU);
        var total = frames.shape[0];
        progress.Begin("teacher-forced", total);
        using var _ = no_grad();
        var wasTraining = model.training;
        model.eval();
        ModelState? state = null;
        try
        {
            for (long start = 0; start < total; start += ChunkFrames)
            {
                var count = Math.Min(ChunkFrames, total - start);
                using (var work = TensorWork.Begin())
                {
                    // [chunk, I] → [chunk, 1, I]: time-major, batch 1, as the model takes it.
                    var input = frames.narrow(0, start, count).to(dtype, device).unsqueeze(1);
                    var (output, carried) = model.forward(input, state);
                    predictions?.Invoke(output.reshape(count, -1));
                    sink(objective.Generated(output, feedback, random).reshape(count, -1));
                    var kept = carried.Detach().MoveToOuterDisposeScope();
                    state?.Dispose();
                    state = kept;
                }
                progress.Report(start + count);
            }
            progress.Complete();
        }
        finally
        {
            state?.Dispose();
            if (wasTraining) model.train();
        }
    }

    /// <summary>Runs the model over the prime (chunked) and returns the state and its last prediction.</summary>
    private (ModelState State, Tensor Next) Prime(Tensor prime, IProgressSink progress)
    {
        var total = prime.shape[0];
        ModelState? state = null;
        Tensor? next = null;
        if (total == 0)
        {
            using var work = TensorWork.Begin();
            var zero = zeros(1, 1, model.Spec.InputSize, dtype: dtype, device: device);
            var (output, carried) = model.forward(zero, null);
            ReplaceCarried(ref state, ref next, carried, output);
            return (state, next);
        }
        try
        {
            for (long start = 0; start < total; start += ChunkFrames)
            {
                var count = Math.Min(ChunkFrames, total - start);
                using (var work = TensorWork.Begin())
                {
                    var input = prime.narrow(0, start, count).to(dtype, device).unsqueeze(1);   // [chunk, 1, I]
                    var (output, carried) = model.forward(input, state);
                    ReplaceCarried(ref state, ref next, carried, output.narrow(0, count - 1, 1));    // [1, 1, O]
                }
                progress.Report(start + count);
            }
            return (state!, next!);   // total > 0, so the loop ran
        }
        catch
        {
            state?.Dispose();
            next?.Dispose();
            throw;
        }
    }

    /// <summary>Lifts the state and the last prediction out of the chunk's scope, freeing the previous ones.</summary>
    private static void ReplaceCarried([NotNull] ref ModelState? state, [NotNull] ref Tensor? next, ModelState carried, Tensor last)
    {
        var keptState = carried.Detach().MoveToOuterDisposeScope();
        var keptNext = last.detach().MoveToOuterDisposeScope();
        state?.Dispose();
        next?.Dispose();
        state = keptState;
        next = keptNext;
    }

    private void CheckFrames(Tensor frames, string name)
    {
        if (frames.ndim != 2 || frames.shape[1] != model.Spec.InputSize)
            throw new ArgumentException($"expected frames [frames, {model.Spec.InputSize}], got [{string.Join(", ", frames.shape)}]", name);
    }
}
