using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class RecurrentModelTests
{
    private static readonly ModelSpec Tiny = new() { InputSize = 3, OutputSize = 3, HiddenSize = 4, Layers = 2, Modules = 2 };

    public static TheoryData<string> GradientCases => [.. Specs.Keys];

    private static readonly Dictionary<string, ModelSpec> Specs = new()
    {
        ["rnn-tanh (fused)"] = Tiny with { Arch = Architecture.Rnn },
        ["rnn-sigmoid"] = Tiny with { Arch = Architecture.Rnn, Activation = Activation.Sigmoid },
        ["lstm-peepholes"] = Tiny with { Arch = Architecture.Lstm },
        ["lstm-plain (fused)"] = Tiny with { Arch = Architecture.Lstm, Peepholes = false },
        ["gru-before"] = Tiny with { Arch = Architecture.Gru, GruReset = GruReset.Before },
        ["gru-after (fused)"] = Tiny with { Arch = Architecture.Gru, GruReset = GruReset.After },
        ["cw-rnn"] = Tiny with { Arch = Architecture.CwRnn },
        ["gru-before residual"] = Tiny with { Arch = Architecture.Gru, Readout = Readout.Residual },
        ["lstm-peepholes scaled"] = Tiny with { Arch = Architecture.Lstm, Readout = Readout.Scaled },
        ["mlp"] = Tiny with { Arch = Architecture.Mlp },
        ["logreg"] = Tiny with { Arch = Architecture.LogReg, Layers = 0 },
    };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Should_match_finite_difference_gradients_in_float64(string name)
    {
        // Given a tiny 2-layer model in float64 (a residual readout's zero head made random, so every
        // weight has a gradient), a 7-step window, a random starting state (at clock 1, so the CW-RNN
        // starts mid-cycle) and a loss that weighs every output and every final state entry by a fixed random number
        manual_seed(1);
        var model = Build(Specs[name]);
        if (model.Spec.Readout != Readout.Plain) RandomizeReadout(model, 3);
        var generator = new Generator(2);
        var input = Random(generator, ScalarType.Float64, 7, 2, 3);
        var start = new ModelState(model.InitialState(2, CPU, ScalarType.Float64).Tensors
            .Select(t => Random(generator, ScalarType.Float64, t.shape)).ToArray(), 1);
        var weighOutput = Random(generator, ScalarType.Float64, 7, 2, 3);
        var weighState = start.Tensors.Select(t => Random(generator, ScalarType.Float64, t.shape)).ToArray();
        Tensor Loss()
        {
            var (output, state) = model.forward(input, start);
            return state.Tensors.Zip(weighState).Aggregate((output * weighOutput).sum(), (sum, s) => sum + (s.First * s.Second).sum());
        }

        // When autograd and central differences (eps 1e-6) each compute dLoss/dθ
        Loss().backward();
        const double eps = 1e-6;
        foreach (var (parameter, p) in model.named_parameters())
        {
            var analytic = p.grad!.data<double>().ToArray();
            var numeric = new double[analytic.Length];
            using (no_grad())
            {
                using var flat = p.detach().view(-1);
                for (var i = 0; i < numeric.Length; i++)
                {
                    using var scope = NewDisposeScope();
                    var value = flat[i].item<double>();
                    flat[i].fill_(value + eps);
                    var plus = Loss().item<double>();
                    flat[i].fill_(value - eps);
                    var minus = Loss().item<double>();
                    flat[i].fill_(value);
                    numeric[i] = (plus - minus) / (2 * eps);
                }
            }

            // Then they agree to a relative error below 1e-6 for every parameter tensor
            var error = Norm(analytic.Zip(numeric, (a, n) => a - n)) / Math.Max(Math.Max(Norm(analytic), Norm(numeric)), 1e-8);
            Assert.True(error < 1e-6, $"{name}: {parameter} relative error {error:E2}");
            Assert.True(Norm(analytic) > 0, $"{name}: {parameter} has no gradient at all");
        }
    }

    private static double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(x => x * x));

    [Theory]
    [InlineData(Architecture.Gru, Readout.Residual)]
    [InlineData(Architecture.Lstm, Readout.Scaled)]
    [InlineData(Architecture.CwRnn, Readout.Residual)]
    public void Should_start_at_persistence_with_a_residual_readout(Architecture arch, Readout readout)
    {
        // Given a freshly built model with a residual readout, and a random window from a random state
        manual_seed(2);
        var model = Build(Tiny with { Arch = arch, Readout = readout });
        var generator = new Generator(7);
        var input = Random(generator, ScalarType.Float64, 5, 2, 3);
        var start = new ModelState(model.InitialState(2, CPU, ScalarType.Float64).Tensors.Select(t => Random(generator, ScalarType.Float64, t.shape)).ToArray(), 0);

        // When it runs the window
        using var _ = no_grad();
        var (output, _) = model.forward(input, start);

        // Then every prediction is the frame it was given: the persistence baseline
        Assert.Equal(input.data<double>().ToArray(), output.data<double>().ToArray());
    }

    [Theory]
    [InlineData(Architecture.Gru, Readout.Residual)]
    [InlineData(Architecture.Lstm, Readout.Scaled)]
    [InlineData(Architecture.Rnn, Readout.Scaled)]
    public void Should_add_the_skip_from_the_input_to_the_head_of_the_top_state(Architecture arch, Readout readout)
    {
        // Given a model with a residual readout whose head (and gain) are random, and the same
        // stack and head with the plain readout, which outputs W_y h_t + b_y alone
        manual_seed(3);
        var spec = Tiny with { Arch = arch, Readout = readout };
        var model = Build(spec);
        RandomizeReadout(model, 4);
        var plain = Build(spec with { Readout = Readout.Plain });
        foreach (var (name, p) in plain.named_parameters()) Set(plain, name, Param(model, name).data<double>().ToArray());
        var input = Random(new Generator(8), ScalarType.Float64, 6, 2, 3);

        // When both run the same window, and ŷ = x + head(h) (or s ⊙ x + head(h)) is computed by hand from the plain output
        using var _ = no_grad();
        var (output, _) = model.forward(input, null);
        var (head, _) = plain.forward(input, null);
        var x = input.data<double>().ToArray();
        var h = head.data<double>().ToArray();
        var s = readout == Readout.Scaled ? Param(model, "skip").data<double>().ToArray() : [1.0, 1.0, 1.0];
        var expected = Enumerable.Range(0, x.Length).Select(i => (s[i % 3] * x[i]) + h[i]).ToArray();

        // Then the model's output is that sum, to float64 rounding
        var actual = output.data<double>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-12);
    }

    /// <summary>Overwrites the head (and the scaled readout's gain) with seeded random values.</summary>
    private static void RandomizeReadout(FrameModel model, ulong seed)
    {
        var generator = new Generator(seed);
        foreach (var name in new[] { "head.weight", "head.bias", "skip" }.Where(n => model.named_parameters().Any(p => p.name == n)))
            Set(model, name, Random(generator, ScalarType.Float64, Param(model, name).shape).data<double>().ToArray());
    }

    [Theory]
    [InlineData(Architecture.Lstm, GruReset.Before, false)]
    [InlineData(Architecture.Gru, GruReset.After, true)]
    [InlineData(Architecture.Rnn, GruReset.Before, true)]
    public void Should_compute_the_same_outputs_and_gradients_on_the_fused_kernel_as_the_explicit_cell(Architecture arch, GruReset reset, bool peepholes)
    {
        // Given a fused 2-layer model (plain LSTM, GRU reset after, tanh RNN) and the explicit
        // cells loaded with its state_dict (which only works if the names agree)
        manual_seed(4);
        var spec = new ModelSpec { Arch = arch, GruReset = reset, Peepholes = peepholes, InputSize = 5, OutputSize = 4, HiddenSize = 8, Layers = 2 };
        Assert.True(ModelFactory.UsesFusedKernel(spec));
        var fused = ModelFactory.Create(spec, Kernel.Libtorch);
        var cells = ModelFactory.Create(spec, Kernel.Window);
        cells.load_state_dict(fused.state_dict());
        var generator = new Generator(9);
        var input = Random(generator, ScalarType.Float32, 10, 3, 5);
        var start = fused.InitialState(3, CPU, ScalarType.Float32).Tensors.Select(t => Random(generator, ScalarType.Float32, t.shape)).ToArray();
        var weigh = Random(generator, ScalarType.Float32, 10, 3, 4);

        // When both run the same float32 window from the same state and back-propagate the same loss
        (Tensor Output, Tensor[] State, Tensor InputGrad) Run(FrameModel model)
        {
            var x = input.detach().clone().requires_grad_();
            var (output, state) = model.forward(x, new ModelState(start, 0));
            var loss = state.Tensors.Aggregate((output * weigh).sum(), (sum, s) => sum + s.sum());
            loss.backward();
            return (output, [.. state.Tensors], x.grad!);
        }
        var a = Run(fused);
        var b = Run(cells);

        // Then outputs, final states and every gradient agree within 1e-5
        AssertClose(a.Output, b.Output, "output");
        for (var i = 0; i < a.State.Length; i++) AssertClose(a.State[i], b.State[i], $"state {i}");
        AssertClose(a.InputGrad, b.InputGrad, "input gradient");
        var cellParameters = cells.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in fused.named_parameters()) AssertClose(p.grad!, cellParameters[name].grad!, name);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var scale = Math.Max(1.0, expected.abs().max().item<float>());
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= 1e-5 * scale, $"{what}: differs by {difference:E2} (scale {scale:F2})");
    }
}
