using MusicRnn.Generation.Steps;
using MusicRnn.Models;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// The frame tier of a two-tier <see cref="SampleRnnModel"/> in managed code over weights copied
/// once: what <see cref="SampleLevelSampler"/> runs once per frame (docs/ARCHITECTURE.md,
/// "Generation"). A step through the module costs dozens of TorchSharp calls and reads the
/// upsampling's F·D × H weights through libtorch for one column; here it is the cells' equations
/// over <see cref="MatVec"/>, for all streams at once.
/// </summary>
/// <remarks>
/// After a frame ends at position t (the model's equations):
/// <code>
///     h_j = RNN(h_{j−1}, [x̃_{t−F+1} … x̃_t]),   x̃ = 2x/(L − 1) − 1
///     c_{j,i} = U_i h_j + u_i,  i = 0 … F − 1
/// </code>
/// The stack's step count (the CW-RNN's clock) is the caller's to give: one tick before the song,
/// then one per frame. A model with one tier has no frame tier: its conditioning stays zero.
/// </remarks>
internal sealed class ManagedFrameTier
{
    private readonly CellStep[] layers = [];
    private readonly float[] upsampleWeight = [], upsampleBias = [];
    private readonly int frame, width, hidden;
    private readonly float scale;
    private float[][][] states = [];
    private float[] input = [];

    /// <summary>Whether <paramref name="model"/>'s tiers above the sample tier are this class's: one frame tier at most.</summary>
    public static bool Supports(SampleRnnModel model) => model.TierCount <= 2;

    /// <param name="model">A sample-level model with at most two tiers, on the CPU.</param>
    public ManagedFrameTier(SampleRnnModel model)
    {
        if (!Supports(model)) throw new ArgumentException($"a managed frame tier runs models of 1 or 2 tiers, not {model.TierCount}", nameof(model));
        (frame, width) = (model.FrameSize, model.MlpSize);
        scale = (float)(2.0 / (model.Levels - 1));
        if (model.FrameTier is not var (stack, upsample)) return;
        hidden = stack.Spec.HiddenSize;
        layers = [.. Enumerable.Range(0, stack.Spec.Layers).Select(k => Step(stack.Spec, Copy(stack, k)))];
        upsampleWeight = Floats(upsample.weight!);
        upsampleBias = Floats(upsample.bias!);
    }

    /// <summary>Takes the frame stack's state (h, or h and c, per layer, each [B, H]) out of <paramref name="state"/>.</summary>
    public void Load(SampleRnnModel model, ModelState state, int batch)
    {
        input = new float[batch * frame];
        var tensors = model.FrameTierState(state)?.Tensors ?? [];
        states = new float[layers.Length][][];
        for (int k = 0, t = 0; k < layers.Length; k++)
        {
            states[k] = new float[layers[k].StateSize][];
            for (int s = 0; s < layers[k].StateSize; s++, t++) states[k][s] = Floats(tensors[t]);
        }
    }

    /// <summary>
    /// One step of the stack over the frame that just ended (<paramref name="levels"/>: every
    /// stream's last F levels [B·F], oldest first), then the next frame's conditioning into
    /// <paramref name="condition"/> [B·F·D].
    /// </summary>
    /// <param name="levels">Every stream's last F levels, [B·F].</param>
    /// <param name="clock">The stack's step count at this step.</param>
    /// <param name="condition">Receives every stream's conditioning of the next frame, [B·F·D].</param>
    /// <param name="batch">Streams B.</param>
    public void Advance(ReadOnlySpan<int> levels, long clock, Span<float> condition, int batch)
    {
        if (layers.Length == 0) return;
        for (int i = 0; i < batch * frame; i++) input[i] = (levels[i] * scale) - 1f;
        ReadOnlySpan<float> x = input;
        for (int k = 0; k < layers.Length; k++)
        {
            layers[k].Step(x, states[k], clock, batch);
            x = states[k][0];
        }
        MatVec.Apply(upsampleWeight, upsampleBias, frame * width, hidden, x, hidden, condition, frame * width, batch);
    }

    private static CellStep Step(ModelSpec spec, LayerCopy weights) => spec.Arch switch
    {
        Architecture.Rnn => new RnnStep(weights, spec.Activation),
        Architecture.Lstm => new LstmStep(weights),
        Architecture.Gru => new GruStep(weights, spec.GruReset),
        Architecture.CwRnn => new ClockworkStep(weights, spec.Activation, [.. Enumerable.Range(0, spec.Modules).Select(spec.PeriodOf)]),
        _ => throw new ArgumentException($"{Architectures.NameOf(spec.Arch)} is not a recurrent frame tier", nameof(spec)),
    };

    /// <summary>Layer k's weights by their PyTorch names; a CW-RNN's U with its mask multiplied in, as forward does.</summary>
    private static LayerCopy Copy(RecurrentStack stack, int k)
    {
        var spec = stack.Spec;
        Tensor Get(string name) => stack.Module.get_parameter($"{name}_l{k}") ?? throw new InvalidOperationException($"recurrent parameter {name}_l{k} is missing");
        using var scope = NewDisposeScope();
        var weightHh = Get("weight_hh");
        if (spec.Arch == Architecture.CwRnn)
            weightHh = weightHh.mul(ClockworkCell.Mask(spec.HiddenSize, spec.Modules, weightHh.device, weightHh.dtype));
        var peepholes = spec.Arch == Architecture.Lstm && spec.Peepholes
            ? (Floats(Get("peephole_i")), Floats(Get("peephole_f")), Floats(Get("peephole_o")))
            : ((float[], float[], float[])?)null;
        var weightIh = Get("weight_ih");
        return new LayerCopy((int)weightIh.shape[1], spec.HiddenSize, Floats(weightIh), Floats(Get("bias_ih")), Floats(weightHh), Floats(Get("bias_hh")), peepholes);
    }

    /// <summary>A tensor's values as float32, copied off the device.</summary>
    internal static float[] Floats(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().to_type(ScalarType.Float32).data<float>().ToArray();
    }
}
