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
    public void Should_compute_the_logits_the_modules_forward_computes_within_1e5(Architecture arch, int tiers, int primeLength)
    {
        // Given a float32 model with random weights (biases too), primed on a seeded level sequence of any phase
        manual_seed(11);
        using var model = (SampleRnnModel)ModelFactory.Create(Spec(arch, tiers));
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
        double worst = 0;
        int compared = 0;
        for (int n = primeLength == 0 ? 1 : 0; n < 40; n++, compared++)
        {
            float[] expected = output[n + primeLength - 1].contiguous().data<float>().ToArray();
            for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - seen[n][i]));
        }
        Assert.True(worst <= 1e-5, $"largest difference {worst}");
        Assert.Equal(40, seen.Count);
        Assert.Equal(primeLength == 0 ? 39 : 40, compared);
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
