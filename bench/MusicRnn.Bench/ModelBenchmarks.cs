using BenchmarkDotNet.Attributes;
using MusicRnn.Models;
using static TorchSharp.torch;

namespace MusicRnn.Bench;

/// <summary>
/// Forward and backward pass of one training window per architecture, at the sizes of the
/// essay's code and DESIGN.md §1's custom-function figure: input = hidden = 1024, 100 steps,
/// batch 1, 2 threads, float32 on the CPU. Fused architectures are also timed on the
/// explicit cells, to show what libtorch's kernels buy.
/// </summary>
public class ModelBenchmarks
{
    private const int Size = 1024;
    private const int Steps = 100;

    private FrameModel model = null!;
    private Tensor input = null!;

    /// <summary>Architecture label: name, variant, and "/cells" when forced off the fused kernel.</summary>
    [ParamsSource(nameof(Architectures))]
    public string Arch { get; set; } = "";

    public static IEnumerable<string> Architectures =>
    [
        "rnn", "rnn/cells", "rnn-sigmoid",
        "lstm-plain", "lstm-plain/cells", "lstm-peepholes",
        "gru-after", "gru-after/cells", "gru-before",
        "cw-rnn",
    ];

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        manual_seed(0);
        var baseSpec = new ModelSpec { InputSize = Size, OutputSize = Size, HiddenSize = Size, Layers = 1 };
        var name = Arch.Split('/')[0];
        var spec = name switch
        {
            "rnn" => baseSpec with { Arch = Architecture.Rnn },
            "rnn-sigmoid" => baseSpec with { Arch = Architecture.Rnn, Activation = Activation.Sigmoid },
            "lstm-plain" => baseSpec with { Arch = Architecture.Lstm, Peepholes = false },
            "lstm-peepholes" => baseSpec with { Arch = Architecture.Lstm },
            "gru-after" => baseSpec with { Arch = Architecture.Gru, GruReset = GruReset.After },
            "gru-before" => baseSpec with { Arch = Architecture.Gru },
            "cw-rnn" => baseSpec with { Arch = Architecture.CwRnn },
            _ => throw new ArgumentException($"unknown architecture {Arch}"),
        };
        model = ModelFactory.Create(spec, preferFused: !Arch.EndsWith("/cells", StringComparison.Ordinal));
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
