using System.Diagnostics.CodeAnalysis;
using MusicRnn.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// Runs a trained <see cref="FrameModel"/> to make new frames (DESIGN.md §6), in model space,
/// one stream (batch 1), without gradients.
/// </summary>
/// <remarks>
/// Memory stays bounded for any length: the work is cut into chunks of
/// <see cref="ChunkFrames"/> frames, each inside its own dispose scope; only the recurrent
/// state and the last prediction leave a chunk, and each chunk of frames goes to a sink as
/// soon as it is made. The sink receives a tensor [frames, OutputSize] that lives only for the
/// duration of the call (it is disposed with its chunk), so a sink copies what it keeps.
/// The model is put in evaluation mode for the run and returned to its previous mode afterwards.
/// <para>
/// Free running without noise on an LSTM goes through <see cref="FreeRunningLstm"/>, which folds
/// the feedback into the recurrence: prepared once per run, then run chunk by chunk. It makes the
/// same frames as feeding each prediction back through <see cref="FrameModel.forward"/>, up to
/// float rounding, about 5 times faster at H = 1024 (<c>musicrnn perf</c>). With noise the fed-back frame is no longer the
/// prediction, so every other run goes frame by frame through forward.
/// </para>
/// </remarks>
public sealed class Generator
{
    private readonly FrameModel model;
    private readonly Device device;
    private readonly ScalarType dtype;

    /// <param name="model">The model to run; its input and output sizes must be equal for free running.</param>
    /// <param name="chunkFrames">Frames per chunk (and per dispose scope).</param>
    public Generator(FrameModel model, int chunkFrames = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkFrames, 1);
        this.model = model;
        ChunkFrames = chunkFrames;
        // A model without parameters (the persistence baseline) has no device of its own: the CPU.
        // Frames are made in the model's precision (float32 unless a test asks for float64).
        var first = model.parameters().FirstOrDefault();
        (device, dtype) = (first?.device ?? CPU, first?.dtype ?? ScalarType.Float32);
    }

    /// <summary>Frames made per chunk.</summary>
    public int ChunkFrames { get; }

    /// <summary>Whether <see cref="FreeRun"/> with this noise and length runs on the fold.</summary>
    /// <remarks>With noise the fed-back frame is not the prediction the fold assumes; a single
    /// frame takes no step, so preparing the fold would be wasted.</remarks>
    internal bool UsesFold(double noise, long frames) => model.Kernel == Kernel.Fastest && noise == 0 && frames > 1 && FreeRunningLstm.Supports(model);

    /// <summary>
    /// Primes the state on <paramref name="prime"/>, then feeds each prediction back as the next
    /// input for <paramref name="frames"/> steps, sending the predictions to <paramref name="sink"/>
    /// chunk by chunk.
    /// </summary>
    /// <param name="prime">Priming frames [P, InputSize] in model space; not disposed. With P = 0 the
    /// run starts from a zero frame (the training mean under z-score) and a zero state.</param>
    /// <param name="frames">How many frames to make.</param>
    /// <param name="noise">σ of the Gaussian noise added (in model space) to every frame fed back;
    /// the frames sent to the sink are the model's clean predictions.</param>
    /// <param name="seed">Seed of the noise; equal seeds give equal output.</param>
    /// <param name="sink">Receives each chunk of predictions, [chunk, OutputSize], valid during the call only.</param>
    /// <param name="progress">Told of each finished chunk, in frames.</param>
    public void FreeRun(Tensor prime, long frames, double noise, long seed, Action<Tensor> sink, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(prime);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        var spec = model.Spec;
        if (spec.InputSize != spec.OutputSize)
            throw new ArgumentException($"free running feeds predictions back, so the model's output size ({spec.OutputSize}) must equal its input size ({spec.InputSize})", nameof(prime));
        CheckFrames(prime, nameof(prime));

        // The noise comes from its own CPU generator so it is the same sequence on every device
        // and does not depend on (or disturb) torch's global RNG.
        using var random = new torch.Generator(unchecked((ulong)seed), CPU);
        progress ??= NullProgress.Instance;
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
            // Made once per run, not per chunk: the fold costs about 50 ms at H = 1024, the time of
            // some 20 steps through forward.
            fold = UsesFold(noise, frames) ? new FreeRunningLstm(model) : null;
            long made = 0;
            while (made < frames)
            {
                var count = (int)Math.Min(ChunkFrames, frames - made);
                using var quiet = NoCollection.Begin(NoCollection.StepBudget);
                using (var scope = NewDisposeScope())
                {
                    // The chunk's first frame is the prediction carried in; each step predicts the
                    // next, except that the last step of the run would predict a frame nobody asked for.
                    var steps = made + count == frames ? count - 1 : count;
                    var (outputs, carried, current) = fold is null
                        ? StepByForward(state, next, steps, noise, random)
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
    /// <paramref name="steps"/> steps through forward, each fed the prediction before it (plus noise).
    /// </summary>
    /// <returns>The frames [1 + steps, 1, O] (<paramref name="next"/> first), the state after the
    /// last step, and its prediction (<paramref name="next"/> itself with no step).</returns>
    private (Tensor Frames, ModelState State, Tensor Last) StepByForward(ModelState state, Tensor next, int steps, double noise, torch.Generator random)
    {
        var outputs = new Tensor[steps + 1];
        var (carried, current) = (state, next);
        outputs[0] = current;
        for (var i = 0; i < steps; i++)
        {
            var input = noise > 0
                ? current + randn(current.shape, dtype: ScalarType.Float32, generator: random).to(dtype, device) * noise
                : current;
            (current, carried) = model.forward(input, carried);
            outputs[i + 1] = current;
        }
        return (cat(outputs, dim: 0), carried, current);
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
    public void TeacherForced(Tensor frames, Action<Tensor> sink, IProgressSink? progress = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(sink);
        CheckFrames(frames, nameof(frames));
        progress ??= NullProgress.Instance;
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
                using var quiet = NoCollection.Begin(NoCollection.StepBudget);
                using (var scope = NewDisposeScope())
                {
                    // [chunk, I] → [chunk, 1, I]: time-major, batch 1, as the model takes it.
                    var input = frames.narrow(0, start, count).to(dtype, device).unsqueeze(1);
                    var (output, carried) = model.forward(input, state);
                    sink(output.reshape(count, -1));
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
            using var scope = NewDisposeScope();
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
                using var quiet = NoCollection.Begin(NoCollection.StepBudget);
                using (var scope = NewDisposeScope())
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
