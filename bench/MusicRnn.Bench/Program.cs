using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process: the benchmarks need TorchSharp's native library as patched in this build's
// output, which a separately generated benchmark project would not get.
var config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithWarmupCount(2)
        .WithIterationCount(5)
        .WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(MusicRnn.Bench.ModelBenchmarks).Assembly).Run(args, config);
