using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>
/// An update rule as the trainer sees it: a step from the parameters' gradients, and its
/// whole state as named tensors plus named scalars so a checkpoint can continue exactly.
/// </summary>
public abstract class TrainingOptimizer : IDisposable
{
    /// <summary>The optimizer's command-line name.</summary>
    public abstract string Name { get; }

    /// <summary>True when the rule wants the gradient of the whole epoch and steps once per epoch (Rprop).</summary>
    public virtual bool FullBatch => false;

    /// <summary>Updates every parameter from its <c>.grad</c>.</summary>
    public abstract void Step();

    /// <summary>The state: tensors named "{parameter}.{field}" and scalars likewise.</summary>
    public abstract (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) SaveState();

    /// <summary>Restores what <see cref="SaveState"/> produced; a mismatch throws an <see cref="InputException"/>.</summary>
    public abstract void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars);

    public abstract void Dispose();

    /// <summary>Builds the rule <paramref name="config"/> names over <paramref name="parameters"/> (named as the model names them).</summary>
    public static TrainingOptimizer Create(TrainingConfig config, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var ps = parameters.Select(p => p.Parameter).ToArray();
        double lr = config.LearningRate;
        return config.Optimizer switch
        {
            // Hinton's RMSProp keeps a running mean of squared gradients with decay 0.9.
            OptimizerKind.RmsProp => new TorchOptimizer("rmsprop", optim.RMSProp(ps, lr, alpha: 0.9), parameters),
            OptimizerKind.Sgd => new TorchOptimizer("sgd", optim.SGD(ps, lr, momentum: config.Momentum, nesterov: config.Nesterov), parameters),
            OptimizerKind.Adagrad => new TorchOptimizer("adagrad", optim.Adagrad(ps, lr), parameters),
            OptimizerKind.Adam => new TorchOptimizer("adam", optim.Adam(ps, lr), parameters),
            OptimizerKind.Rprop => new IRpropMinus(parameters, lr),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Optimizer, "unknown optimizer"),
        };
    }
}

/// <summary>
/// One of libtorch's optimizers (as TorchSharp implements them). TorchSharp keeps each
/// parameter's state in an object whose public fields are the tensors and counters of
/// PyTorch's state dict (square_avg, exp_avg, step, ...); reading those fields by
/// reflection gives every optimizer's state under PyTorch's own names without
/// TorchSharp's private binary format.
/// </summary>
internal sealed class TorchOptimizer : TrainingOptimizer
{
    private readonly OptimizerHelper _optimizer;
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;

    public TorchOptimizer(string name, OptimizerHelper optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        Name = name;
        _optimizer = optimizer;
        _parameters = parameters;
    }

    public override string Name { get; }

    public override void Step() => _optimizer.step();

    public override (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) SaveState()
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        var states = _optimizer.state_dict().State;
        for (int i = 0; i < _parameters.Count; i++)
        {
            foreach (var field in StateFields(states[i]))
            {
                string key = $"{_parameters[i].Name}.{field.Name}";
                switch (field.GetValue(states[i]))
                {
                    case Tensor t: tensors[key] = t; break;
                    case long v: scalars[key] = v; break;
                    case int v: scalars[key] = v; break;
                    case double v: scalars[key] = v; break;
                }
            }
        }
        return (tensors, scalars);
    }

    public override void LoadState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        var states = _optimizer.state_dict().State;
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var (name, parameter) = _parameters[i];
            foreach (var field in StateFields(states[i]))
            {
                string key = $"{name}.{field.Name}";
                if (field.FieldType == typeof(Tensor))
                {
                    var current = (Tensor?)field.GetValue(states[i]);
                    if (!tensors.TryGetValue(key, out var saved))
                    {
                        if (current is not null)
                            throw new InputException($"optimizer.safetensors: {Name} state '{key}' is missing");
                        continue;
                    }
                    if (current is not null && current.shape.SequenceEqual(saved.shape)) current.copy_(saved);
                    else if (current is null && saved.shape.SequenceEqual(parameter.shape))
                        field.SetValue(states[i], saved.to(parameter.device).clone().DetachFromDisposeScope());
                    else throw new InputException($"optimizer.safetensors: {Name} state '{key}' has shape [{string.Join(", ", saved.shape)}], the model needs [{string.Join(", ", parameter.shape)}]");
                }
                else if (scalars.TryGetValue(key, out double value))
                {
                    field.SetValue(states[i], Convert.ChangeType(value, field.FieldType, System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    throw new InputException($"config.json: {Name} optimizer scalar '{key}' is missing");
                }
            }
        }
    }

    public override void Dispose() => _optimizer.Dispose();

    private static IEnumerable<FieldInfo> StateFields(object state) =>
        state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(f => f.FieldType == typeof(Tensor) || f.FieldType == typeof(long) || f.FieldType == typeof(int) || f.FieldType == typeof(double))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
}
