using MusicRnn.Models;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Models;

public sealed class ParameterBudgetTests
{
    public static TheoryData<ModelSpec> Specs()
    {
        var data = new TheoryData<ModelSpec>();
        foreach (var layers in new[] { 1, 3 })
        {
            var s = new ModelSpec { InputSize = 9, OutputSize = 5, HiddenSize = 12, Layers = layers, Modules = 4 };
            data.Add(s with { Arch = Architecture.Rnn });
            data.Add(s with { Arch = Architecture.Lstm });
            data.Add(s with { Arch = Architecture.Lstm, Peepholes = false });
            data.Add(s with { Arch = Architecture.Gru });
            data.Add(s with { Arch = Architecture.Gru, GruReset = GruReset.After });
            data.Add(s with { Arch = Architecture.CwRnn });
            data.Add(s with { Arch = Architecture.Mlp });
        }
        data.Add(new ModelSpec { Arch = Architecture.LogReg, InputSize = 9, OutputSize = 5, Layers = 0 });
        data.Add(new ModelSpec { Arch = Architecture.Persistence, InputSize = 9, OutputSize = 9 });
        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Should_count_exactly_the_scalars_the_built_model_stores(ModelSpec spec)
    {
        // Given a built model
        manual_seed(0);
        var model = ModelFactory.Create(spec);

        // When its parameters are counted, and the zeros among its recurrent matrices (masked
        // entries; biases are left out, as some start at exactly 0 by design)
        var numel = model.ParameterCount();
        var zeros = model.named_parameters().Where(p => p.name.Contains("weight_hh", StringComparison.Ordinal))
            .Sum(p => p.parameter.eq(0).sum().item<long>());

        // Then the closed forms agree: Count with numel, CountFree with numel less the masked zeros
        Assert.Equal(numel, ParameterBudget.Count(spec));
        Assert.Equal(numel - zeros, ParameterBudget.CountFree(spec));
    }

    [Theory]
    [InlineData(Architecture.Rnn, 100_000)]
    [InlineData(Architecture.Lstm, 100_000)]
    [InlineData(Architecture.Gru, 100_000)]
    [InlineData(Architecture.CwRnn, 100_000)]
    [InlineData(Architecture.Mlp, 100_000)]
    [InlineData(Architecture.Rnn, 1_000_000)]
    [InlineData(Architecture.Lstm, 1_000_000)]
    [InlineData(Architecture.Gru, 1_000_000)]
    [InlineData(Architecture.CwRnn, 1_000_000)]
    [InlineData(Architecture.Mlp, 1_000_000)]
    public void Should_size_every_architecture_to_within_five_percent_of_the_budget(Architecture arch, long budget)
    {
        // Given a 2-layer architecture on 128 features (CW-RNN: 8 modules)
        var spec = new ModelSpec { Arch = arch, InputSize = 128, OutputSize = 128, Layers = 2, Modules = 8 };

        // When its hidden width is matched to the budget
        var hidden = ParameterBudget.MatchHidden(spec, budget);
        var sized = spec with { HiddenSize = hidden };

        // Then its free parameters are within 5% of it, and the CW-RNN's width splits into its modules
        var free = ParameterBudget.CountFree(sized);
        Assert.InRange(free, budget * 0.95, budget * 1.05);
        Assert.Equal(0, hidden % (arch == Architecture.CwRnn ? 8 : 1));
        sized.Validate();
    }
}
