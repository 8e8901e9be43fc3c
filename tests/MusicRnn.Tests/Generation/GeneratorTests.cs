using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using MusicRnn.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = MusicRnn.Generation.Generator;

namespace MusicRnn.Tests.Generation;

public sealed class GeneratorTests
{
    private static readonly Objective NextFrame = new FrameRegression(Target.Next);

    private const int Features = 6;

    [Fact]
    public void Should_equal_a_direct_forward_pass_when_teacher_forced()
    {
        // Given a model and 50 real frames, fed in chunks of 7 so the state must cross chunk edges
        using var model = new TinyRnn(Features);
        using var frames = Frames(50, seed: 3);
        var generator = new Generator(model, NextFrame, chunkFrames: 7);

        // When teacher-forcing, and separately running the model once over all frames
        var forced = Collect(sink => generator.TeacherForced(frames, sink));
        float[] direct;
        using (no_grad())
        {
            var (output, state) = model.forward(frames.unsqueeze(1), null);
            direct = output.reshape(-1).data<float>().ToArray();
            output.Dispose();
            state.Dispose();
        }

        // Then every prediction matches
        Assert.Equal(50 * Features, forced.Length);
        AssertClose(direct, forced, 1e-5f);
    }

    [Fact]
    public void Should_feed_each_prediction_back_as_the_next_input()
    {
        // Given a model, a 5-frame prime and no noise
        using var model = new TinyRnn(Features);
        using var prime = Frames(5, seed: 4);
        var generator = new Generator(model, NextFrame, chunkFrames: 4);

        // When free-running for 10 frames
        var generated = Collect(sink => generator.FreeRun(prime, 10, new Feedback(0), seed: 0, sink));

        // Then the frames are the prime's last prediction, then the model's answer to each previous frame
        var expected = new List<float>();
        using (no_grad())
        {
            var (output, state) = model.forward(prime.unsqueeze(1), null);
            var current = output[^1..];                  // [1, 1, F]
            for (var i = 0; i < 10; i++)
            {
                expected.AddRange(current.reshape(-1).data<float>().ToArray());
                (current, state) = model.forward(current, state);
            }
        }
        Assert.Equal(10 * Features, generated.Length);
        AssertClose(expected.ToArray(), generated, 1e-5f);
    }

    [Fact]
    public void Should_make_the_same_frames_whatever_the_chunk_size()
    {
        // Given one model and prime, with noise so the random stream must also stay in step
        using var model = new TinyRnn(Features);
        using var prime = Frames(9, seed: 5);

        // When generating 40 frames in chunks of 3 and in one chunk
        var small = Collect(sink => new Generator(model, NextFrame, chunkFrames: 3).FreeRun(prime, 40, new Feedback(0.3), seed: 7, sink));
        var whole = Collect(sink => new Generator(model, NextFrame, chunkFrames: 256).FreeRun(prime, 40, new Feedback(0.3), seed: 7, sink));

        // Then both runs agree
        AssertClose(whole, small, 1e-5f);
    }

    [Fact]
    public void Should_repeat_with_the_same_seed_and_change_with_another_when_noisy()
    {
        // Given a model, a prime, and noise σ = 0.5
        using var model = new TinyRnn(Features);
        using var prime = Frames(5, seed: 6);
        var generator = new Generator(model, NextFrame, chunkFrames: 8);

        // When generating twice with seed 1 and once with seed 2
        var first = Collect(sink => generator.FreeRun(prime, 20, new Feedback(0.5), seed: 1, sink));
        var again = Collect(sink => generator.FreeRun(prime, 20, new Feedback(0.5), seed: 1, sink));
        var other = Collect(sink => generator.FreeRun(prime, 20, new Feedback(0.5), seed: 2, sink));

        // Then the same seed gives identical frames and the other seed differs
        Assert.Equal(first, again);
        Assert.True(first.Zip(other).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f);
    }

    [Fact]
    public void Should_start_from_a_zero_frame_without_a_prime()
    {
        // Given a model and an empty prime
        using var model = new TinyRnn(Features);
        using var prime = zeros(0, Features);
        var generator = new Generator(model, NextFrame);

        // When generating 3 frames
        var generated = Collect(sink => generator.FreeRun(prime, 3, new Feedback(0), seed: 0, sink));

        // Then the first frame is the model's answer to a zero frame
        float[] first;
        using (no_grad())
        {
            var (output, _) = model.forward(zeros(1, 1, Features), null);
            first = output.reshape(-1).data<float>().ToArray();
        }
        AssertClose(first, generated[..Features], 1e-6f);
        Assert.Equal(3 * Features, generated.Length);
    }

    [Fact]
    public void Should_hold_no_more_tensors_after_many_chunks_than_after_a_few()
    {
        // Given a noisy free run of 200 chunks of 4 frames
        using var model = new TinyRnn(Features);
        using var prime = Frames(5, seed: 8);
        var generator = new Generator(model, NextFrame, chunkFrames: 4);
        var live = new List<long>();

        // When counting the live tensors each time a chunk is handed over
        generator.FreeRun(prime, 800, new Feedback(0.1), seed: 3, chunk => live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount));

        // Then the count at the last chunk is the count at the tenth: nothing accumulates across chunks
        Assert.Equal(200, live.Count);
        Assert.Equal(live[9], live[^2]);
    }

    [Theory]
    [InlineData(1, true, 0)]
    [InlineData(1, true, 5)]
    [InlineData(2, true, 5)]
    [InlineData(1, false, 5)]
    [InlineData(2, false, 0)]
    public void Should_free_run_an_lstm_on_the_fold_as_frame_by_frame_through_forward(int layers, bool peepholes, int primeFrames)
    {
        // Given a float64 LSTM, a prime of 0 or 5 frames, and chunks of 3 so 10 frames cross three chunk edges
        using var model = Lstm(layers, peepholes);
        using var prime = Frames(primeFrames, seed: 9, ScalarType.Float64);
        using var windowKernel = OnWindowKernel(model);
        var folded = new Generator(model, NextFrame, chunkFrames: 3);
        var byForward = new Generator(windowKernel, NextFrame, chunkFrames: 3);

        // When free-running 10 frames without noise on the fold and frame by frame through forward
        var fold = CollectDoubles(sink => folded.FreeRun(prime, 10, new Feedback(0), seed: 0, sink));
        var reference = CollectDoubles(sink => byForward.FreeRun(prime, 10, new Feedback(0), seed: 0, sink));

        // Then the fold ran, and the frames agree to float64 rounding
        Assert.True(folded.UsesFold(new Feedback(0), 10));
        Assert.False(byForward.UsesFold(new Feedback(0), 10));
        Assert.Equal(10 * Features, fold.Length);
        Assert.Equal(reference.Length, fold.Length);
        for (var i = 0; i < fold.Length; i++)
            Assert.True(Math.Abs(reference[i] - fold[i]) <= 1e-12, $"element {i}: expected {reference[i]}, got {fold[i]}");
    }

    [Fact]
    public void Should_free_run_a_float32_lstm_on_the_fold_as_frame_by_frame_through_forward()
    {
        // Given the float32 LSTM generate runs (peepholes), a 4-frame prime and chunks of 3
        var spec = new ModelSpec { Arch = Architecture.Lstm, InputSize = Features, OutputSize = Features, HiddenSize = 16 };
        manual_seed(12);
        using var model = ModelFactory.Create(spec);
        using var prime = Frames(4, seed: 10);

        // When free-running 10 frames on the fold and frame by frame through forward
        var fold = Collect(sink => new Generator(model, NextFrame, chunkFrames: 3).FreeRun(prime, 10, new Feedback(0), seed: 0, sink));
        using var windowKernel = OnWindowKernel(model);
        var reference = Collect(sink => new Generator(windowKernel, NextFrame, chunkFrames: 3).FreeRun(prime, 10, new Feedback(0), seed: 0, sink));

        // Then the frames agree to float32 rounding
        AssertClose(reference, fold, 1e-5f);
    }

    [Fact]
    public void Should_free_run_a_noisy_lstm_frame_by_frame()
    {
        // Given an LSTM and a prime, and noise σ = 0.3
        using var model = Lstm(1, true);
        using var prime = Frames(5, seed: 11, ScalarType.Float64);
        var generator = new Generator(model, NextFrame, chunkFrames: 3);

        // When generating with noise on the default generator, on one with the fold switched
        // off, and without noise
        var noisy = CollectDoubles(sink => generator.FreeRun(prime, 10, new Feedback(0.3), seed: 4, sink));
        using var windowKernel = OnWindowKernel(model);
        var byForward = CollectDoubles(sink => new Generator(windowKernel, NextFrame, chunkFrames: 3).FreeRun(prime, 10, new Feedback(0.3), seed: 4, sink));
        var clean = CollectDoubles(sink => generator.FreeRun(prime, 10, new Feedback(0), seed: 4, sink));

        // Then the noisy run did not use the fold, is exactly the frame-by-frame run, and the noise changed the frames
        Assert.False(generator.UsesFold(new Feedback(0.3), 10));
        Assert.Equal(byForward, noisy);
        Assert.True(noisy.Zip(clean).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }

    [Theory]
    [InlineData(Readout.Residual)]
    [InlineData(Readout.Scaled)]
    public void Should_free_run_an_lstm_with_a_residual_readout_by_feeding_back_its_whole_prediction(Readout readout)
    {
        // Given a float64 LSTM whose residual readout has a random head (and gains), a 5-frame prime, and chunks of 3
        manual_seed(15);
        using var model = ModelTestKit.Build(new ModelSpec { Arch = Architecture.Lstm, InputSize = Features, OutputSize = Features, HiddenSize = 8, Readout = readout });
        var random = new TorchSharp.torch.Generator(16);
        foreach (var name in new[] { "head.weight", "head.bias", "skip" }.Where(n => model.named_parameters().Any(p => p.name == n)))
            ModelTestKit.Set(model, name, ModelTestKit.Random(random, ScalarType.Float64, ModelTestKit.Param(model, name).shape).data<double>().ToArray());
        using var prime = Frames(5, seed: 17, ScalarType.Float64);
        var generator = new Generator(model, NextFrame, chunkFrames: 3);

        // When free-running 10 frames without noise, and by hand: forward over the prime, then each
        // prediction ŷ_t = s ⊙ x_t + head(h_t), skip included, fed back as the next input
        var generated = CollectDoubles(sink => generator.FreeRun(prime, 10, new Feedback(0), seed: 0, sink));
        var expected = new List<double>();
        using (no_grad())
        {
            var (output, state) = model.forward(prime.unsqueeze(1), null);
            var current = output[^1..];
            for (var i = 0; i < 10; i++)
            {
                expected.AddRange(current.reshape(-1).data<double>().ToArray());
                (current, state) = model.forward(current, state);
            }
        }

        // Then the run went frame by frame (the skip's x_t does not fold into the recurrence) and made those frames
        Assert.False(generator.UsesFold(new Feedback(0), 10));
        Assert.Equal(expected.Count, generated.Length);
        for (var i = 0; i < generated.Length; i++)
            Assert.True(Math.Abs(expected[i] - generated[i]) <= 1e-12, $"element {i}: expected {expected[i]}, got {generated[i]}");
    }

    [Fact]
    public void Should_hold_no_more_tensors_after_many_chunks_on_the_fold_and_none_after_the_run()
    {
        // Given a noiseless LSTM free run of 200 chunks of 4 frames, on the fold
        using var model = Lstm(2, true);
        using var prime = Frames(5, seed: 8, ScalarType.Float64);
        var generator = new Generator(model, NextFrame, chunkFrames: 4);
        var live = new List<long>();
        var before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        // When counting the live tensors each time a chunk is handed over, and after the run
        generator.FreeRun(prime, 800, new Feedback(0), seed: 0, chunk => live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        var after = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        // Then the count at the last chunk is the count at the tenth, and the run left nothing behind
        Assert.True(generator.UsesFold(new Feedback(0), 800));
        Assert.Equal(200, live.Count);
        Assert.Equal(live[9], live[^2]);
        Assert.Equal(before, after);
    }

    /// <summary>A seeded float64 LSTM of 8 units on <see cref="Features"/> features.</summary>
    private static FrameModel Lstm(int layers, bool peepholes)
    {
        manual_seed(13 + layers);
        return ModelTestKit.Build(new ModelSpec { Arch = Architecture.Lstm, Peepholes = peepholes, InputSize = Features, OutputSize = Features, HiddenSize = 8, Layers = layers });
    }

    /// <summary>The same weights on the window kernel, which generation runs frame by frame (no fold).</summary>
    private static FrameModel OnWindowKernel(FrameModel model)
    {
        var copy = ModelFactory.Create(model.Spec, Kernel.Window);
        copy.to(model.parameters().First().dtype);
        copy.load_state_dict(model.state_dict());
        return copy;
    }

    private static double[] CollectDoubles(Action<Action<Tensor>> run)
    {
        var all = new List<double>();
        run(chunk =>
        {
            Assert.Equal(2, chunk.ndim);
            Assert.Equal(ScalarType.Float64, chunk.dtype);
            all.AddRange(chunk.contiguous().data<double>().ToArray());
        });
        return all.ToArray();
    }

    private static Tensor Frames(int count, long seed, ScalarType dtype = ScalarType.Float32)
    {
        using var g = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        return randn(new long[] { count, Features }, dtype: dtype, generator: g);
    }

    private static float[] Collect(Action<Action<Tensor>> run)
    {
        var all = new List<float>();
        run(chunk =>
        {
            Assert.Equal(2, chunk.ndim);
            all.AddRange(chunk.contiguous().data<float>().ToArray());
        });
        return all.ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
