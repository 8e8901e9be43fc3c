using MusicRnn.Checkpoints;
using MusicRnn.Audio;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Generation;

/// <summary>
/// A small untrained checkpoint, written the way training writes one, next to the song it claims
/// to be trained on: 2 s of a seeded chord with noise at 8 kHz, a 1-layer RNN of 8 units on
/// 64-sample frames. Untrained weights are enough: generation must reproduce the model, whatever it learned.
/// </summary>
internal sealed class CheckpointFixture : IDisposable
{
    public const int Rate = 8000;
    public const int Frame = 64;

    private readonly TempDir dir = new();

    /// <param name="codecName">Codec of the checkpoint.</param>
    /// <param name="arch">Architecture of its model.</param>
    /// <param name="adjust">Changes the model's weights before they are saved.</param>
    /// <param name="song">The training song at <see cref="Rate"/>; null = the seeded chord.</param>
    /// <param name="validate">Fraction of the song held out.</param>
    public CheckpointFixture(string codecName = "rfft", Architecture arch = Architecture.Rnn, Action<FrameModel>? adjust = null, float[]? song = null, double validate = 0.1)
    {
        Codec = CodecFactory.Create(codecName, Frame);
        var random = new Random(3);
        Song = song ?? Enumerable.Range(0, 2 * Rate)
            .Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 220 * i / Rate) + 0.2 * Math.Sin(2 * Math.PI * 331 * i / Rate) + 0.02 * (random.NextDouble() - 0.5)))
            .ToArray();
        SongPath = dir.File("song.wav");
        AudioFile.WriteWav(SongPath, Song, Rate, SampleFormat.F32);
        // Read back so the fixture's frames are exactly what generation will read.
        Song = AudioFile.ReadMono(SongPath, Rate);

        Spec = new ModelSpec { Arch = arch, InputSize = Codec.FeatureCount, OutputSize = Codec.FeatureCount, HiddenSize = 8, Layers = 1 };
        manual_seed(7);
        Model = ModelFactory.Create(Spec);
        adjust?.Invoke(Model);
        using var frames = Codec.Encode(Song);
        Normalizer = Normalizer.Fit(NormalizerKind.ZScore, frames);
        var config = new CheckpointConfig
        {
            Model = Spec,
            Codec = new CodecSettings(Codec.Name, Frame, Rate),
            Normalizer = new NormalizerSettings("zscore"),
            Data = new DataSettings(Target.Next, validate, [new SongRecord(SongPath, Checkpoint.Sha256Of(SongPath), (int)frames.shape[0])]),
            Training = new TrainingConfig(),
            Progress = new ProgressSettings(1, 10, 1.0, 0),
            Optimizer = new OptimizerSettings("rmsprop", new Dictionary<string, double>()),
            Tensors = new Dictionary<string, string>(),
        };
        // Where train puts it: the run folder's checkpoint/.
        RunDir = dir.File("run");
        ModelDir = Path.Combine(RunDir, "checkpoint");
        var normalizer = new Dictionary<string, Tensor> { [Checkpoint.NormalizerShift] = Normalizer.Shift, [Checkpoint.NormalizerScale] = Normalizer.Scale };
        Checkpoint.Save(ModelDir, config, Checkpoint.WeightsOf(Model), normalizer, new Dictionary<string, Tensor>());
    }

    public IFrameCodec Codec { get; }

    public float[] Song { get; }

    public string SongPath { get; }

    public ModelSpec Spec { get; }

    public FrameModel Model { get; }

    public Normalizer Normalizer { get; }

    public string ModelDir { get; }

    public string RunDir { get; }

    public string File(string name) => dir.File(name);

    public void Dispose()
    {
        Model.Dispose();
        Normalizer.Dispose();
        dir.Dispose();
    }
}
