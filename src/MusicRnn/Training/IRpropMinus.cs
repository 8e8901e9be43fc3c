using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>
/// iRprop− (Igel and Hüsken 2000, after Riedmiller and Braun 1993), the resilient
/// back-propagation the essay describes: every weight has its own step size, which grows
/// ×1.2 (up to 50) while the gradient keeps its sign and shrinks ×0.5 (down to 1e-6) when
/// the sign flips; on a flip that weight does not move and its gradient is forgotten, so
/// the next step counts as "no sign information". Only the gradient's sign is used, which
/// is why Rprop needs the full-batch gradient: the trainer sums it over the whole epoch.
/// </summary>
internal sealed class IRpropMinus : TrainingOptimizer
{
    private const double Increase = 1.2;
    private const double Decrease = 0.5;
    private const double MinStep = 1e-6;
    private const double MaxStep = 50;

    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    private readonly Tensor[] _previousGradient;
    private readonly Tensor[] _stepSize;
    private long _steps;

    /// <param name="parameters">The model's named parameters.</param>
    /// <param name="initialStep">Every weight's first step size (the learning rate, as in PyTorch's Rprop).</param>
    public IRpropMinus(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double initialStep)
    {
        _parameters = parameters;
        using var step = initialStep.ToScalar();
        _previousGradient = parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
        _stepSize = parameters.Select(p => full_like(p.Parameter, step).DetachFromDisposeScope()).ToArray();
    }

    public override string Name => "rprop";

    public override bool FullBatch => true;

    public override void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // The step's Scalars, held until it ends (docs/ARCHITECTURE.md, Models); the values and
        // types of the expressions they replace (grew * 0.2 - flipped * 0.5 + 1, 1 - flipped).
        using var zero = 0.ToScalar();
        using var one = 1.ToScalar();
        using var growth = (Increase - 1).ToScalar();
        using var shrink = (1 - Decrease).ToScalar();
        using var minStep = MinStep.ToScalar();
        using var maxStep = MaxStep.ToScalar();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i].Parameter;
            var grad = p.grad;
            if (grad is null) continue;
            var agreement = grad.mul(_previousGradient[i]).sign();
            var grew = agreement.gt(zero).to_type(grad.dtype);
            var flipped = agreement.lt(zero).to_type(grad.dtype);
            // factor = 1.2 where the sign held, 0.5 where it flipped, 1 where either gradient was 0
            var factor = grew.mul(growth).sub(flipped.mul(shrink)).add(one, one);
            _stepSize[i].mul_(factor).clamp_(minStep, maxStep);
            var kept = grad.mul(flipped.negative().add(one, one));
            p.sub_(kept.sign().mul(_stepSize[i]));
            _previousGradient[i].copy_(kept);
        }
        _steps++;
    }

    public override (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) SaveState()
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < _parameters.Count; i++)
        {
            tensors[$"{_parameters[i].Name}.prev"] = _previousGradient[i];
            tensors[$"{_parameters[i].Name}.step_size"] = _stepSize[i];
        }
        return (tensors, new Dictionary<string, double> { ["step"] = _steps });
    }

    public override void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            Restore(tensors, $"{_parameters[i].Name}.prev", _previousGradient[i]);
            Restore(tensors, $"{_parameters[i].Name}.step_size", _stepSize[i]);
        }
        _steps = scalars.TryGetValue("step", out double s) ? (long)s : throw new InputException("config.json: rprop optimizer scalar 'step' is missing");
    }

    public override void Dispose()
    {
        foreach (var t in _previousGradient) t.Dispose();
        foreach (var t in _stepSize) t.Dispose();
    }

    private static void Restore(IReadOnlyDictionary<string, Tensor> tensors, string key, Tensor into)
    {
        if (!tensors.TryGetValue(key, out var saved)) throw new InputException($"optimizer.safetensors: rprop state '{key}' is missing");
        if (!saved.shape.SequenceEqual(into.shape))
            throw new InputException($"optimizer.safetensors: rprop state '{key}' has shape [{string.Join(", ", saved.shape)}], the model needs [{string.Join(", ", into.shape)}]");
        into.copy_(saved);
    }
}
