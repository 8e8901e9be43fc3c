using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// A sample-level model with one of the essay's recurrent stacks as its frame tier: SampleRNN's
/// two- and three-tier models (docs/ARCHITECTURE.md, "Models").
/// </summary>
/// <remarks>
/// Mehri, Kumar, Gulrajani, Kumar, Jain, Sotelo, Courville &amp; Bengio (2017), SampleRNN: an
/// unconditional end-to-end neural audio generation model, ICLR. Inputs are level indices x_t of
/// quantized audio; the output at position t is the logits of x_{t+1}. With frames of F samples:
/// <code>
/// frame tier, once per frame (after x_t with t ≡ F − 1 mod F):
///     h_j = RNN(h_{j−1}, [x̃_{t−F+1} … x̃_t] (, top_j))          x̃ = 2x/(L − 1) − 1
///     c_{j,i} = U_i h_j + u_i,  i = 0 … F − 1                      the per-position upsampling
/// sample tier, for the target s = t + 1 at position i of its frame:
///     a = Σ_{k=0}^{F−1} E[k·L + x_{s−F+k}] + c_{j(s),i}           per-position embeddings, summed
///     z = W₂ relu(W₁ relu(a) + b₁) + b₂,   p(x_s | x_{&lt;s}) = softmax(z)
/// </code>
/// With three tiers a slower stack ticks once per R frames over the last R·F samples and its
/// output, upsampled per frame position (V_r g_k + v_r), joins each frame step's input. The frame
/// a tier ticks over ends at the latest input, and its outputs condition the targets that follow:
/// no output sees its own target. Before the song the samples are silence (level L/2), and the
/// state starts with the tiers having ticked once over it. The state is carried between windows
/// (ticks fall at whatever position a window starts), so windows of any length and phase give the
/// same outputs as one pass. One tier is the sample tier alone, with no conditioning: the baseline
/// that measures what the recurrence adds.
/// State: the frame stack's tensors, the top stack's, the last R·F (or F) levels [B, ·], the frame
/// conditioning of the current frame [B, F, D], the top conditioning of the current top frame
/// [B, R, H]; its clock counts positions.
/// Parameters, named as PyTorch would: <c>embedding.weight</c> [F·L, D], <c>frame_rnn.*</c>,
/// <c>frame_upsample.weight</c> [F·D, H], <c>top_rnn.*</c>, <c>top_upsample.weight</c> [R·H, H],
/// <c>sample_mlp.0.weight</c> [D, D], <c>sample_mlp.2.weight</c> [L, D] (and their biases).
/// </remarks>
internal sealed class SampleRnnModel : FrameModel
{
    private readonly EmbeddingBag embedding;
    private readonly nn.Module? frame_rnn;
    private readonly Linear? frame_upsample;
    private readonly nn.Module? top_rnn;
    private readonly Linear? top_upsample;
    private readonly Sequential sample_mlp;
    private readonly RecurrentStack? frameStack;
    private readonly RecurrentStack? topStack;
    private readonly int levels, frame, mlp, ratio, history, hidden;
    private readonly long[] rowOffsets;   // k·L: where position k's embedding rows start

    /// <param name="spec">A validated spec with <see cref="ModelSpec.SampleLevel"/>.</param>
    /// <param name="kernel">The implementation of the recurrent tiers.</param>
    public SampleRnnModel(ModelSpec spec, Kernel kernel) : base("samplernn", spec, kernel)
    {
        var s = spec.SampleLevel ?? throw new ArgumentException("not a sample-level spec", nameof(spec));
        (levels, frame, mlp, ratio, hidden) = (s.Levels, s.FrameSize, s.MlpSize, s.TopRatio, spec.HiddenSize);
        history = s.Tiers == 3 ? s.TopFrameSize : frame;
        rowOffsets = [.. Enumerable.Range(0, frame).Select(k => (long)k * levels)];
        // libtorch's defaults: the embedding N(0, 1) scaled to the MLP's fan-in of F rows, the
        // linear layers uniform ±1/√fan-in; the stacks as every recurrent model's.
        embedding = nn.EmbeddingBag(frame * levels, mlp, mode: EmbeddingBagMode.Sum);
        using (no_grad())
        using (var scale = (1 / Math.Sqrt(frame)).ToScalar())
            embedding.weight!.mul_(scale);
        if (s.Tiers >= 2)
        {
            frameStack = ModelFactory.Stack(spec with { InputSize = frame + (s.Tiers == 3 ? hidden : 0), SampleLevel = null }, kernel);
            frame_rnn = frameStack.Module;
            frame_upsample = nn.Linear(hidden, frame * mlp);
        }
        if (s.Tiers == 3)
        {
            topStack = ModelFactory.Stack(spec with { InputSize = s.TopFrameSize, SampleLevel = null }, kernel);
            top_rnn = topStack.Module;
            top_upsample = nn.Linear(hidden, ratio * hidden);
        }
        sample_mlp = nn.Sequential(("0", nn.Linear(mlp, mlp)), ("1", nn.ReLU()), ("2", nn.Linear(mlp, levels)));
        RegisterComponents();
    }

    /// <summary>The level of silence, what the song is taken to be before it starts.</summary>
    public int SilentLevel => levels / 2;

    public override ModelState InitialState(long batch, Device device, ScalarType dtype)
    {
        // The tiers tick once over the silence before the song, so the first targets are conditioned.
        using var silent = SilentLevel.ToScalar();
        var silence = full([batch, history], silent, dtype: dtype, device: device);
        var top = topStack?.InitialState(batch, device, dtype);
        var topCondition = zeros(batch, ratio, hidden, dtype: dtype, device: device);
        if (topStack is not null)
        {
            var (g, next) = topStack.Run(Scaled(silence).unsqueeze(0), top!);                     // [1, B, H]
            top = next;
            topCondition = top_upsample!.forward(g[0]).view(batch, ratio, hidden);                // [B, R, H]
        }
        var frames = frameStack?.InitialState(batch, device, dtype);
        var frameCondition = zeros(batch, frame, mlp, dtype: dtype, device: device);
        if (frameStack is not null)
        {
            var input = Scaled(silence.narrow(1, history - frame, frame));                          // [B, F]
            if (topStack is not null) input = cat([input, topCondition.select(1, 0)], 1);
            var (h, next) = frameStack.Run(input.unsqueeze(0), frames!);                           // [1, B, H]
            frames = next;
            frameCondition = frame_upsample!.forward(h[0]).view(batch, frame, mlp);                // [B, F, D]
        }
        return Pack(frames, top, silence, frameCondition, topCondition, 0);
    }

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        long steps = input.shape[0], batch = input.shape[1];
        state ??= InitialState(batch, input.device, input.dtype);
        var (condition, context, next) = Tiers(input, state, sampling: false);

        // The sample tier: the F levels before each target, each through its own embedding rows.
        using var one = 1.ToScalar();
        var previous = context.narrow(0, history - frame + 1, steps + frame - 1)
            .unfold(0, frame, 1);                                                                 // [T, B, F]
        var offsets = tensor(rowOffsets, device: input.device);                                   // k·L
        var rows = previous.to_type(ScalarType.Int64).add(offsets, one).reshape(steps * batch, frame);
        var a = embedding.call(rows).view(steps, batch, mlp);                                     // [T, B, D]
        if (condition is not null) a = a.add(condition, one);
        var logits = sample_mlp.forward(a.relu());                                                // [T, B, L]

        return (logits, next);
    }

    /// <summary>Samples per frame-tier step, and the samples the sample tier sees (F).</summary>
    internal int FrameSize => frame;

    /// <summary>The levels predicted (L).</summary>
    internal int Levels => levels;

    /// <summary>The sample tier's width (D).</summary>
    internal int MlpSize => mlp;

    /// <summary>
    /// The state after <paramref name="input"/> [T, B, 1] without the sample tier's outputs: how a
    /// sampler that computes the sample tier itself advances the tiers above it, once per frame.
    /// </summary>
    internal ModelState Advance(Tensor input, ModelState state) => Tiers(input, state, sampling: true).State;

    /// <summary>
    /// What a sampler reads from a state: the conditioning of the current frame's targets [B, F, D]
    /// (zeros with one tier; the output at position t of a state with clock c, t ≥ c − 1, takes row
    /// (c mod F) + t − c + 1), and the last F levels [B, F], oldest first.
    /// </summary>
    internal (Tensor Condition, Tensor Previous) SamplerInputs(ModelState state)
    {
        var (_, _, past, frameCondition, _) = Unpack(state);
        return (frameCondition, past.narrow(1, history - frame, frame));
    }

    /// <summary>Tiers: 1 (the sample tier alone), 2 or 3.</summary>
    internal int TierCount => topStack is not null ? 3 : frameStack is not null ? 2 : 1;

    /// <summary>
    /// The frame tier as a sampler copies it once: its stack (spec, and the module holding its
    /// parameters under PyTorch's names) and its upsampling, <c>frame_upsample</c>; null with one tier.
    /// </summary>
    internal (RecurrentStack Stack, Linear Upsample)? FrameTier => frameStack is null ? null : (frameStack, frame_upsample!);

    /// <summary>The frame stack's part of <paramref name="state"/>, its clock the steps the stack has taken; null with one tier.</summary>
    internal ModelState? FrameTierState(ModelState state) => Unpack(state).Frames;

    /// <summary>
    /// The sample tier's weights as a sampler copies them once: the embedding [F·L, D], then
    /// sample_mlp.0's weight [D, D] and bias [D], sample_mlp.2's weight [L, D] and bias [L].
    /// </summary>
    internal IReadOnlyList<Tensor> SampleTierWeights()
    {
        var first = (Linear)sample_mlp[0];
        var last = (Linear)sample_mlp[2];
        return [embedding.weight!, first.weight!, first.bias!, last.weight!, last.bias!];
    }

    /// <summary>
    /// The tiers above the sample tier over a window: the conditioning of every target [T, B, D]
    /// (null with one tier), the window's levels after the ones before it [history + T, B], and
    /// the state after the window. A sampler (<paramref name="sampling"/>) steps a frame at a time
    /// and reads the conditioning from the state, so the stacks take their single-step kernel and no
    /// per-target conditioning is laid out.
    /// </summary>
    private (Tensor? Condition, Tensor Context, ModelState State) Tiers(Tensor input, ModelState state, bool sampling)
    {
        long steps = input.shape[0], batch = input.shape[1];
        var (frames, top, past, frameCondition, topCondition) = Unpack(state);
        long p = state.Clock;
        // The window's levels after the ones before it: position q of the song is context[q − p + history].
        var context = cat([past.t(), input.reshape(steps, batch)], 0);                             // [history + T, B]

        // The slower tier's ticks in the window, over the R·F samples each one ends; its outputs
        // condition the frame steps that follow (topPerFrame[b, topOffset + j]: the j-th frame step's).
        Tensor? topPerFrame = null;
        long topOffset = 0;
        if (topStack is not null)
        {
            var (ticks, sinceFrame) = Ticks(p, steps, ratio * frame);
            var conditions = topCondition.unsqueeze(0);                                           // [1, B, R, H]
            if (ticks > 0)
            {
                var windows = context.narrow(0, history - sinceFrame, ticks * ratio * frame)
                    .view(ticks, ratio * frame, batch).permute(0, 2, 1);                           // [J, B, R·F]
                var (g, next) = topStack.Run(Scaled(windows), top!, sampling);                     // [J, B, H]
                top = next;
                var upsampled = top_upsample!.forward(g).view(ticks, batch, ratio, hidden);
                conditions = cat([conditions, upsampled], 0);
                topCondition = upsampled[ticks - 1];
            }
            topPerFrame = conditions.permute(1, 0, 2, 3).reshape(batch, -1, hidden);              // [B, (J+1)·R, H]
            topOffset = (sinceFrame / frame) + 1;
        }

        // The frame tier's ticks, over the F samples each ends, and the conditioning of every target.
        var condition = (Tensor?)null;
        if (frameStack is not null)
        {
            var (ticks, sinceFrame) = Ticks(p, steps, frame);
            var conditions = frameCondition.unsqueeze(0);                                         // [1, B, F, D]
            if (ticks > 0)
            {
                var samples = Scaled(context.narrow(0, history - sinceFrame, ticks * frame)
                    .view(ticks, frame, batch).permute(0, 2, 1));                                  // [J, B, F]
                if (topStack is not null)
                    samples = cat([samples, topPerFrame!.narrow(1, topOffset, ticks).permute(1, 0, 2)], 2);
                var (h, next) = frameStack.Run(samples, frames!, sampling);                        // [J, B, H]
                frames = next;
                var upsampled = frame_upsample!.forward(h).view(ticks, batch, frame, mlp);
                conditions = cat([conditions, upsampled], 0);
                frameCondition = upsampled[ticks - 1];
            }
            // Target s = t + 1 sits at (s − start of the carried frame) in the conditionings laid end to end.
            if (!sampling) condition = conditions.permute(1, 0, 2, 3).reshape(batch, -1, mlp)
                .narrow(1, sinceFrame + 1, steps).transpose(0, 1);                               // [T, B, D]
        }

        var kept = context.narrow(0, steps, history).t();                                         // [B, history]
        return (condition, context, Pack(frames, top, kept, frameCondition, topCondition, p + steps));
    }

    /// <summary>
    /// The ticks of a tier with frames of <paramref name="size"/> inside a window of
    /// <paramref name="steps"/> positions from <paramref name="p"/> (a tick follows every position
    /// t with t ≡ size − 1), and how far into its frame the window starts.
    /// </summary>
    private static (long Ticks, long SinceFrame) Ticks(long p, long steps, long size)
    {
        long since = p % size;
        return ((since + steps) / size, since);
    }

    /// <summary>Levels as the recurrent tiers read them, in [−1, 1].</summary>
    private Tensor Scaled(Tensor levelIndices)
    {
        using var scale = (2.0 / (levels - 1)).ToScalar();
        using var one = 1.ToScalar();
        return levelIndices.mul(scale).sub(one);
    }

    private ModelState Pack(ModelState? frames, ModelState? top, Tensor past, Tensor frameCondition, Tensor topCondition, long clock) =>
        new([.. frames?.Tensors ?? [], .. top?.Tensors ?? [], past, frameCondition, topCondition], clock);

    private (ModelState? Frames, ModelState? Top, Tensor Past, Tensor FrameCondition, Tensor TopCondition) Unpack(ModelState state)
    {
        int f = frameStack is null ? 0 : frameStack.Spec.Layers * frameStack.StateSize;
        int g = topStack is null ? 0 : topStack.Spec.Layers * topStack.StateSize;
        var t = state.Tensors;
        // The stacks count their own steps: one tick before the song, then one per frame.
        long clock = state.Clock;
        var frames = frameStack is null ? null : new ModelState(t.Take(f).ToArray(), 1 + (clock / frame));
        var top = topStack is null ? null : new ModelState(t.Skip(f).Take(g).ToArray(), 1 + (clock / (ratio * frame)));
        return (frames, top, t[f + g], t[f + g + 1], t[f + g + 2]);
    }
}
