using static TorchSharp.torch;

namespace MusicRnn.Models;

/// <summary>
/// The typed inputs of a window function: the tensors autograd differentiates through, and
/// whatever else the kernel needs (an activation, a clock, a workspace).
/// </summary>
internal abstract record WindowInputs
{
    /// <summary>
    /// The input tensors, handed to autograd one by one so it tracks each; the backward returns
    /// their gradients in this order (a trailing input it does not differentiate, such as a mask,
    /// gets none). An absent optional tensor is null.
    /// </summary>
    public abstract IReadOnlyList<Tensor?> Tensors { get; }
}

/// <summary>What a window function's forward keeps for its backward.</summary>
/// <typeparam name="TSelf">The record itself.</typeparam>
/// <remarks>
/// The tensors go to autograd's saved variables, which keep them alive past the caller's dispose
/// scope and without the reference cycle an output held by the context would make; the context
/// itself keeps only a copy without tensors (<see cref="Restore"/> of nulls), and the backward
/// gets the record back with the tensors autograd kept.
/// </remarks>
internal abstract record WindowSaved<TSelf> where TSelf : WindowSaved<TSelf>
{
    /// <summary>The tensors, in the order <see cref="Restore"/> takes them (null where absent).</summary>
    public abstract IReadOnlyList<Tensor?> Tensors { get; }

    /// <summary>This record with <see cref="Tensors"/> replaced, in order, by <paramref name="tensors"/>.</summary>
    public abstract TSelf Restore(IReadOnlyList<Tensor?> tensors);
}

/// <summary>
/// The plumbing every window function shares (docs/ARCHITECTURE.md, Models): a whole window of
/// a recurrent layer as one autograd node, with typed inputs and saved state, one set of Scalars
/// per call (<see cref="KernelScalars"/>), a dispose scope around the backward, and the gradient
/// list padded to the inputs autograd was given.
/// </summary>
/// <remarks>
/// TorchSharp's <c>MultiTensorFunction</c> takes its inputs as <c>object[]</c> and wants one
/// gradient (or null) back per element. Here the input tensors come first, one element each, and
/// the typed <typeparamref name="TInputs"/> rides along as the last element: autograd sees every
/// tensor, the kernel reads named fields, and the padding of the gradient list is done once, here.
/// </remarks>
internal abstract class WindowFunction<TSelf, TInputs, TSaved> : autograd.MultiTensorFunction<TSelf>
    where TSelf : WindowFunction<TSelf, TInputs, TSaved>, new()
    where TInputs : WindowInputs
    where TSaved : WindowSaved<TSaved>
{
    private const string SavedKey = "saved";
    private const string InputCountKey = "inputs";

    /// <summary>Runs the window through autograd; returns the kernel's outputs.</summary>
    public static List<Tensor> Run(TInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return apply([.. inputs.Tensors, inputs]);
    }

    public sealed override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var inputs = (TInputs)vars[^1];
        using var scalars = new KernelScalars();
        var (outputs, saved) = Forward(inputs, scalars);
        ctx.save_for_backward([.. saved.Tensors]);
        ctx.save_data(SavedKey, saved.Restore(new Tensor?[saved.Tensors.Count]));
        ctx.save_data(InputCountKey, vars.Length);
        return outputs;
    }

    public sealed override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        var saved = ((TSaved)ctx.get_data(SavedKey)).Restore(ctx.get_saved_variables());
        var inputCount = (int)ctx.get_data(InputCountKey);
        // The engine may call this on its own thread: a local scope frees the intermediates,
        // and only the gradients leave it.
        using var scope = NewDisposeScope();
        using var scalars = new KernelScalars();
        var gradients = Backward(saved, grad_outputs, scalars);
        foreach (var g in gradients) g?.MoveToOuterDisposeScope();
        if (gradients.Count > inputCount)
            throw new InvalidOperationException($"{Name} returned {gradients.Count} gradients for {inputCount} inputs");
        // The inputs without a gradient (a mask, the typed inputs): null each.
        return [.. gradients.Select(g => g!), .. Enumerable.Repeat<Tensor>(null!, inputCount - gradients.Count)];
    }

    /// <summary>The window's forward, without a graph: its outputs and what the backward needs.</summary>
    protected abstract (List<Tensor> Outputs, TSaved Saved) Forward(TInputs inputs, KernelScalars scalars);

    /// <summary>The gradients of the leading input tensors, in the order of <see cref="WindowInputs.Tensors"/>.</summary>
    protected abstract List<Tensor?> Backward(TSaved saved, IReadOnlyList<Tensor> gradOutputs, KernelScalars scalars);
}
