using MusicRnn.Models;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class SampleRnnModelTests
{
    private const int Levels = 12;

    private static ModelSpec Spec(Architecture arch, int tiers, int hidden = 8) => new()
    {
        Arch = arch,
        HiddenSize = hidden,
        Layers = 2,
        Modules = 4,
        InputSize = 1,
        OutputSize = Levels,
        SampleLevel = new SampleLevelSpec { Tiers = tiers, FrameSize = 4, TopRatio = 3, Levels = Levels, MlpSize = 6 },
    };

    /// <summary>Seeded level indices [T, B, 1] as the model reads them.</summary>
    private static Tensor Levels_(int steps, int batch, int seed)
    {
        var random = new Random(seed);
        return tensor(Enumerable.Range(0, steps * batch).Select(_ => (double)random.Next(Levels)).ToArray(), ScalarType.Float64).reshape(steps, batch, 1);
    }

    [Theory]
    [InlineData(Architecture.Gru, 1)]
    [InlineData(Architecture.Gru, 2)]
    [InlineData(Architecture.Lstm, 2)]
    [InlineData(Architecture.Rnn, 3)]
    [InlineData(Architecture.CwRnn, 3)]
    [InlineData(Architecture.Lstm, 3)]
    public void Should_give_the_same_outputs_in_windows_of_any_length_and_phase_as_in_one_pass(Architecture arch, int tiers)
    {
        // Given a tiny float64 model and 75 positions of two streams (frames of 4, top frames of 12)
        manual_seed(4);
        using var model = ModelTestKit.Build(Spec(arch, tiers));
        using var input = Levels_(75, 2, seed: 1);
        using var noGrad = no_grad();

        // When run in one pass, and again in windows of 1, 5, 16, 3, 37, 1, 12 positions carrying the state
        var (whole, _) = model.forward(input, null);
        var pieces = new List<Tensor>();
        ModelState? state = null;
        long at = 0;
        foreach (var length in new[] { 1, 5, 16, 3, 37, 1, 12 })
        {
            var (output, next) = model.forward(input.narrow(0, at, length), state);
            pieces.Add(output);
            state = next;
            at += length;
        }

        // Then every output agrees to float64 rounding, whatever phase each window started at
        Assert.Equal(75, at);
        var split = cat(pieces, 0);
        Assert.True((whole - split).abs().max().item<double>() < 1e-12, $"largest difference {(whole - split).abs().max().item<double>()}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_never_let_an_output_see_the_sample_it_predicts(int tiers)
    {
        // Given outputs over 40 positions, and the same input with one sample changed
        manual_seed(5);
        using var model = ModelTestKit.Build(Spec(Architecture.Gru, tiers));
        using var input = Levels_(40, 1, seed: 2);
        using var noGrad = no_grad();
        var (before, _) = model.forward(input, null);
        foreach (var q in new[] { 3, 11, 24, 39 })
        {
            using var changed = input.clone();
            changed[q, 0, 0] = tensor((input[q, 0, 0].item<double>() + 5) % Levels, ScalarType.Float64);
            var (after, _) = model.forward(changed, null);

            // Then the outputs before position q (the predictions of samples up to q) do not move,
            // and the output at q (the prediction of q + 1, which sees x_q) does
            var unmoved = (before.narrow(0, 0, q) - after.narrow(0, 0, q)).abs().max().item<double>();
            Assert.Equal(0, unmoved);
            Assert.True((before[q] - after[q]).abs().max().item<double>() > 1e-9, $"x_{q} did not reach the prediction after it");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_have_the_gradient_of_finite_differences(int tiers)
    {
        // Given a tiny float64 model, 30 positions of 2 streams and a fixed scalar loss of its outputs
        manual_seed(6);
        using var model = ModelTestKit.Build(Spec(Architecture.Gru, tiers, hidden: 5));
        using var input = Levels_(30, 2, seed: 3);
        using var weigh = ModelTestKit.Random(new TorchSharp.torch.Generator(9), ScalarType.Float64, 30, 2, Levels);
        double Loss()
        {
            using var scope = NewDisposeScope();
            var (output, _) = model.forward(input, null);
            return (output.log_softmax(2) * weigh).sum().item<double>();
        }
        model.zero_grad();
        using (var scope = NewDisposeScope())
        {
            var (output, _) = model.forward(input, null);
            (output.log_softmax(2) * weigh).sum().backward();
        }

        // When every parameter is nudged at a few entries, then the central difference matches the
        // backward pass to 1e-6 relative
        var random = new Random(2);
        foreach (var (name, p) in model.named_parameters())
        {
            var grad = p.grad!.reshape(-1).data<double>().ToArray();
            for (int trial = 0; trial < 3; trial++)
            {
                long i = random.Next((int)p.numel());
                const double h = 1e-6;
                double at(double delta)
                {
                    using (no_grad()) p.view(-1)[i] = p.view(-1)[i] + delta;
                    double value = Loss();
                    using (no_grad()) p.view(-1)[i] = p.view(-1)[i] - delta;
                    return value;
                }
                double numeric = (at(h) - at(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{name}[{i}]: backward {grad[i]}, finite differences {numeric}");
            }
        }
    }

    [Fact]
    public void Should_name_its_tensors_as_pytorch_would_and_count_them_in_closed_form()
    {
        // Given a 3-tier GRU model, when listing its parameters
        using var model = ModelFactory.Create(Spec(Architecture.Gru, 3));
        var names = model.named_parameters().Select(p => p.name).ToHashSet();

        // Then the names are the and PyTorch's, and the closed-form count is numel's
        foreach (var name in new[] { "embedding.weight", "frame_rnn.weight_ih_l0", "frame_rnn.weight_hh_l1", "frame_upsample.weight", "frame_upsample.bias",
            "top_rnn.weight_ih_l0", "top_upsample.weight", "sample_mlp.0.weight", "sample_mlp.0.bias", "sample_mlp.2.weight", "sample_mlp.2.bias" })
            Assert.Contains(name, names);
        Assert.Equal([4L * Levels, 6L], model.named_parameters().Single(p => p.name == "embedding.weight").parameter.shape);
        foreach (var tiers in new[] { 1, 2, 3 })
            foreach (var arch in new[] { Architecture.Rnn, Architecture.Lstm, Architecture.Gru, Architecture.CwRnn })
            {
                var spec = Spec(arch, tiers);
                using var built = ModelFactory.Create(spec);
                Assert.Equal(built.ParameterCount(), ParameterBudget.Count(spec));
            }
    }
}
