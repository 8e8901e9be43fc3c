using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Objectives;

public sealed class SampleCategoricalTests
{
    private static TrainingSong Song(params int[] levels)
    {
        var frames = tensor(levels.Select(l => (float)l).ToArray(), levels.Length, 1);
        return new TrainingSong("tiny", frames, 0.25);
    }

    [Fact]
    public void Should_count_the_unigram_and_bigram_baselines_as_worked_out_by_hand()
    {
        // Given 4 levels and the song 0 1 0 1 0 1 | 2 3, its last quarter held out
        var song = Song(0, 1, 0, 1, 0, 1, 2, 3);
        var objective = new SampleCategorical(4);

        // When measuring the counting baselines
        var measured = objective.MeasureBaselines([song]).ToDictionary(b => b.Name);

        // Then the unigram gives each unseen level (0 + 1) / (6 + 4): −log₂ 0.1 bits each;
        // the bigram gives 1 after 1 (seen twice, never followed by 2) (0 + 1)/(2 + 4), and 3 after
        // 2 (never seen) (0 + 1)/(0 + 4)
        Assert.Equal(6, song.TailStart);
        Assert.Equal(-Math.Log2(0.1), measured["unigram"].Loss!.Value, 12);
        Assert.Equal((-Math.Log2(1.0 / 6) + 2) / 2, measured["bigram"].Loss!.Value, 12);
    }

    [Fact]
    public void Should_score_in_bits_per_sample_the_same_as_its_loss()
    {
        // Given uniform logits over 4 levels and logits sure of the right level
        var objective = new SampleCategorical(4);
        var target = tensor(new float[] { 0, 3, 1, 2, 2, 0 }, 3, 2, 1);   // [T, B, 1]
        var uniform = zeros(3, 2, 4);
        var sure = nn.functional.one_hot(target.reshape(3, 2).to_type(ScalarType.Int64), 4).to_type(ScalarType.Float32) * 50;

        // When scoring and taking the loss, then the uniform guess costs log₂ 4 = 2 bits per sample,
        // the sure one almost none, and score and loss agree
        Assert.Equal(2.0, objective.Loss(uniform, target).item<float>(), 6);
        Assert.Equal(2.0, objective.Score(uniform.reshape(6, 4), target.reshape(6, 1)).Mean!.Value, 9);
        Assert.InRange(objective.Score(sure, target).Mean!.Value, 0, 1e-9);
        Assert.Equal(6, objective.Score(uniform, target).Count);
    }

    [Fact]
    public void Should_sample_reproducibly_and_take_the_arg_max_at_temperature_zero()
    {
        // Given logits over 8 levels for two streams
        var objective = new SampleCategorical(8);
        manual_seed(1);
        var logits = randn(1, 2, 8);
        int[] Draw(double temperature, ulong seed, int count)
        {
            using var random = new TorchSharp.torch.Generator(seed);
            return [.. Enumerable.Range(0, count).SelectMany(_ => objective.Generated(logits, new Feedback(Temperature: temperature), random).reshape(-1).data<float>().ToArray().Select(v => (int)v))];
        }

        // When drawing with seeds and at temperature 0
        var first = Draw(1.0, 7, 50);
        var again = Draw(1.0, 7, 50);
        var other = Draw(1.0, 8, 50);
        var cold = Draw(0.0, 7, 5);

        // Then the same seed draws the same levels, another seed others, and τ = 0 is the arg-max path
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        var argmax = logits.reshape(2, 8).argmax(1).data<long>().ToArray();
        Assert.All(cold.Chunk(2), pair => Assert.Equal(argmax.Select(a => (int)a), pair));
        Assert.False(objective.FeedsPredictionBack(new Feedback()));
        Assert.Null(objective.FeedbackProblem(new ModelSpec { InputSize = 1, OutputSize = 8 }));
        Assert.NotNull(objective.FeedbackProblem(new ModelSpec { InputSize = 8, OutputSize = 8 }));
    }
}
