using BenchmarkDotNet.Attributes;
using MusicRnn.Models;
using MusicRnn.Performance;
using static TorchSharp.torch;

namespace MusicRnn.Bench;

/// <summary>
/// Forward and backward pass of one training window per architecture, at the sizes of the
/// essay's code: input = hidden = 1024, 100 steps, batch 1, 2 threads, float32 on the CPU.
/// The rows are <c>musicrnn perf</c>'s variants: MusicRnn's default path per architecture,
/// libtorch's fused kernels (<c>/libtorch</c>) and the window functions forced (<c>/window</c>).
/// <c>musicrnn perf</c> is the tool for the figures (interleaved runs, matmul rate,
/// GFLOP/s); this is the statistically careful micro-benchmark of the same calls.
/// </summary>
public class ModelBenchmarks
{
    private const int Size = 1024;
    private const int Steps = 100;

    private FrameModel model = null!;
    private Tensor input = null!;

    /// <summary>A <see cref="PerfVariant"/> name.</summary>
    [ParamsSource(nameof(Architectures))]
    public string Arch { get; set; } = "";

    public static IEnumerable<string> Architectures =>
        PerfVariant.Architectures.Concat(PerfVariant.LibtorchReferences).Concat(PerfVariant.WindowFunctions).Select(v => v.Name);

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        manual_seed(0);
        model = PerfVariant.Parse(Arch).Build(Size, 1);
        input = randn(Steps, 1, Size);
    }

    [Benchmark]
    public void ForwardBackward()
    {
        using var scope = NewDisposeScope();
        model.zero_grad();
        var (output, _) = model.forward(input, null);
        output.square().mean().backward();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        input.Dispose();
        model.Dispose();
    }
}
