using static TorchSharp.torch;
using Generator = MusicRnn.Generation.Generator;

namespace MusicRnn.Tests.Generation;

public sealed class GeneratorTests
{
    private const int Features = 6;

    [Fact]
    public void Should_equal_a_direct_forward_pass_when_teacher_forced()
    {
        // Given a model and 50 real frames, fed in chunks of 7 so the state must cross chunk edges
        using var model = new TinyRnn(Features);
        using var frames = Frames(50, seed: 3);
        var generator = new Generator(model, chunkFrames: 7);

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
        var generator = new Generator(model, chunkFrames: 4);

        // When free-running for 10 frames
        var generated = Collect(sink => generator.FreeRun(prime, 10, noise: 0, seed: 0, sink));

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
        var small = Collect(sink => new Generator(model, chunkFrames: 3).FreeRun(prime, 40, noise: 0.3, seed: 7, sink));
        var whole = Collect(sink => new Generator(model, chunkFrames: 256).FreeRun(prime, 40, noise: 0.3, seed: 7, sink));

        // Then both runs agree
        AssertClose(whole, small, 1e-5f);
    }

    [Fact]
    public void Should_repeat_with_the_same_seed_and_change_with_another_when_noisy()
    {
        // Given a model, a prime, and noise σ = 0.5
        using var model = new TinyRnn(Features);
        using var prime = Frames(5, seed: 6);
        var generator = new Generator(model, chunkFrames: 8);

        // When generating twice with seed 1 and once with seed 2
        var first = Collect(sink => generator.FreeRun(prime, 20, noise: 0.5, seed: 1, sink));
        var again = Collect(sink => generator.FreeRun(prime, 20, noise: 0.5, seed: 1, sink));
        var other = Collect(sink => generator.FreeRun(prime, 20, noise: 0.5, seed: 2, sink));

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
        var generator = new Generator(model);

        // When generating 3 frames
        var generated = Collect(sink => generator.FreeRun(prime, 3, noise: 0, seed: 0, sink));

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
        var generator = new Generator(model, chunkFrames: 4);
        var live = new List<long>();

        // When counting the live tensors each time a chunk is handed over
        generator.FreeRun(prime, 800, noise: 0.1, seed: 3, chunk => live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount));

        // Then the count at the last chunk is the count at the tenth: nothing accumulates across chunks
        Assert.Equal(200, live.Count);
        Assert.Equal(live[9], live[^2]);
    }

    private static Tensor Frames(int count, long seed)
    {
        using var g = new TorchSharp.torch.Generator(unchecked((ulong)seed));
        return randn(new long[] { count, Features }, generator: g);
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
