using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using TorchSharp.Modules;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;
using Generator = MusicRnn.Generation.Generator;

namespace MusicRnn.Tests.Models;

public sealed class KernelTests
{
    private static readonly ModelSpec Sizes = new() { InputSize = 3, OutputSize = 2, HiddenSize = 8, Layers = 2, Modules = 4 };

    public static TheoryData<string, ModelSpec> Recurrent => new()
    {
        { "rnn-tanh", Sizes with { Arch = Architecture.Rnn } },
        { "rnn-sigmoid", Sizes with { Arch = Architecture.Rnn, Activation = Activation.Sigmoid } },
        { "lstm-peepholes", Sizes with { Arch = Architecture.Lstm } },
        { "lstm-plain", Sizes with { Arch = Architecture.Lstm, Peepholes = false } },
        { "gru-before", Sizes with { Arch = Architecture.Gru } },
        { "gru-after", Sizes with { Arch = Architecture.Gru, GruReset = GruReset.After } },
        { "cwrnn", Sizes with { Arch = Architecture.CwRnn } },
        { "cwrnn-idle-steps", Sizes with { Arch = Architecture.CwRnn, Periods = [2, 3, 5, 7] } },
    };

    [Theory]
    [MemberData(nameof(Recurrent))]
    public void Should_build_the_fused_module_only_for_fastest_and_libtorch_and_the_reference_loop_only_for_reference(string name, ModelSpec spec)
    {
        foreach (var kernel in Enum.GetValues<Kernel>())
        {
            // Given a spec; When it is built on each kernel
            using var model = ModelFactory.Create(spec, kernel);
            var rnn = model.named_children().Single(c => c.name == "rnn").module;

            // Then the model says which kernel it runs; a fused libtorch module holds the weights
            // exactly when the kernel allows one and the spec has one; otherwise the explicit
            // layers run cells on the window function, or on the autograd loop for Reference
            Assert.Equal(kernel, model.Kernel);
            var fused = kernel is Kernel.Fastest or Kernel.Libtorch && ModelFactory.UsesFusedKernel(spec);
            Assert.True(fused == rnn is LSTM or GRU or RNN, $"{name} on {kernel}: {rnn.GetType().Name}");
            if (!fused) Assert.Equal(kernel == Kernel.Reference ? Kernel.Reference : kernel, Assert.IsType<RecurrentLayers>(rnn).Cell.Kernel);
        }
    }

    [Theory]
    [InlineData(Architecture.Rnn, GruReset.Before)]
    [InlineData(Architecture.Gru, GruReset.After)]
    public void Should_run_fastest_on_the_cpu_window_function_of_a_fused_module(Architecture arch, GruReset reset)
    {
        // Given a fused spec on Fastest and on Window, with the same float64 weights
        manual_seed(4);
        var spec = Sizes with { Arch = arch, GruReset = reset };
        using var fastest = Build(spec, Kernel.Fastest);
        using var window = Build(spec, Kernel.Window);
        window.load_state_dict(fastest.state_dict());
        using var input = randn(6, 3, spec.InputSize, dtype: ScalarType.Float64);

        // When both run a window on the CPU
        using var _ = no_grad();
        var (a, _) = fastest.forward(input, null);
        var (b, _) = window.forward(input, null);

        // Then the outputs are bit for bit the same: Fastest ran the window function on the fused module's weights
        Assert.Equal(a.data<double>().ToArray(), b.data<double>().ToArray());
    }

    [Theory]
    [MemberData(nameof(Recurrent))]
    public void Should_agree_on_fastest_and_reference_to_float64_rounding(string name, ModelSpec spec)
    {
        // Given a float64 model on Fastest and the same weights on the Reference loop, a random
        // window of 9 steps of 3 streams and a random start state (the clock mid-cycle)
        manual_seed(5);
        var fastest = Build(spec, Kernel.Fastest);
        var reference = Build(spec, Kernel.Reference);
        reference.load_state_dict(fastest.state_dict());
        var generator = new TorchSharp.torch.Generator(6);
        var input = Random(generator, ScalarType.Float64, 9, 3, spec.InputSize);
        var start = fastest.InitialState(3, CPU, ScalarType.Float64).Tensors.Select(t => Random(generator, ScalarType.Float64, t.shape)).ToArray();
        var weigh = Random(generator, ScalarType.Float64, 9, 3, spec.OutputSize);

        // When both run and back-propagate the same loss
        // Then outputs, final states and every gradient agree to 1e-12
        AssertSameWindowAndGradients(fastest, reference, input, start, weigh, clock: 3);
        Assert.NotNull(name);
    }

    [Fact]
    public void Should_fold_generation_only_on_the_fastest_kernel()
    {
        // Given an LSTM on each kernel
        var spec = Sizes with { Arch = Architecture.Lstm, InputSize = 4, OutputSize = 4 };
        foreach (var kernel in Enum.GetValues<Kernel>())
        {
            using var model = ModelFactory.Create(spec, kernel);

            // When a noiseless free run is planned, Then only Fastest folds the feedback
            Assert.Equal(kernel == Kernel.Fastest, new Generator(model, new FrameRegression(Target.Next)).UsesFold(new Feedback(), frames: 10));
        }
    }
}
