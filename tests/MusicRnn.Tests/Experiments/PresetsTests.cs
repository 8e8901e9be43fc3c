using MusicRnn.Codecs;
using MusicRnn.Experiments;
using MusicRnn.Models;
using MusicRnn.Training;

namespace MusicRnn.Tests.Experiments;

public sealed class PresetsTests
{
    [Fact]
    public void Should_give_the_essay_code_preset_1025_updates_as_the_essays_code_made()
    {
        // Given the essay-code preset and a song longer than the frames it uses (30 s of 512-sample frames)
        var preset = Presets.EssayCode;
        int frames = CodecFactory.Create(preset.Data.Codec).FrameCount(30 * preset.Data.Codec.SampleRate);

        // When the runner counts the updates each model makes
        long updates = BenchRunner.UpdatesPerModel(preset, [frames]);

        // Then they are the essay's code's: windows starting at 0, 5, …, 1020 of the first 1024 frames, 5 epochs
        int starts = (Presets.EssayCodeStarts + preset.Training.Stride - 1) / preset.Training.Stride;
        Assert.Equal(205, starts);
        Assert.Equal(starts * 5L, updates);
        Assert.Equal(1025, updates);
    }

    [Fact]
    public void Should_set_the_essays_described_sizes_in_the_essay_preset()
    {
        // Given the essay preset
        var preset = Presets.Essay;

        // When its feature count and grid are read
        int features = CodecFactory.Create(preset.Data.Codec).FeatureCount;

        // Then it is the essay's text: 2048 fft features, 2048 hidden, windows of 200 every 5, 5 epochs of RMSProp, 4 archs × 1–3 layers
        Assert.Equal(2048, features);
        Assert.Equal(2048, preset.SpecFor(new GridCell(Architecture.Lstm, 1), features).HiddenSize);
        Assert.Equal((200, 5, 5, OptimizerKind.RmsProp), (preset.Training.Window, preset.Training.Stride, preset.Training.Epochs, preset.Training.Optimizer));
        Assert.Equal(12, preset.Cells().Count);
    }

    [Fact]
    public void Should_train_the_quick_preset_on_trains_default_stft_frames()
    {
        // Given the quick preset and the synthesized track it trains on without --audio
        var preset = Presets.Quick;
        var codec = CodecFactory.Create(preset.Data.Codec);
        int frames = codec.FrameCount((int)Math.Round(preset.TrackSeconds * preset.Data.Codec.SampleRate));

        // When its frames and updates are counted
        long updates = BenchRunner.UpdatesPerModel(preset, [frames]);

        // Then it uses train's default codec (log-magnitude STFT, 1024 samples every 256: 513 features),
        // 40 s of track, 3449 frames of which the last 10 % are held out, and 301 windows of 100 every
        // 10 per epoch, RMSProp 1e-3 with a weight decay of 1 and CW-RNNs of 2 modules
        Assert.Equal(new DataConfig { Audio = [] }.Codec, preset.Data.Codec);
        Assert.Equal(("stft", 1024, 256, 513), (codec.Name, codec.FrameLength, ((SpectralCodec)codec).Hop, codec.FeatureCount));
        Assert.Equal(40, preset.TrackSeconds);
        Assert.Equal(3449, frames);
        Assert.Equal((100, 10, 3, 128), (preset.Training.Window, preset.Training.Stride, preset.Training.Epochs, preset.Model.HiddenSize));
        Assert.Equal((1e-3, 1.0, 2), (preset.Training.LearningRate, preset.Training.WeightDecay, preset.Model.Modules));
        Assert.Equal(3 * 301L, updates);
    }

    [Fact]
    public void Should_leave_the_essay_presets_and_koutnik_without_weight_decay()
    {
        // Given every preset but quick, Then none decays its weights (the essay's RMSProp had none)
        Assert.All(Presets.Names.Where(n => n != "quick").Select(Presets.Get), p => Assert.Equal(0, p.Training.WeightDecay));
    }

    [Fact]
    public void Should_read_the_quick_grid_out_through_the_scaled_skip_and_every_essay_preset_through_the_plain_head()
    {
        // Given every preset's grid, sized for frames of 513 features
        var readouts = Presets.Names.Select(Presets.Get).Where(p => p.Task == BenchTask.Frames && p.Model.SampleLevel is null)
            .SelectMany(p => p.Cells().Select(c => (p.Preset, p.SpecFor(c, 513).Readout))).ToList();

        // Then the quick preset's models (the demo's) predict through train's default scaled skip,
        // and those of essay and essay-code through the essay's plain head
        Assert.Contains(readouts, r => r.Preset == "quick");
        Assert.All(readouts, r => Assert.Equal(r.Preset == "quick" ? Readout.Scaled : Readout.Plain, r.Readout));
        Assert.Equal(Readout.Plain, Presets.Koutnik.Model.Readout);
    }

    [Fact]
    public void Should_keep_the_essay_presets_on_the_essays_fft_frames_whatever_trains_default()
    {
        // Given the essay presets; Then their frames are the essay's full complex FFT (1024 and 512
        // samples, hop = frame), not train's default codec, with no spectral-codec setting
        Assert.Equal(new CodecSettings("fft", 1024, 22050), Presets.Essay.Data.Codec);
        Assert.Equal(new CodecSettings("fft", 512, 22050), Presets.EssayCode.Data.Codec);
        Assert.Equal((Target.Next, 0.1), (Presets.Essay.Data.Target, Presets.Essay.Data.ValidateFraction));
        Assert.Equal((Target.Reconstruct, 0.0, 1120), (Presets.EssayCode.Data.Target, Presets.EssayCode.Data.ValidateFraction, Presets.EssayCode.Data.MaxFrames));
        Assert.Equal((OptimizerKind.Adagrad, 1e-3, 0.0, 1024), (Presets.EssayCode.Training.Optimizer, Presets.EssayCode.Training.LearningRate, Presets.EssayCode.Training.Clip, Presets.EssayCode.Model.HiddenSize));
    }

    [Fact]
    public void Should_size_every_koutnik_model_near_its_budget_with_one_input_and_one_output()
    {
        // Given the koutnik preset's full grid
        var preset = Presets.Koutnik;

        // When each cell's model is sized
        var specs = preset.Cells().Select(c => (Cell: c, Spec: preset.SpecFor(c, 1))).ToList();

        // Then there are 4 architectures × 4 budgets, and every recurrent model but the coarse-grained
        // CW-RNN (widths in steps of its module count) lands within 15 % of its budget
        Assert.Equal(16, specs.Count);
        foreach (var (cell, spec) in specs.Where(s => s.Cell.Arch != Architecture.CwRnn))
            Assert.InRange(ParameterBudget.CountFree(spec), cell.Budget!.Value * 0.85, cell.Budget!.Value * 1.15);
    }

    [Fact]
    public void Should_start_koutnik_rnns_from_identity_and_gated_models_from_chrono_and_every_other_preset_from_the_default()
    {
        // Given every preset's grid
        // When each cell's model is sized
        var inits = Presets.Names.Select(Presets.Get)
            .SelectMany(p => p.Cells().Select(c => (p.Preset, c.Arch, Spec: p.SpecFor(c, 1)))).ToList();

        // Then koutnik's RNN starts from the identity, its LSTM and GRU from chrono biases over its
        // 320-step excerpt, its CW-RNN from the paper's Gaussian, and every model of the other presets
        // from the default
        foreach (var (preset, arch, spec) in inits)
        {
            var expected = (preset, arch) switch
            {
                ("koutnik", Architecture.Rnn) => RecurrentInit.Identity,
                ("koutnik", Architecture.Lstm or Architecture.Gru) => RecurrentInit.Chrono,
                _ => RecurrentInit.Default,
            };
            Assert.Equal(expected, spec.Init);
            spec.Validate();
        }
        Assert.Equal(Presets.Koutnik.ExcerptSamples, Presets.Koutnik.Model.ChronoSteps);
    }

    [Fact]
    public void Should_refuse_an_unknown_preset_naming_the_option()
    {
        // Given a preset name that does not exist
        // When it is looked up
        var e = Assert.Throws<InputException>(() => Presets.Get("fast"));

        // Then the message names --preset and the choices
        Assert.StartsWith("--preset:", e.Message, StringComparison.Ordinal);
        Assert.Contains("essay-code", e.Message, StringComparison.Ordinal);
    }
}
