using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class NormalizerTests
{
    /// <summary>[frames, 3] seeded frames whose features have very different offsets and spreads.</summary>
    private static Tensor Frames(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * 3];
        for (var f = 0; f < count; f++)
        {
            values[f * 3] = (float)(random.NextDouble() * 2 - 1);
            values[f * 3 + 1] = (float)(1000 + 50 * random.NextDouble());
            values[f * 3 + 2] = (float)(-3e-3 * random.NextDouble());
        }
        return tensor(values, count, 3);
    }

    [Fact]
    public void Should_give_zero_mean_and_unit_std_per_feature_for_zscore()
    {
        // Given frames with offsets from 0 to 1000 and spreads from 3e-3 to 50
        using var frames = Frames(500, seed: 1);

        // When fitted and normalized with zscore
        using var normalizer = Normalizer.Fit(NormalizerKind.ZScore, frames);
        using var model = normalizer.Normalize(frames).to_type(ScalarType.Float64);

        // Then each feature has mean 0 and (population) std 1
        using var mean = model.mean([0]);
        using var std = model.std([0], unbiased: false);
        Assert.All(mean.data<double>().ToArray(), m => Assert.True(Math.Abs(m) < 1e-4, $"mean {m}"));
        Assert.All(std.data<double>().ToArray(), s => Assert.True(Math.Abs(s - 1) < 1e-4, $"std {s}"));
    }

    [Fact]
    public void Should_map_each_feature_onto_zero_to_one_for_minmax()
    {
        // Given frames with very different ranges
        using var frames = Frames(500, seed: 2);

        // When fitted and normalized with minmax
        using var normalizer = Normalizer.Fit(NormalizerKind.MinMax, frames);
        using var model = normalizer.Normalize(frames);

        // Then each feature spans [0, 1]
        using var min = model.amin([0]);
        using var max = model.amax([0]);
        Assert.All(min.data<float>().ToArray(), m => Assert.True(Math.Abs(m) < 1e-5, $"min {m}"));
        Assert.All(max.data<float>().ToArray(), m => Assert.True(Math.Abs(m - 1) < 1e-5, $"max {m}"));
    }

    [Theory]
    [InlineData(NormalizerKind.ZScore)]
    [InlineData(NormalizerKind.MinMax)]
    [InlineData(NormalizerKind.None)]
    public void Should_denormalize_back_to_the_features(NormalizerKind kind)
    {
        // Given fitted frames
        using var frames = Frames(200, seed: 3);
        using var normalizer = Normalizer.Fit(kind, frames);

        // When normalized and denormalized
        using var model = normalizer.Normalize(frames);
        using var back = normalizer.Denormalize(model);

        // Then the features return (to float32 rounding of values near 1000)
        Assert.True(back.allclose(frames, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Should_leave_features_alone_for_none()
    {
        // Given frames
        using var frames = Frames(10, seed: 4);

        // When normalized with none
        using var normalizer = Normalizer.Fit(NormalizerKind.None, frames);
        using var model = normalizer.Normalize(frames);

        // Then nothing changes
        Assert.Equal(frames.data<float>().ToArray(), model.data<float>().ToArray());
    }

    [Theory]
    [InlineData(NormalizerKind.ZScore)]
    [InlineData(NormalizerKind.MinMax)]
    public void Should_map_a_constant_feature_to_zero_without_nan(NormalizerKind kind)
    {
        // Given a feature that is always 0.1 (and one that is always 0)
        using var frames = full(100, 2, 0.1f);
        frames[.., 1] = tensor(0f);

        // When fitted and normalized
        using var normalizer = Normalizer.Fit(kind, frames);
        using var model = normalizer.Normalize(frames);

        // Then the scale is floored and everything is finite and near 0
        Assert.All(normalizer.Scale.data<float>().ToArray(), s => Assert.True(s >= 1e-8f));
        Assert.True(model.isfinite().all().item<bool>());
        Assert.True(model.abs().max().item<float>() < 1e-3);
    }

    [Theory]
    [InlineData(NormalizerKind.ZScore)]
    [InlineData(NormalizerKind.MinMax)]
    public void Should_fit_several_songs_as_if_concatenated(NormalizerKind kind)
    {
        // Given three songs of different lengths and statistics, one of them empty
        using var a = Frames(100, seed: 5);
        using var b = Frames(37, seed: 6) * 3 + 2;
        using var empty = zeros(0, 3);

        // When fitted together, and fitted to their concatenation
        using var together = Normalizer.Fit(kind, [a, empty, b]);
        using var all = cat(new[] { a, b }, dim: 0);
        using var concatenated = Normalizer.Fit(kind, all);

        // Then the statistics agree
        Assert.True(together.Shift.allclose(concatenated.Shift, rtol: 1e-6, atol: 1e-7));
        Assert.True(together.Scale.allclose(concatenated.Scale, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void Should_refuse_songs_with_different_feature_counts_or_no_frames()
    {
        // Given songs of 3 and 4 features, and no frames at all
        using var three = zeros(2, 3);
        using var four = zeros(2, 4);
        using var empty = zeros(0, 3);

        // When fitted
        // Then both are argument errors
        Assert.Throws<ArgumentException>(() => Normalizer.Fit(NormalizerKind.ZScore, [three, four]));
        Assert.Throws<ArgumentException>(() => Normalizer.Fit(NormalizerKind.ZScore, empty));
    }

    [Fact]
    public void Should_outlive_the_dispose_scope_it_was_fitted_in()
    {
        // Given a normalizer fitted inside a dispose scope
        Normalizer normalizer;
        using (NewDisposeScope())
        {
            var frames = Frames(50, seed: 7);
            normalizer = Normalizer.Fit(NormalizerKind.ZScore, frames);
        }

        // When the scope has ended
        // Then its tensors are still usable
        using (normalizer)
        {
            Assert.Equal(3, normalizer.Shift.data<float>().ToArray().Length);
            Assert.True(normalizer.Scale.gt(0).all().item<bool>());
        }
    }

    [Fact]
    public void Should_rebuild_from_saved_tensors()
    {
        // Given saved float64 shift and scale
        using var shift = tensor(new double[] { 1, -2 });
        using var scale = tensor(new double[] { 2, 0.5 });

        // When a normalizer is rebuilt from them and maps a frame
        using var normalizer = Normalizer.FromTensors(NormalizerKind.MinMax, shift, scale);
        using var frame = tensor(new float[] { 3, -1 });
        using var model = normalizer.Normalize(frame);

        // Then it has the kind, float32 copies, and (x − shift) / scale = [1, 2]
        Assert.Equal(NormalizerKind.MinMax, normalizer.Kind);
        Assert.Equal(ScalarType.Float32, normalizer.Shift.dtype);
        Assert.Equal(new float[] { 1, 2 }, model.data<float>().ToArray());
    }

    [Fact]
    public void Should_refuse_saved_tensors_that_cannot_be_a_normalizer()
    {
        // Given mismatched shapes, and a zero scale
        using var two = ones(2);
        using var three = ones(3);
        using var zeroScale = tensor(new float[] { 1, 0 });

        // When rebuilt
        // Then both are argument errors
        Assert.Throws<ArgumentException>(() => Normalizer.FromTensors(NormalizerKind.ZScore, two, three));
        Assert.Throws<ArgumentException>(() => Normalizer.FromTensors(NormalizerKind.ZScore, two, zeroScale));
    }

    [Theory]
    [InlineData("zscore", NormalizerKind.ZScore)]
    [InlineData("MinMax", NormalizerKind.MinMax)]
    [InlineData("none", NormalizerKind.None)]
    public void Should_parse_and_name_every_kind(string name, NormalizerKind kind)
    {
        // Given a name as typed
        // When parsed and named again
        // Then it round-trips to the lower-case name
        Assert.Equal(kind, Normalizer.ParseKind(name));
        Assert.Equal(name.ToLowerInvariant(), Normalizer.NameOf(kind));
    }

    [Fact]
    public void Should_reject_an_unknown_normalizer_naming_the_option()
    {
        // Given an unknown name
        // When parsed
        var error = Assert.Throws<InputException>(() => Normalizer.ParseKind("l2"));

        // Then the message names --normalize and the choices
        Assert.StartsWith("--normalize: ", error.Message);
        Assert.Contains("zscore", error.Message);
    }
}
