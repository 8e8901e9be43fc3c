using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training.Optimizers;

/// <summary>
/// What MusicRnn's own optimizers share: per-parameter state tensors and step counters under
/// TorchSharp's (and PyTorch's) names, saved as "{parameter}.{field}", and a step that visits
/// every parameter with a gradient under <c>no_grad</c> in a dispose scope.
/// </summary>
/// <remarks>
/// They replace TorchSharp's optimizers, whose steps pass Scalars made from the hyper-parameters
/// to libtorch as temporaries that a collection can free mid-call (dotnet/TorchSharp#1434; the
/// analyzer's MRNN002, docs/ARCHITECTURE.md, Models). Each rule here makes its Scalars once per
/// step and holds them until the step ends, and runs the same libtorch calls in the same order
/// as TorchSharp 0.107 on the same options, so the numbers are bit-identical (the tests compare
/// both, step by step). Checkpoints written with TorchSharp's optimizers load: the state names are
/// TorchSharp's; state TorchSharp keeps but these options never read (RMSProp's momentum_buffer
/// and grad_avg without momentum or centring) is accepted and ignored.
/// </remarks>
/// <typeparam name="TScalars">The rule's Scalars for one step.</typeparam>
internal abstract class StatefulOptimizer<TScalars> : TrainingOptimizer where TScalars : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> parameters;
    private readonly string[] fields;
    // [field][parameter]: null until the rule first needs it (SGD's momentum_buffer).
    private readonly Tensor?[][] state;
    // TorchSharp's per-parameter step counter; null for rules that keep none (SGD).
    private readonly long[]? steps;
    private bool disposed;

    /// <param name="parameters">The model's named parameters.</param>
    /// <param name="fields">The state tensors per parameter, by TorchSharp's names.</param>
    /// <param name="countsSteps">Whether the rule keeps TorchSharp's per-parameter <c>step</c>.</param>
    /// <param name="zeroed">Whether the state tensors start as zeros (else they start absent).</param>
    protected StatefulOptimizer(IReadOnlyList<(string Name, Parameter Parameter)> parameters, string[] fields, bool countsSteps, bool zeroed)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters;
        this.fields = fields;
        state = [.. fields.Select(_ => parameters.Select(p => zeroed ? zeros_like(p.Parameter).DetachFromDisposeScope() : null).ToArray())];
        steps = countsSteps ? new long[parameters.Count] : null;
    }

    /// <summary>
    /// The decoupled weight decay's factor 1 − lr·λ (<see cref="TrainingConfig.WeightDecay"/>): each
    /// parameter with a gradient is multiplied by it before the rule's update, as PyTorch's AdamW
    /// does; 1 (the default) skips the multiplication, so the rules stay bit-identical to TorchSharp's.
    /// </summary>
    public double Shrink { get; init; } = 1;

    /// <summary>State tensor <paramref name="field"/> (index into the fields) of parameter <paramref name="parameter"/>.</summary>
    protected Tensor? State(int field, int parameter) => state[field][parameter];

    /// <summary>Sets a state tensor that starts absent; the optimizer owns it from then on.</summary>
    protected void SetState(int field, int parameter, Tensor value) => state[field][parameter] = value.DetachFromDisposeScope();

    public override void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var scalars = CreateScalars();
        using var shrink = Shrink.ToScalar();
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].Parameter;
            var grad = p.grad;
            if (grad is null) continue;
            if (Shrink != 1) p.mul_(shrink);
            var step = 0L;
            if (steps is not null) step = ++steps[i];
            Update(i, p, grad, step, scalars);
        }
    }

    /// <summary>The Scalars of the options, made once per step and disposed after it.</summary>
    protected abstract TScalars CreateScalars();

    /// <summary>Updates parameter <paramref name="index"/> from its gradient.</summary>
    /// <param name="index">The parameter's position in the list the optimizer was made with.</param>
    /// <param name="parameter">The parameter, updated in place.</param>
    /// <param name="grad">Its gradient.</param>
    /// <param name="step">The parameter's step count after this step (0 for rules without one).</param>
    /// <param name="scalars">What <see cref="CreateScalars"/> made for this step.</param>
    protected abstract void Update(int index, Parameter parameter, Tensor grad, long step, TScalars scalars);

    public override (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) SaveState()
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            for (var f = 0; f < fields.Length; f++)
                if (state[f][i] is { } t) tensors[$"{parameters[i].Name}.{fields[f]}"] = t;
            if (steps is not null) scalars[$"{parameters[i].Name}.step"] = steps[i];
        }
        return (tensors, scalars);
    }

    public override void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        using var noGrad = no_grad();
        for (var i = 0; i < parameters.Count; i++)
        {
            var (name, parameter) = parameters[i];
            for (var f = 0; f < fields.Length; f++)
            {
                var key = $"{name}.{fields[f]}";
                var current = state[f][i];
                if (!tensors.TryGetValue(key, out var saved))
                {
                    if (current is not null) throw new InputException($"optimizer.safetensors: {Name} state '{key}' is missing");
                    continue;
                }
                if (!saved.shape.SequenceEqual(parameter.shape))
                    throw new InputException($"optimizer.safetensors: {Name} state '{key}' has shape [{string.Join(", ", saved.shape)}], the model needs [{string.Join(", ", parameter.shape)}]");
                if (current is not null) current.copy_(saved);
                else state[f][i] = saved.to(parameter.dtype, parameter.device).clone().DetachFromDisposeScope();
            }
            if (steps is not null)
            {
                var key = $"{name}.step";
                steps[i] = scalars.TryGetValue(key, out var value)
                    ? (long)value
                    : throw new InputException($"config.json: {Name} optimizer scalar '{key}' is missing");
            }
        }
    }

    public override void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in state.SelectMany(s => s)) t?.Dispose();
    }
}
