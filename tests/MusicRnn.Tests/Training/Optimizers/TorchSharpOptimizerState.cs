using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Training.Optimizers;

/// <summary>
/// The state of one of TorchSharp's own optimizers as MusicRnn's checkpoints stored it before
/// MusicRnn had its own: the public tensor and counter fields of TorchSharp's per-parameter state
/// objects, named "{parameter}.{field}" (the reflection the former TorchOptimizer used to write
/// optimizer.safetensors and config.json's optimizer scalars).
/// </summary>
internal static class TorchSharpOptimizerState
{
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) Save(
        OptimizerHelper optimizer, IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        var states = optimizer.state_dict().State;
        for (var i = 0; i < parameters.Count; i++)
        {
            foreach (var field in Fields(states[i]))
            {
                var key = $"{parameters[i].Name}.{field.Name}";
                switch (field.GetValue(states[i]))
                {
                    case Tensor t: tensors[key] = t; break;
                    case long v: scalars[key] = v; break;
                    case int v: scalars[key] = v; break;
                    case double v: scalars[key] = v; break;
                }
            }
        }
        return (tensors, scalars);
    }

    private static IEnumerable<FieldInfo> Fields(object state) =>
        state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(f => f.FieldType == typeof(Tensor) || f.FieldType == typeof(long) || f.FieldType == typeof(int) || f.FieldType == typeof(double))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
}
