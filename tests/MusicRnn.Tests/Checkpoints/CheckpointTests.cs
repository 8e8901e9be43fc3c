using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MusicRnn.Checkpoints;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Checkpoints;

public sealed class CheckpointTests
{
    private const int Features = 6;
    private const int Hidden = 5;

    private static ModelSpec LstmSpec => new()
    {
        Arch = Architecture.Lstm, InputSize = Features, OutputSize = Features, HiddenSize = Hidden, Layers = 2, Peepholes = true,
    };

    private static CheckpointConfig Config(ModelSpec spec, int epoch) => new()
    {
        Model = spec,
        Codec = new CodecSettings("rfft", 6, 22050),
        Normalizer = new NormalizerSettings("zscore"),
        Data = new DataSettings(Target.Next, 0.1, [new SongRecord("/music/a.wav", new string('0', 64), 100)]),
        Training = new TrainingConfig(),
        Progress = new ProgressSettings(epoch, epoch * 10L, epoch * 1.5, 0),
        Optimizer = new OptimizerSettings("rmsprop", new Dictionary<string, double> { ["head.bias.step"] = epoch * 10 }),
        Tensors = new Dictionary<string, string>(),
    };

    private static void SaveModel(string directory, FrameModel model, int epoch, Action? beforeSwap = null)
    {
        using var scope = NewDisposeScope();
        var weights = Checkpoint.WeightsOf(model);
        var normalizer = new Dictionary<string, Tensor> { [Checkpoint.NormalizerShift] = zeros(Features), [Checkpoint.NormalizerScale] = ones(Features) };
        var optimizer = new Dictionary<string, Tensor> { ["head.bias.square_avg"] = full(Features, (float)epoch) };
        Checkpoint.Save(directory, Config(model.Spec, epoch), weights, normalizer, optimizer, beforeSwap);
    }

    [Fact]
    public void Should_store_float32_weights_under_pytorch_names_that_an_independent_parser_reads()
    {
        // Given a 2-layer peephole LSTM saved as a checkpoint
        using var dir = new TempDir();
        manual_seed(3);
        using var model = ModelFactory.Create(LstmSpec);
        SaveModel(dir.File("ckpt"), model, epoch: 1);

        // When the file is read with a parser written here from the safetensors spec alone
        var tensors = ParseSafetensors(File.ReadAllBytes(Path.Combine(dir.File("ckpt"), Checkpoint.WeightsFile)));

        // Then names, dtypes and shapes are docs/ARCHITECTURE.md's (Checkpoints) (LSTM gates i, f, g, o stacked: 4H rows)
        var expected = new Dictionary<string, long[]>
        {
            ["rnn.weight_ih_l0"] = [4 * Hidden, Features], ["rnn.weight_hh_l0"] = [4 * Hidden, Hidden],
            ["rnn.bias_ih_l0"] = [4 * Hidden], ["rnn.bias_hh_l0"] = [4 * Hidden],
            ["rnn.peephole_i_l0"] = [Hidden], ["rnn.peephole_f_l0"] = [Hidden], ["rnn.peephole_o_l0"] = [Hidden],
            ["rnn.weight_ih_l1"] = [4 * Hidden, Hidden], ["rnn.weight_hh_l1"] = [4 * Hidden, Hidden],
            ["rnn.bias_ih_l1"] = [4 * Hidden], ["rnn.bias_hh_l1"] = [4 * Hidden],
            ["rnn.peephole_i_l1"] = [Hidden], ["rnn.peephole_f_l1"] = [Hidden], ["rnn.peephole_o_l1"] = [Hidden],
            ["head.weight"] = [Features, Hidden], ["head.bias"] = [Features],
        };
        Assert.Equal(expected.Keys.Order(), tensors.Keys.Order());
        foreach (var (name, shape) in expected)
        {
            Assert.Equal("F32", tensors[name].Dtype);
            Assert.Equal(shape, tensors[name].Shape);
        }
        // and the bytes are the model's values
        var headWeight = model.named_parameters().Single(p => p.name == "head.weight").parameter.data<float>().ToArray();
        Assert.Equal(headWeight, tensors["head.weight"].Values);
    }

    [Theory]
    [InlineData(Architecture.Gru, "rnn.weight_ih_l0:15x6 rnn.weight_hh_l0:15x5 rnn.bias_ih_l0:15 rnn.bias_hh_l0:15")]
    [InlineData(Architecture.Rnn, "rnn.weight_ih_l0:5x6 rnn.weight_hh_l0:5x5 rnn.bias_ih_l0:5 rnn.bias_hh_l0:5")]
    [InlineData(Architecture.CwRnn, "rnn.weight_ih_l0:5x6 rnn.weight_hh_l0:5x5 rnn.bias_ih_l0:5 rnn.bias_hh_l0:5")]
    [InlineData(Architecture.Mlp, "ff.0.weight:5x6 ff.0.bias:5")]
    [InlineData(Architecture.LogReg, "")]
    public void Should_name_every_architectures_tensors_as_the_design_says(Architecture arch, string layerTensors)
    {
        // Given a one-layer model of each architecture (a CW-RNN of 5 one-unit modules)
        using var dir = new TempDir();
        var spec = LstmSpec with { Arch = arch, Layers = 1, Modules = 5 };
        using var model = ModelFactory.Create(spec);
        SaveModel(dir.File("ckpt"), model, epoch: 1);

        // When reading the weights file independently
        var tensors = ParseSafetensors(File.ReadAllBytes(Path.Combine(dir.File("ckpt"), Checkpoint.WeightsFile)));

        // Then the names and shapes are docs/ARCHITECTURE.md's (Checkpoints) (GRU gates r, z, n: 3H rows; logistic regression: only the head, I → O)
        var expected = layerTensors.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Split(':'))
            .ToDictionary(t => t[0], t => t[1].Split('x').Select(long.Parse).ToArray());
        expected["head.weight"] = [Features, arch == Architecture.LogReg ? Features : Hidden];
        expected["head.bias"] = [Features];
        Assert.Equal(expected.Keys.Order(), tensors.Keys.Order());
        foreach (var (name, shape) in expected) Assert.Equal(shape, tensors[name].Shape);
        if (arch == Architecture.CwRnn)
        {
            // and the CW-RNN's recurrent matrix is stored full with the entries its mask removes exactly 0:
            // module i (row) hears only modules j >= i (columns), so everything below the diagonal is masked
            var hh = tensors["rnn.weight_hh_l0"].Values;
            for (int i = 0; i < Hidden; i++)
                for (int j = 0; j < i; j++) Assert.Equal(0f, hh[i * Hidden + j]);
        }
    }

    [Fact]
    public void Should_load_back_what_was_saved()
    {
        // Given a saved model
        using var dir = new TempDir();
        manual_seed(4);
        using var original = ModelFactory.Create(LstmSpec);
        SaveModel(dir.File("ckpt"), original, epoch: 3);

        // When loading it into a differently initialised model of the same spec
        manual_seed(5);
        using var restored = ModelFactory.Create(LstmSpec);
        using var checkpoint = Checkpoint.Load(dir.File("ckpt"));
        checkpoint.LoadWeightsInto(restored);

        // Then every parameter, the config and the optimizer state come back
        foreach (var ((_, a), (_, b)) in original.named_parameters().Zip(restored.named_parameters()))
            Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.Equal(3, checkpoint.Config.Progress.Epoch);
        Assert.Equal(LstmSpec.HiddenSize, checkpoint.Config.Model.HiddenSize);
        Assert.Equal(30.0, checkpoint.Config.Optimizer.Scalars["head.bias.step"]);
        Assert.Equal(3f, checkpoint.OptimizerTensors["head.bias.square_avg"][0].item<float>());
    }

    [Fact]
    public void Should_rebuild_the_model_normalizer_and_codec_it_was_trained_with()
    {
        // Given a saved model
        using var dir = new TempDir();
        manual_seed(6);
        using var original = ModelFactory.Create(LstmSpec);
        SaveModel(dir.File("ckpt"), original, epoch: 1);

        // When rebuilding everything from the folder alone
        using var checkpoint = Checkpoint.Load(dir.File("ckpt"));
        using var model = checkpoint.CreateModel(CPU);
        using var normalizer = checkpoint.CreateNormalizer()!;
        var codec = checkpoint.CreateCodec();

        // Then the model computes what the original did, and the normalizer and codec are the saved ones
        using var input = rand(7, 1, Features);
        using var noGrad = no_grad();
        var (expected, _) = original.forward(input, null);
        var (actual, _) = model.forward(input, null);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
        Assert.Equal(MusicRnn.Codecs.NormalizerKind.ZScore, normalizer.Kind);
        Assert.Equal("rfft", codec.Name);
        Assert.Equal(Features, codec.FeatureCount);
    }

    [Fact]
    public void Should_rebuild_a_scaled_readout_from_the_checkpoint_alone()
    {
        // Given a GRU with the scaled readout whose gain and head have moved from their start, saved
        using var dir = new TempDir();
        manual_seed(7);
        using var original = ModelFactory.Create(LstmSpec with { Arch = Architecture.Gru, Readout = Readout.Scaled });
        using (no_grad())
        {
            foreach (var (name, p) in original.named_parameters().Where(p => p.name is "skip" or "head.weight" or "head.bias"))
                p.copy_(rand(p.shape));
        }
        SaveModel(dir.File("ckpt"), original, epoch: 1);

        // When config.json is read as text and the model rebuilt from the folder
        var json = File.ReadAllText(Path.Combine(dir.File("ckpt"), Checkpoint.ConfigFile));
        using var checkpoint = Checkpoint.Load(dir.File("ckpt"));
        using var model = checkpoint.CreateModel(CPU);

        // Then the readout is in config.json under its command-line name, the gain is stored as skip [O],
        // and the rebuilt model computes what the original did
        Assert.Contains("\"readout\": \"scaled\"", json);
        Assert.Equal(Readout.Scaled, checkpoint.Config.Model.Readout);
        var tensors = ParseSafetensors(File.ReadAllBytes(Path.Combine(dir.File("ckpt"), Checkpoint.WeightsFile)));
        Assert.Equal([Features], tensors["skip"].Shape);
        using var input = rand(7, 1, Features);
        using var noGrad = no_grad();
        var (expected, _) = original.forward(input, null);
        var (actual, _) = model.forward(input, null);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void Should_read_a_config_without_a_readout_as_the_plain_head()
    {
        // Given a saved checkpoint whose config.json has its readout removed, as every checkpoint written before readouts existed
        using var dir = new TempDir();
        manual_seed(8);
        using var original = ModelFactory.Create(LstmSpec);
        SaveModel(dir.File("ckpt"), original, epoch: 1);
        var path = Path.Combine(dir.File("ckpt"), Checkpoint.ConfigFile);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(config["model"]!.AsObject().Remove("readout"));
        File.WriteAllText(path, config.ToJsonString());

        // When it is loaded
        using var checkpoint = Checkpoint.Load(dir.File("ckpt"));

        // Then its model has the plain head, the only readout there was
        Assert.Equal(Readout.Plain, checkpoint.Config.Model.Readout);
    }

    [Fact]
    public void Should_keep_the_old_checkpoint_loadable_when_a_save_crashes_before_the_swap()
    {
        // Given a checkpoint of epoch 1
        using var dir = new TempDir();
        using var model = ModelFactory.Create(LstmSpec);
        SaveModel(dir.File("ckpt"), model, epoch: 1);

        // When saving epoch 2 dies after the old folder was moved aside, before the new one moved in
        Assert.Throws<IOException>(() => SaveModel(dir.File("ckpt"), model, epoch: 2, beforeSwap: () => throw new IOException("power cut")));
        Assert.False(Directory.Exists(dir.File("ckpt")));

        // Then loading recovers epoch 1, intact
        using var checkpoint = Checkpoint.Load(dir.File("ckpt"));
        Assert.Equal(1, checkpoint.Config.Progress.Epoch);
        Assert.True(Directory.Exists(dir.File("ckpt")));

        // and the next save succeeds over the debris
        SaveModel(dir.File("ckpt"), model, epoch: 2);
        using var next = Checkpoint.Load(dir.File("ckpt"));
        Assert.Equal(2, next.Config.Progress.Epoch);
    }

    [Fact]
    public void Should_reject_a_tensor_file_that_changed_after_saving()
    {
        // Given a checkpoint whose weights file has one byte flipped
        using var dir = new TempDir();
        using var model = ModelFactory.Create(LstmSpec);
        SaveModel(dir.File("ckpt"), model, epoch: 1);
        string weights = Path.Combine(dir.File("ckpt"), Checkpoint.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(weights, bytes);

        // When loading it
        var e = Assert.Throws<InputException>(() => Checkpoint.Load(dir.File("ckpt")));

        // Then the message names the file and the hash
        Assert.Contains(Checkpoint.WeightsFile, e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Theory]
    [InlineData("{\"hello\": 1}", "not a MusicRnn checkpoint")]
    [InlineData("{\"format\": \"musicrnn-checkpoint\", \"version\": 7}", "version 7")]
    [InlineData("not json", "not a MusicRnn checkpoint")]
    public void Should_reject_a_config_that_is_not_a_checkpoint_this_version_reads(string json, string expected)
    {
        // Given a folder whose config.json is something else
        using var dir = new TempDir();
        File.WriteAllText(dir.File(Checkpoint.ConfigFile), json);

        // When loading it, then the message says what is wrong
        var e = Assert.Throws<InputException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Should_reject_a_folder_without_a_config()
    {
        // Given an empty folder, when loading it, then it is not a checkpoint
        using var dir = new TempDir();
        var e = Assert.Throws<InputException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("not a MusicRnn checkpoint", e.Message);
    }

    private sealed record Entry(string Dtype, long[] Shape, float[] Values);

    /// <summary>safetensors: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, then the data.</summary>
    private static Dictionary<string, Entry> ParseSafetensors(byte[] file)
    {
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)n));
        var result = new Dictionary<string, Entry>();
        long expectedOffset = 0;
        foreach (var p in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").OrderBy(p => p.Value.GetProperty("data_offsets")[0].GetInt64()))
        {
            long begin = p.Value.GetProperty("data_offsets")[0].GetInt64(), end = p.Value.GetProperty("data_offsets")[1].GetInt64();
            Assert.Equal(expectedOffset, begin); // packed, no gaps
            expectedOffset = end;
            var values = new float[(end - begin) / 4];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(8 + n + begin + 4 * i), 4));
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b), values.Length);
            result[p.Name] = new Entry(p.Value.GetProperty("dtype").GetString()!, shape, values);
        }
        Assert.Equal(file.Length - 8 - n, expectedOffset);
        return result;
    }
}
