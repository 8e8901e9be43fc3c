using MusicRnn.Checkpoints;
using MusicRnn.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Training.Optimizers;

public sealed class OptimizerEquivalenceTests
{
    private static readonly long[][] Shapes = [[4, 3], [5], [2, 2, 3]];

    public static TheoryData<string> Rules => ["rmsprop", "adam", "adamw", "adagrad", "sgd", "sgd-momentum", "sgd-nesterov"];

    [Theory]
    [MemberData(nameof(Rules))]
    public void Should_take_exactly_the_steps_torchsharps_optimizer_takes(string rule)
    {
        // Given the same random float32 parameters under TorchSharp's optimizer and under ours
        var config = Config(rule);
        var theirs = Parameters(seed: 1);
        var ours = Parameters(seed: 1);
        using var reference = TorchSharps(config, theirs);
        using var optimizer = TrainingOptimizer.Create(config, ours);
        var gradients = new torch.Generator(7);

        // When both take 50 steps on the same random gradients (the last parameter skipping
        // every seventh step with no gradient, so step counts differ between parameters)
        for (var step = 1; step <= 50; step++)
        {
            using var scope = NewDisposeScope();
            SetGradients(theirs, ours, gradients, skipLast: step % 7 == 0);
            reference.step();
            optimizer.Step();

            // Then after every step the parameters are bit for bit the same
            AssertSameParameters(theirs, ours, $"{rule}, step {step}");
        }

        // And the state is TorchSharp's, field by field, under TorchSharp's names
        AssertSameState(TorchSharpOptimizerState.Save(reference, theirs), optimizer.SaveState(), rule);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Should_continue_a_checkpoint_written_from_torchsharps_optimizer_exactly(string rule)
    {
        // Given TorchSharp's optimizer after 20 steps, its state saved as checkpoints stored it
        // (optimizer.safetensors in float32, the counters as config.json numbers)
        var config = Config(rule);
        var theirs = Parameters(seed: 2);
        using var reference = TorchSharps(config, theirs);
        var gradients = new torch.Generator(8);
        for (var step = 1; step <= 20; step++)
        {
            using var scope = NewDisposeScope();
            SetGradients(theirs, theirs, gradients, skipLast: step % 7 == 0);
            reference.step();
        }
        using var dir = new TempDir();
        var (tensors, scalars) = TorchSharpOptimizerState.Save(reference, theirs);
        Safetensors.Save(dir.File("optimizer.safetensors"), tensors);

        // When our optimizer loads it onto copies of those parameters and both go on for 30 steps
        var ours = theirs.Select(p => (p.Name, new Parameter(p.Parameter.detach().clone()))).ToList();
        using var optimizer = TrainingOptimizer.Create(config, ours);
        var loaded = Safetensors.Load(dir.File("optimizer.safetensors"));
        optimizer.LoadState(loaded, scalars);
        for (var step = 21; step <= 50; step++)
        {
            using var scope = NewDisposeScope();
            SetGradients(theirs, ours, gradients, skipLast: step % 7 == 0);
            reference.step();
            optimizer.Step();
        }

        // Then they agree bit for bit, parameters and state
        AssertSameParameters(theirs, ours, rule);
        AssertSameState(TorchSharpOptimizerState.Save(reference, theirs), optimizer.SaveState(), rule);
    }

    [Fact]
    public void Should_shrink_each_weight_by_lr_times_the_decay_before_the_rmsprop_step()
    {
        // Given one parameter θ0 = [2, −1, 0.5] with the gradient g = [0.1, 0.2, 0] under RMSProp
        // (lr 0.01, α 0.9) with a decoupled weight decay of 3
        var config = new TrainingConfig { Optimizer = OptimizerKind.RmsProp, LearningRate = 0.01, WeightDecay = 3 };
        var theta = new Parameter(tensor(new[] { 2f, -1f, 0.5f }));
        using var optimizer = TrainingOptimizer.Create(config, [("w", theta)]);
        theta.grad = tensor(new[] { 0.1f, 0.2f, 0f });

        // When it takes one step
        optimizer.Step();

        // Then θ1 = θ0 (1 − 0.03) − 0.01 g / (√(0.1 g²) + 1e-8), computed by hand: a weight with no
        // gradient still shrinks, the others also take the usual RMSProp step of lr/√0.1
        double[] expected = [(2 * 0.97) - (0.01 / Math.Sqrt(0.1)), (-1 * 0.97) - (0.01 / Math.Sqrt(0.1)), 0.5 * 0.97];
        var got = theta.detach().data<float>().ToArray();
        for (var i = 0; i < 3; i++) Assert.Equal(expected[i], got[i], 1e-6);
    }

    [Fact]
    public void Should_name_the_missing_state_and_the_wrong_shape()
    {
        // Given Adam's state for two parameters
        var config = Config("adam");
        var ps = Parameters(seed: 3);
        using var optimizer = TrainingOptimizer.Create(config, ps);
        var (tensors, scalars) = optimizer.SaveState();

        // When a tensor is missing, or has the wrong shape, Then the error names it
        var missing = new Dictionary<string, Tensor>(tensors);
        missing.Remove("p1.exp_avg_sq");
        var error = Assert.Throws<InputException>(() => optimizer.LoadState(missing, scalars));
        Assert.Contains("'p1.exp_avg_sq' is missing", error.Message, StringComparison.Ordinal);
        using var wrong = zeros(3, 3);
        var reshaped = new Dictionary<string, Tensor>(tensors) { ["p0.exp_avg"] = wrong };
        error = Assert.Throws<InputException>(() => optimizer.LoadState(reshaped, scalars));
        Assert.Contains("'p0.exp_avg' has shape [3, 3], the model needs [4, 3]", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InputException>(() => optimizer.LoadState(tensors, new Dictionary<string, double>()));
        Assert.Contains("'p0.step' is missing", error.Message, StringComparison.Ordinal);
    }

    private static TrainingConfig Config(string rule) => rule switch
    {
        "rmsprop" => new TrainingConfig { Optimizer = OptimizerKind.RmsProp, LearningRate = 0.01 },
        "adam" => new TrainingConfig { Optimizer = OptimizerKind.Adam, LearningRate = 0.01 },
        "adamw" => new TrainingConfig { Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0.5 },
        "adagrad" => new TrainingConfig { Optimizer = OptimizerKind.Adagrad, LearningRate = 0.05 },
        "sgd" => new TrainingConfig { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 },
        "sgd-momentum" => new TrainingConfig { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9 },
        _ => new TrainingConfig { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, Nesterov = true },
    };

    /// <summary>TorchSharp's optimizer on the options <see cref="TrainingOptimizer.Create"/> gives ours.</summary>
    private static OptimizerHelper TorchSharps(TrainingConfig config, List<(string Name, Parameter Parameter)> parameters)
    {
        var ps = parameters.Select(p => p.Parameter).ToArray();
        return config.Optimizer switch
        {
            OptimizerKind.RmsProp => optim.RMSProp(ps, config.LearningRate, alpha: 0.9),
            OptimizerKind.Adam when config.WeightDecay > 0 => optim.AdamW(ps, config.LearningRate, weight_decay: config.WeightDecay),
            OptimizerKind.Adam => optim.Adam(ps, config.LearningRate),
            OptimizerKind.Adagrad => optim.Adagrad(ps, config.LearningRate),
            _ => optim.SGD(ps, config.LearningRate, momentum: config.Momentum, nesterov: config.Nesterov),
        };
    }

    private static List<(string Name, Parameter Parameter)> Parameters(ulong seed)
    {
        using var generator = new torch.Generator(seed);
        return [.. Shapes.Select((shape, i) => ($"p{i}", new Parameter(randn(shape, generator: generator))))];
    }

    /// <summary>The same random gradient on both sides' parameters (none on the last when <paramref name="skipLast"/>).</summary>
    private static void SetGradients(List<(string Name, Parameter Parameter)> a, List<(string Name, Parameter Parameter)> b, torch.Generator generator, bool skipLast)
    {
        for (var i = 0; i < a.Count; i++)
        {
            var g = skipLast && i == a.Count - 1 ? null : randn(a[i].Parameter.shape, generator: generator);
            a[i].Parameter.grad = g?.clone();
            b[i].Parameter.grad = g?.clone();
        }
    }

    private static void AssertSameParameters(List<(string Name, Parameter Parameter)> theirs, List<(string Name, Parameter Parameter)> ours, string what)
    {
        for (var i = 0; i < theirs.Count; i++)
            Assert.True(BitwiseEqual(theirs[i].Parameter, ours[i].Parameter), $"{what}: parameter {theirs[i].Name} differs");
    }

    /// <summary>
    /// Every state tensor and counter of ours equals TorchSharp's under the same name; TorchSharp
    /// may keep more (RMSProp's momentum_buffer and grad_avg), which these options leave at zero.
    /// </summary>
    private static void AssertSameState((Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) theirs,
        (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) ours, string rule)
    {
        Assert.Equal(theirs.Scalars.OrderBy(kv => kv.Key), ours.Scalars.OrderBy(kv => kv.Key));
        foreach (var (key, tensor) in ours.Tensors)
            Assert.True(theirs.Tensors.TryGetValue(key, out var reference) && BitwiseEqual(reference, tensor), $"{rule}: state {key}");
        foreach (var (key, tensor) in theirs.Tensors.Where(kv => !ours.Tensors.ContainsKey(kv.Key)))
        {
            Assert.True(key.EndsWith(".momentum_buffer", StringComparison.Ordinal) || key.EndsWith(".grad_avg", StringComparison.Ordinal), $"{rule}: state {key} is not kept");
            Assert.Equal(0, tensor.count_nonzero().item<long>());
        }
        if (rule != "sgd") Assert.NotEmpty(ours.Tensors);
    }

    /// <summary>Same shape and the same float32 bits everywhere (so +0 and −0 differ, as they would in a file).</summary>
    private static bool BitwiseEqual(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape)
        && a.contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits)
            .SequenceEqual(b.contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
}
