using MusicRnn.Models;

namespace MusicRnn.Tests.Models;

public sealed class ModelFactoryTests
{
    private static readonly ModelSpec Sizes = new() { InputSize = 5, OutputSize = 7, HiddenSize = 6, Layers = 2, Modules = 3 };

    public static TheoryData<string, ModelSpec> AllArchitectures => new()
    {
        { "rnn", Sizes with { Arch = Architecture.Rnn } },
        { "rnn-sigmoid", Sizes with { Arch = Architecture.Rnn, Activation = Activation.Sigmoid } },
        { "lstm", Sizes with { Arch = Architecture.Lstm } },
        { "lstm-plain", Sizes with { Arch = Architecture.Lstm, Peepholes = false } },
        { "gru", Sizes with { Arch = Architecture.Gru } },
        { "gru-after", Sizes with { Arch = Architecture.Gru, GruReset = GruReset.After } },
        { "cw-rnn", Sizes with { Arch = Architecture.CwRnn } },
        { "mlp", Sizes with { Arch = Architecture.Mlp } },
        { "logreg", Sizes with { Arch = Architecture.LogReg, Layers = 0 } },
        { "persistence", Sizes with { Arch = Architecture.Persistence, OutputSize = 5 } },
    };

    [Theory]
    [MemberData(nameof(AllArchitectures))]
    public void Should_name_and_shape_parameters_as_pytorch_does(string name, ModelSpec spec)
    {
        // Given the names and shapes docs/ARCHITECTURE.md, Models prescribes (PyTorch's), written out from its rules
        var expected = new Dictionary<string, long[]>();
        var gates = spec.Arch switch { Architecture.Lstm => 4, Architecture.Gru => 3, _ => 1 };
        switch (spec.Arch)
        {
            case Architecture.Mlp:
                expected["ff.0.weight"] = [6, 5];
                expected["ff.0.bias"] = [6];
                expected["ff.1.weight"] = [6, 6];
                expected["ff.1.bias"] = [6];
                expected["head.weight"] = [7, 6];
                expected["head.bias"] = [7];
                break;
            case Architecture.LogReg:
                expected["head.weight"] = [7, 5];
                expected["head.bias"] = [7];
                break;
            case Architecture.Persistence:
                break;
            default:
                for (var k = 0; k < 2; k++)
                {
                    expected[$"rnn.weight_ih_l{k}"] = [gates * 6, k == 0 ? 5 : 6];
                    expected[$"rnn.weight_hh_l{k}"] = [gates * 6, 6];
                    expected[$"rnn.bias_ih_l{k}"] = [gates * 6];
                    expected[$"rnn.bias_hh_l{k}"] = [gates * 6];
                    if (spec.Arch == Architecture.Lstm && spec.Peepholes)
                        foreach (var gate in new[] { "i", "f", "o" }) expected[$"rnn.peephole_{gate}_l{k}"] = [6];
                }
                expected["head.weight"] = [7, 6];
                expected["head.bias"] = [7];
                break;
        }

        // When the model is built and its state_dict and parameters are listed
        var model = ModelFactory.Create(spec);
        var stateDict = model.state_dict();
        var parameters = model.named_parameters().Select(p => p.name).ToHashSet();

        // Then the state_dict holds exactly those tensors, all of them trainable parameters
        Assert.Equal(expected.Keys.Order(), stateDict.Keys.Order());
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(stateDict[key].shape), $"{name}: {key} is [{string.Join(", ", stateDict[key].shape)}]");
        Assert.Equal(expected.Keys.ToHashSet(), parameters);
    }

    [Theory]
    [MemberData(nameof(AllArchitectures))]
    public void Should_map_a_window_of_frames_to_a_window_of_predictions_and_advance_the_clock(string name, ModelSpec spec)
    {
        // Given a model and a 4-step window of 2 streams
        var model = ModelFactory.Create(spec);
        using var input = TorchSharp.torch.zeros(4, 2, 5);

        // When it runs twice, carrying its state
        var (_, state) = model.forward(input, null);
        var (output, next) = model.forward(input, state);

        // Then predictions are [T, B, O] and the clock counts both windows
        Assert.True(new long[] { 4, 2, spec.OutputSize }.SequenceEqual(output.shape), name);
        Assert.Equal(8, next.Clock);
    }

    [Fact]
    public void Should_refuse_a_clockwork_width_that_does_not_split_into_its_modules()
    {
        // Given a CW-RNN of 8 modules asked for 30 units
        var spec = new ModelSpec { Arch = Architecture.CwRnn, InputSize = 4, OutputSize = 4, HiddenSize = 30, Modules = 8 };

        // When it is built, Then the user is told which option is wrong
        var error = Assert.Throws<InputException>(() => ModelFactory.Create(spec));
        Assert.StartsWith("--hidden:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Architecture.Rnn, GruReset.Before)]
    [InlineData(Architecture.Gru, GruReset.After)]
    public void Should_run_a_fused_module_on_the_cpu_window_function_with_libtorchs_results(Architecture arch, GruReset reset)
    {
        // Given a fused spec built the default way (window function on the CPU) and on
        // libtorch's kernel, with the same weights
        TorchSharp.torch.manual_seed(3);
        var spec = Sizes with { Arch = arch, GruReset = reset };
        var fast = ModelFactory.Create(spec);
        var libtorch = ModelFactory.Create(spec, Kernel.Libtorch);
        libtorch.load_state_dict(fast.state_dict());
        using var input = TorchSharp.torch.randn(6, 3, spec.InputSize);

        // When both run a window and back-propagate the same loss
        (TorchSharp.torch.Tensor Output, TorchSharp.torch.Tensor Grad) Run(FrameModel model)
        {
            var (output, _) = model.forward(input, null);
            output.square().sum().backward();
            return (output, model.parameters().First().grad!);
        }
        var a = Run(fast);
        var b = Run(libtorch);

        // Then the outputs and the first layer's input-weight gradient agree to float32 rounding
        Assert.True(a.Output.allclose(b.Output, rtol: 1e-4, atol: 1e-5));
        Assert.True(a.Grad.allclose(b.Grad, rtol: 1e-4, atol: 1e-5));
    }
}
