using MusicRnn.Training.Optimizers;
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
    /// <remarks>
    /// MusicRnn's own implementations (Training/Optimizers), bit-identical to TorchSharp 0.107's on
    /// these options and reading the checkpoints those wrote, but holding their Scalars through the
    /// step (docs/ARCHITECTURE.md, Models).
    /// </remarks>
    public static TrainingOptimizer Create(TrainingConfig config, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(parameters);
        var lr = config.LearningRate;
        var shrink = 1 - (lr * config.WeightDecay);
        return config.Optimizer switch
        {
            // Hinton's RMSProp keeps a running mean of squared gradients with decay 0.9.
            OptimizerKind.RmsProp => new RmsProp(parameters, lr, alpha: 0.9) { Shrink = shrink },
            OptimizerKind.Sgd => new Sgd(parameters, lr, config.Momentum, config.Nesterov) { Shrink = shrink },
            OptimizerKind.Adagrad => new Optimizers.Adagrad(parameters, lr) { Shrink = shrink },
            OptimizerKind.Adam => new Optimizers.Adam(parameters, lr) { Shrink = shrink },
            OptimizerKind.Rprop => new IRpropMinus(parameters, lr),
            _ => throw new ArgumentOutOfRangeException(nameof(config), config.Optimizer, "unknown optimizer"),
        };
    }
}
