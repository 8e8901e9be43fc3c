using System.Security.Cryptography;
using System.Text.Json;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Checkpoints;

/// <summary>
/// A checkpoint folder, the contract between training and generation (docs/ARCHITECTURE.md,
/// "Checkpoints"): config.json, weights.safetensors (float32, the model's parameters under
/// PyTorch's names and nothing else), normalizer.safetensors (normalizer.shift and
/// normalizer.scale, when the model space has statistics) and optimizer.safetensors. Saving is
/// atomic: the folder is written beside its target and swapped in by renames, so a crash at any
/// moment leaves either the old or the new checkpoint loadable. Version 1 checkpoints (the
/// normalizer's tensors inside weights.safetensors) load as if they were version 2.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>File name of the configuration.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>File name of the model's parameters.</summary>
    public const string WeightsFile = "weights.safetensors";

    /// <summary>File name of the normalizer's statistics (version 2; inside <see cref="WeightsFile"/> in version 1).</summary>
    public const string NormalizerFile = "normalizer.safetensors";

    /// <summary>File name of the optimizer's tensor state.</summary>
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>Name of the normalizer's shift in <see cref="NormalizerFile"/>.</summary>
    public const string NormalizerShift = "normalizer.shift";

    /// <summary>Name of the normalizer's scale in <see cref="NormalizerFile"/>.</summary>
    public const string NormalizerScale = "normalizer.scale";

    private Checkpoint(string directory, CheckpointConfig config, Dictionary<string, Tensor> weights, Dictionary<string, Tensor> normalizer,
        Dictionary<string, Tensor> optimizer)
    {
        Directory = directory;
        Config = config;
        Weights = weights;
        NormalizerTensors = normalizer;
        OptimizerTensors = optimizer;
    }

    /// <summary>The folder it was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The parsed config.json.</summary>
    public CheckpointConfig Config { get; }

    /// <summary>Model parameters by PyTorch name; float32 on the CPU.</summary>
    public IReadOnlyDictionary<string, Tensor> Weights { get; }

    /// <summary>The normalizer's shift and scale by name; empty when the model space has no statistics.</summary>
    public IReadOnlyDictionary<string, Tensor> NormalizerTensors { get; }

    /// <summary>Optimizer state tensors, named "{parameter}.{field}".</summary>
    public IReadOnlyDictionary<string, Tensor> OptimizerTensors { get; }

    /// <summary>
    /// Writes a checkpoint to <paramref name="directory"/> atomically, replacing any there.
    /// The <see cref="CheckpointConfig.Tensors"/> hashes are filled in here.
    /// </summary>
    /// <param name="directory">The checkpoint folder to create or replace.</param>
    /// <param name="config">The configuration to write (its tensor hashes are replaced).</param>
    /// <param name="weights">Parameters by name; stored as float32.</param>
    /// <param name="normalizer">The normalizer's shift and scale (<see cref="NormalizerShift"/>, <see cref="NormalizerScale"/>), or empty; stored as float32.</param>
    /// <param name="optimizer">Optimizer state tensors by name; stored as float32.</param>
    public static void Save(string directory, CheckpointConfig config, IReadOnlyDictionary<string, Tensor> weights,
        IReadOnlyDictionary<string, Tensor> normalizer, IReadOnlyDictionary<string, Tensor> optimizer) =>
        Save(directory, config, weights, normalizer, optimizer, beforeSwap: null);

    /// <summary>As <see cref="Save(string, CheckpointConfig, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, Tensor})"/>; <paramref name="beforeSwap"/> lets a test crash between moving the old checkpoint aside and moving the new one in.</summary>
    internal static void Save(string directory, CheckpointConfig config, IReadOnlyDictionary<string, Tensor> weights,
        IReadOnlyDictionary<string, Tensor> normalizer, IReadOnlyDictionary<string, Tensor> optimizer, Action? beforeSwap)
    {
        string target = Path.GetFullPath(directory);
        string temp = target + ".tmp";
        string old = target + ".old";
        int pause = TestPauseMilliseconds();
        if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
        System.IO.Directory.CreateDirectory(temp);

        var files = new SortedDictionary<string, IReadOnlyDictionary<string, Tensor>>(StringComparer.Ordinal)
        {
            [WeightsFile] = weights,
            [OptimizerFile] = optimizer,
        };
        if (normalizer.Count > 0) files[NormalizerFile] = normalizer;
        using (var scope = NewDisposeScope())
        {
            foreach (var (file, tensors) in files)
            {
                Safetensors.Save(Path.Combine(temp, file), AsFloat32(tensors));
                Thread.Sleep(pause);
            }
        }
        var hashed = config with
        {
            Version = CheckpointConfig.CurrentVersion,
            Tensors = new SortedDictionary<string, string>(files.ToDictionary(f => f.Key, f => Sha256Of(Path.Combine(temp, f.Key))), StringComparer.Ordinal),
        };
        // config.json is written last: a temp folder without it is visibly incomplete.
        using (var file = new FileStream(Path.Combine(temp, ConfigFile), FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, hashed, CheckpointConfig.JsonOptions);
            file.Flush(flushToDisk: true);
        }
        Thread.Sleep(pause);

        // The swap: at every instant either target or old is a complete checkpoint.
        if (System.IO.Directory.Exists(target))
        {
            if (System.IO.Directory.Exists(old)) System.IO.Directory.Delete(old, recursive: true);
            System.IO.Directory.Move(target, old);
        }
        Thread.Sleep(pause);
        beforeSwap?.Invoke();
        System.IO.Directory.Move(temp, target);
        Thread.Sleep(pause);
        if (System.IO.Directory.Exists(old)) System.IO.Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Test hook, inert unless set: MUSICRNN_TEST_PAUSE_IN_CHECKPOINT=MS makes every save sleep MS
    /// milliseconds after each of its steps (each tensor file written, config written,
    /// old checkpoint moved aside, new one moved in), so a kill-safety test can SIGKILL a real
    /// process in each of those states. Anything but a positive integer means no pause.
    /// </summary>
    private static int TestPauseMilliseconds() =>
        int.TryParse(Environment.GetEnvironmentVariable("MUSICRNN_TEST_PAUSE_IN_CHECKPOINT"), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out int ms) ? Math.Min(ms, 60_000) : 0;

    /// <summary>
    /// Reads and checks a checkpoint folder: format, version, and each tensor file's
    /// SHA-256. If a save was interrupted after the old checkpoint was moved aside, the old
    /// one is put back first. Every problem throws an <see cref="InputException"/>.
    /// </summary>
    public static Checkpoint Load(string directory)
    {
        string target = Path.GetFullPath(directory);
        Recover(target);
        string configPath = Path.Combine(target, ConfigFile);
        if (!File.Exists(configPath)) throw InputException.ForFile(directory, $"not a MusicRnn checkpoint (no {ConfigFile})");

        CheckpointConfig config;
        try
        {
            using var probe = JsonDocument.Parse(File.ReadAllBytes(configPath));
            var root = probe.RootElement;
            string? format = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            if (format != CheckpointConfig.FormatName)
                throw InputException.ForFile(configPath, $"not a MusicRnn checkpoint (format is '{format}', expected '{CheckpointConfig.FormatName}')");
            int version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : -1;
            if (version > CheckpointConfig.CurrentVersion)
                throw InputException.ForFile(configPath, $"checkpoint format version {version} is newer than this MusicRnn reads (version {CheckpointConfig.CurrentVersion}); use a newer MusicRnn");
            if (version < CheckpointConfig.OldestVersion)
                throw InputException.ForFile(configPath, $"checkpoint format version {(version < 0 ? "missing or not a whole number" : version)}; this MusicRnn reads versions {CheckpointConfig.OldestVersion} to {CheckpointConfig.CurrentVersion}");
            config = root.Deserialize<CheckpointConfig>(CheckpointConfig.JsonOptions)
                ?? throw InputException.ForFile(configPath, "empty configuration");
            // "required" only demands that a key be present; a hand-edited null would surface much later as a crash.
            (string Name, object? Value)[] sections =
            [
                ("objective", config.Objective?.Name), ("model", config.Model), ("codec", config.Codec), ("normalizer", config.Normalizer), ("data", config.Data?.Songs),
                ("training", config.Training), ("progress", config.Progress), ("optimizer", config.Optimizer?.Scalars), ("tensors", config.Tensors),
            ];
            string? missing = sections.FirstOrDefault(s => s.Value is null).Name;
            if (missing is not null) throw InputException.ForFile(configPath, $"section '{missing}' is null or incomplete");
        }
        catch (JsonException e)
        {
            throw InputException.ForFile(configPath, $"not a MusicRnn checkpoint: config.json is not valid ({e.Message})");
        }

        // Every file the config lists must be there and unchanged; the weights and the optimizer
        // state must be listed (the normalizer's file is listed when there are statistics).
        foreach (string file in config.Tensors.Keys.Union([WeightsFile, OptimizerFile]))
        {
            string path = Path.Combine(target, file);
            if (!File.Exists(path)) throw InputException.ForFile(path, "missing from the checkpoint");
            if (!config.Tensors.TryGetValue(file, out string? expected))
                throw InputException.ForFile(configPath, $"no SHA-256 recorded for {file}");
            string actual = Sha256Of(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw InputException.ForFile(path, $"SHA-256 is {actual}, config.json records {expected}: the file was changed or is corrupt");
        }

        var weights = Safetensors.Load(Path.Combine(target, WeightsFile));
        var normalizer = config.Tensors.ContainsKey(NormalizerFile) ? Safetensors.Load(Path.Combine(target, NormalizerFile)) : [];
        if (config.Version == 1)
        {
            // Version 1 kept the normalizer's statistics among the weights.
            foreach (var name in new[] { NormalizerShift, NormalizerScale })
                if (weights.Remove(name, out var tensor)) normalizer[name] = tensor;
            config = config with { Version = CheckpointConfig.CurrentVersion };
        }
        var optimizer = Safetensors.Load(Path.Combine(target, OptimizerFile));
        return new Checkpoint(target, config, weights, normalizer, optimizer);
    }

    /// <summary>The model's parameters under their PyTorch names, as <see cref="WeightsFile"/> stores them.</summary>
    public static Dictionary<string, Tensor> WeightsOf(FrameModel model)
    {
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.named_parameters()) weights[name] = parameter;
        return weights;
    }

    /// <summary>Copies the stored weights into <paramref name="model"/>; names and shapes must match exactly.</summary>
    public void LoadWeightsInto(FrameModel model)
    {
        string path = Path.Combine(Directory, WeightsFile);
        var parameters = model.named_parameters().ToArray();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            if (!Weights.TryGetValue(name, out var stored))
                throw InputException.ForFile(path, $"has no tensor '{name}', which the {model.Spec.Arch.ToString().ToLowerInvariant()} model needs");
            if (!stored.shape.SequenceEqual(parameter.shape))
                throw InputException.ForFile(path, $"tensor '{name}' has shape [{string.Join(", ", stored.shape)}], the model needs [{string.Join(", ", parameter.shape)}]");
            parameter.copy_(stored);
        }
        var extra = Weights.Keys.Except(parameters.Select(p => p.name)).FirstOrDefault();
        if (extra is not null) throw InputException.ForFile(path, $"tensor '{extra}' belongs to no parameter of the model");
    }

    /// <summary>Rebuilds the trained model from the spec in config.json and the stored weights, on <paramref name="device"/>.</summary>
    public FrameModel CreateModel(Device device)
    {
        var model = ModelFactory.Create(Config.Model);
        try
        {
            LoadWeightsInto(model);
            model.to(device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The normalizer the model space was defined with (a copy; the caller disposes it), or null when
    /// the checkpoint has no statistics (a model space that is the codec's own).
    /// </summary>
    public Normalizer? CreateNormalizer()
    {
        string path = Path.Combine(Directory, Config.Tensors.ContainsKey(NormalizerFile) ? NormalizerFile : WeightsFile);
        if (NormalizerTensors.Count == 0) return null;
        if (!NormalizerTensors.TryGetValue(NormalizerShift, out var shift) || !NormalizerTensors.TryGetValue(NormalizerScale, out var scale))
            throw InputException.ForFile(path, $"has no {NormalizerShift} / {NormalizerScale}");
        try
        {
            return Normalizer.FromTensors(Normalizer.ParseKind(Config.Normalizer.Kind), shift, scale);
        }
        catch (ArgumentException e)
        {
            throw InputException.ForFile(path, $"unusable normalizer: {e.Message}");
        }
    }

    /// <summary>The codec the training frames were made with.</summary>
    public IFrameCodec CreateCodec() => CodecFactory.Create(Config.Codec);

    /// <summary>The objective the model was trained under.</summary>
    /// <exception cref="InputException">An objective this MusicRnn does not know.</exception>
    public Objective CreateObjective()
    {
        try
        {
            return ObjectiveFactory.Create(Config.Objective.Name, Config.Data.Target, Config.Model);
        }
        catch (InputException e)
        {
            throw InputException.ForFile(Path.Combine(Directory, ConfigFile), e.Message);
        }
    }

    public void Dispose()
    {
        foreach (var t in Weights.Values) t.Dispose();
        foreach (var t in NormalizerTensors.Values) t.Dispose();
        foreach (var t in OptimizerTensors.Values) t.Dispose();
    }

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Finishes an interrupted swap: if only the moved-aside old folder exists, it becomes the checkpoint again.</summary>
    private static void Recover(string target)
    {
        string old = target + ".old";
        if (!System.IO.Directory.Exists(target) && System.IO.Directory.Exists(Path.Combine(old)) && File.Exists(Path.Combine(old, ConfigFile)))
            System.IO.Directory.Move(old, target);
    }

    private static Dictionary<string, Tensor> AsFloat32(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().to_type(ScalarType.Float32), StringComparer.Ordinal);
}
