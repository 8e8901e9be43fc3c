using MusicRnn.Generation;
using MusicRnn.Models;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Generation;

public sealed class SampleLevelSamplerTests
{
    private const int Levels = 16;

    private static ModelSpec Spec(Architecture arch, int tiers) => new()
    {
        Arch = arch,
        HiddenSize = 12,
        Layers = 2,
        Modules = 4,
        GruReset = GruReset.After,
        InputSize = 1,
        OutputSize = Levels,
        SampleLevel = new SampleLevelSpec { Tiers = tiers, FrameSize = 4, TopRatio = 3, Levels = Levels, MlpSize = 10 },
    };

    [Theory]
    [InlineData(Architecture.Gru, 1, 0)]
    [InlineData(Architecture.Gru, 2, 7)]
    [InlineData(Architecture.Lstm, 2, 8)]
    [InlineData(Architecture.Rnn, 3, 5)]
    [InlineData(Architecture.CwRnn, 3, 13)]
    public void Should_compute_the_logits_the_modules_forward_computes_within_1e5_of_the_largest(Architecture arch, int tiers, int primeLength) =>
        AssertLogitsEqualForward(Spec(arch, tiers), primeLength);

    /// <summary>The managed frame tier of every cell variant (two tiers), against the modules.</summary>
    public static TheoryData<string, int> FrameTiers => new()
    {
        { "rnn", 5 }, { "rnn-sigmoid", 9 }, { "cwrnn", 13 }, { "cwrnn-periods", 6 }, { "gru-before", 3 }, { "lstm-plain", 6 }, { "lstm-1-layer", 0 },
    };

    [Theory]
    [MemberData(nameof(FrameTiers))]
    public void Should_compute_the_logits_the_modules_compute_with_every_cell_as_the_managed_frame_tier(string variant, int primeLength)
    {
        var spec = variant switch
        {
            "rnn" => Spec(Architecture.Rnn, 2),
            "rnn-sigmoid" => Spec(Architecture.Rnn, 2) with { Activation = Activation.Sigmoid },
            "cwrnn" => Spec(Architecture.CwRnn, 2),
            "cwrnn-periods" => Spec(Architecture.CwRnn, 2) with { Modules = 3, Periods = [1, 3, 5] },
            "gru-before" => Spec(Architecture.Gru, 2) with { GruReset = GruReset.Before },
            "lstm-plain" => Spec(Architecture.Lstm, 2) with { Peepholes = false },
            _ => Spec(Architecture.Lstm, 2) with { Layers = 1 },
        };
        AssertLogitsEqualForward(spec, primeLength);
    }

    private static void AssertLogitsEqualForward(ModelSpec spec, int primeLength)
    {
        // Given a float32 model with random weights (biases too), primed on a seeded level sequence of any phase
        manual_seed(11);
        using var model = (SampleRnnModel)ModelFactory.Create(spec);
        using (no_grad())
            foreach (var p in model.parameters()) p.normal_(0, 0.5);
        model.eval();
        var random = new Random(3);
        var prime = Enumerable.Range(0, primeLength).Select(_ => (float)random.Next(Levels)).ToArray();
        using var noGrad = no_grad();
        var state = model.InitialState(2, CPU, ScalarType.Float32);
        if (primeLength > 0) state = model.forward(tensor(prime.Concat(prime).ToArray(), [2, primeLength, 1]).transpose(0, 1).contiguous(), state).State;

        // When the sampler draws 40 samples of two streams, recording the logits it drew from
        var seen = new List<float[]>();
        var drawn = new List<int>();
        new SampleLevelSampler(model).Run(state, 40, temperature: 1, seed: 5, chunk: 7, levels => drawn.AddRange(levels.ToArray()), l => seen.Add((float[])l.Clone()));

        // Then the module's forward over prime + drawn levels gives the same logits at every step
        Assert.Equal(80, drawn.Count);
        var streams = new float[2][];
        for (int b = 0; b < 2; b++)
            streams[b] = [.. prime, .. Enumerable.Range(0, 40).Select(n => (float)drawn[(n * 2) + b])];
        var input = tensor(streams[0].Concat(streams[1]).ToArray(), [2, primeLength + 40, 1]).transpose(0, 1).contiguous();
        var (output, _) = model.forward(input, model.InitialState(2, CPU, ScalarType.Float32));   // [P + 40, 2, L]
        // Step n draws level n, the target of position P + n − 1; with no prime the first draw's
        // position is the silence before the song, which forward has no output for, so it is not compared.
        // Float32 sums in another order differ in the last bits, so the difference is measured against
        // the step's largest logit (at least 1): these weights give logits of tens.
        double worst = 0, worstAbsolute = 0;
        int compared = 0;
        for (int n = primeLength == 0 ? 1 : 0; n < 40; n++, compared++)
        {
            float[] expected = output[n + primeLength - 1].contiguous().data<float>().ToArray();
            double size = Math.Max(1, expected.Max(x => Math.Abs(x)));
            for (int i = 0; i < expected.Length; i++)
            {
                worstAbsolute = Math.Max(worstAbsolute, Math.Abs(expected[i] - seen[n][i]));
                worst = Math.Max(worst, Math.Abs(expected[i] - seen[n][i]) / size);
            }
        }
        Assert.True(worst <= 1e-5, $"largest difference {worst} of the largest logit ({worstAbsolute} absolute)");
        Assert.Equal(40, seen.Count);
        Assert.Equal(primeLength == 0 ? 39 : 40, compared);
        // And the two streams drew differently (each from its own seed), so both paths were compared
        Assert.NotEqual(streams[0], streams[1]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_make_in_stream_b_of_a_batch_what_one_stream_makes_with_seed_plus_b(int tiers)
    {
        // Given a random model and its silent initial state for three streams and for one
        manual_seed(4);
        using var model = (SampleRnnModel)ModelFactory.Create(Spec(Architecture.Gru, tiers));
        using var noGrad = no_grad();
        using var three = model.InitialState(3, CPU, ScalarType.Float32);
        using var one = model.InitialState(1, CPU, ScalarType.Float32);

        // When three streams are drawn at once with seed 10, and one stream with each of seeds 10, 11, 12
        var batch = new List<int>();
        new SampleLevelSampler(model).Run(three, 50, 1, 10, 16, l => batch.AddRange(l.ToArray()));
        var single = Enumerable.Range(0, 3).Select(b =>
        {
            var levels = new List<int>();
            new SampleLevelSampler(model).Run(one, 50, 1, 10 + b, 16, l => levels.AddRange(l.ToArray()));
            return levels;
        }).ToArray();

        // Then stream b of the batch is the single stream of seed 10 + b, level for level
        for (int b = 0; b < 3; b++)
            Assert.Equal(single[b], Enumerable.Range(0, 50).Select(n => batch[(n * 3) + b]));
    }

    [Fact]
    public void Should_draw_the_same_levels_from_the_same_seed_and_others_from_another()
    {
        // Given a random model
        manual_seed(2);
        using var model = (SampleRnnModel)ModelFactory.Create(Spec(Architecture.Gru, 2));
        using var noGrad = no_grad();
        using var state = model.InitialState(1, CPU, ScalarType.Float32);
        List<int> Draw(long seed)
        {
            var levels = new List<int>();
            new SampleLevelSampler(model).Run(state, 64, 1, seed, 16, l => levels.AddRange(l.ToArray()));
            return levels;
        }

        // When drawing twice with seed 1 and once with seed 2
        var (a, b, c) = (Draw(1), Draw(1), Draw(2));

        // Then equal seeds give equal levels, another seed other levels
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Should_draw_levels_as_often_as_the_softmax_gives_them_and_the_argmax_at_temperature_zero()
    {
        // Given logits whose softmax is (0.1, 0.2, 0.7)
        float[] z = [MathF.Log(0.1f), MathF.Log(0.2f), MathF.Log(0.7f)];
        var random = new Random(9);

        // When drawing 20,000 times at temperature 1
        var counts = new int[3];
        for (int i = 0; i < 20_000; i++) counts[SampleLevelSampler.Draw(z, 1, random)]++;

        // Then each level comes up at its probability (±1.5 %), and temperature 0 picks level 2
        Assert.InRange(counts[0] / 20_000.0, 0.085, 0.115);
        Assert.InRange(counts[1] / 20_000.0, 0.185, 0.215);
        Assert.InRange(counts[2] / 20_000.0, 0.685, 0.715);
        Assert.Equal(2, SampleLevelSampler.Draw(z, 0, random));
    }
}
