using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

// Finds the TorchSharp members that create a Scalar inside themselves and hand it to libtorch
// without keeping it alive: a conversion to Scalar (implicit or a cast), ToScalar() not owned by a
// using, or a call of such a member (to a fixed point). Writes docId, rule, reason, safe form per
// line; gen_table.py turns that into src/MusicRnn.Analyzers/TemporaryScalarMembers.cs.
// Usage: dotnet run -- TORCHSHARP/src/TorchSharp members.tsv
if (args.Length != 2) { Console.Error.WriteLine("usage: Scan TORCHSHARP_SRC_DIR OUT.tsv"); return 2; }
var root = args[0];
var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
    .Where(f => !f.Contains("TorchVision") && !f.EndsWith("netstandard.cs")).ToList();
var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: ["NET6_0_OR_GREATER", "NET8_0_OR_GREATER"]), f)).ToList();
// The running runtime's assemblies stand in for reference assemblies: only binding matters.
var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p)).ToList();
var comp = CSharpCompilation.Create("TorchSharp", trees, refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
var scalar = comp.GetTypeByMetadataName("TorchSharp.Scalar")!;
var ext = comp.GetTypeByMetadataName("TorchSharp.ScalarExtensionMethods")!;
// member -> temporaries: (reason, parameter ordinal the number came from or -1)
var direct = new Dictionary<IMethodSymbol, List<(string Reason, int Param)>>(SymbolEqualityComparer.Default);
var calls = new Dictionary<IMethodSymbol, List<(IMethodSymbol Callee, IInvocationOrOp Site)>>(SymbolEqualityComparer.Default);
foreach (var tree in trees)
{
    var model = comp.GetSemanticModel(tree);
    foreach (var decl in tree.GetRoot().DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax))
    {
        if (model.GetDeclaredSymbol(decl) is not IMethodSymbol m) continue;
        var op = model.GetOperation(decl);
        if (op is null) continue;
        var temps = new List<(string, int)>();
        var cl = new List<(IMethodSymbol, IInvocationOrOp)>();
        foreach (var o in op.DescendantsAndSelf())
        {
            if (o is IConversionOperation conv && SymbolEqualityComparer.Default.Equals(conv.Type, scalar)
                && conv.Operand.Type is { } from && !SymbolEqualityComparer.Default.Equals(from, scalar) && conv.OperatorMethod is not null)
            {
                if (Owned(conv)) continue;
                var src = Unwrap(conv.Operand);
                var p = src is IParameterReferenceOperation pr ? pr.Parameter.Ordinal : -1;
                temps.Add((Describe(conv, m, src), p));
            }
            else if (o is IInvocationOperation inv && SymbolEqualityComparer.Default.Equals(inv.TargetMethod.ContainingType, ext)
                     && inv.TargetMethod.Name.StartsWith("To") && SymbolEqualityComparer.Default.Equals(inv.TargetMethod.ReturnType, scalar))
            {
                if (Owned(inv)) continue;
                var src = Unwrap(inv.Arguments[0].Value);
                var p = src is IParameterReferenceOperation pr ? pr.Parameter.Ordinal : -1;
                temps.Add(($"makes {src.Syntax} a Scalar with {inv.TargetMethod.Name}() that nothing keeps alive", p));
            }
            else if (o is IInvocationOperation call) cl.Add((call.TargetMethod.OriginalDefinition, new IInvocationOrOp(call.Arguments.ToList(), call.Syntax.ToString())));
            else if (o is IBinaryOperation { OperatorMethod: { } om } b) cl.Add((om.OriginalDefinition, new IInvocationOrOp(null, b.Syntax.ToString(), [b.LeftOperand, b.RightOperand])));
            else if (o is IUnaryOperation { OperatorMethod: { } um } u) cl.Add((um.OriginalDefinition, new IInvocationOrOp(null, u.Syntax.ToString(), [u.Operand])));
            else if (o is IObjectCreationOperation { Constructor: { } ctor } oc) cl.Add((ctor.OriginalDefinition, new IInvocationOrOp(oc.Arguments.ToList(), oc.Syntax.ToString())));
        }
        if (temps.Count > 0) direct[m] = temps;
        calls[m] = cl;
    }
}
// Transitive closure.
var listed = direct.ToDictionary(kv => kv.Key, kv => kv.Value.ToList(), (IEqualityComparer<IMethodSymbol>)SymbolEqualityComparer.Default);
bool changed = true;
while (changed)
{
    changed = false;
    foreach (var (m, cl) in calls)
        foreach (var (callee, site) in cl)
        {
            if (SymbolEqualityComparer.Default.Equals(callee, m) || !listed.TryGetValue(callee, out var calleeTemps)) continue;
            var mine = listed.TryGetValue(m, out var l) ? l : null;
            foreach (var (reason, p) in calleeTemps)
            {
                int from = -1;
                if (p >= 0)
                {
                    var arg = site.ArgFor(p);
                    if (arg is not null && Unwrap(arg) is IParameterReferenceOperation pr) from = pr.Parameter.Ordinal;
                }
                var rootReason = reason.Contains(" → ") ? reason[(reason.LastIndexOf(" → ") + 3)..] : reason;
                var text = p >= 0 && from < 0
                    ? $"passes {site.ArgFor(p)?.Syntax.ToString() ?? "?"} to {Short(callee)}, which converts it to a temporary Scalar"
                    : p >= 0 ? $"hands its number to {Short(callee)}, which converts it to a temporary Scalar"
                    : $"calls {Short(callee)} → {rootReason}";
                if (mine is null) { mine = []; listed[m] = mine; }
                if (!mine.Any(t => t.Param == from && t.Reason == text) && mine.Count < 4 && !mine.Any(t => t.Param == from && (t.Reason.StartsWith("calls " + Short(callee)) || t.Reason.StartsWith("hands its number to " + Short(callee)))))
                {
                    mine.Add((text, from)); changed = true;
                }
            }
        }
}
// A step called through the optimizer base types runs an override that makes temporaries.
foreach (var m in listed.Keys.ToList())
    if (m.Name == "step")
        for (var b = m.OverriddenMethod; b is not null; b = b.OverriddenMethod)
            if (!listed.ContainsKey(b.OriginalDefinition)) listed[b.OriginalDefinition] = [($"runs an optimizer's step, and {m.ContainingType.Name}.step (like every TorchSharp optimizer here) makes temporary Scalars for its hyper-parameters", -1)];
using var w = new StreamWriter(args[1]);
foreach (var (m, temps) in listed.OrderBy(kv => kv.Key.GetDocumentationCommentId()))
{
    if (m.DeclaredAccessibility != Accessibility.Public) continue;
    if (SymbolEqualityComparer.Default.Equals(m.ContainingType, scalar) || SymbolEqualityComparer.Default.Equals(m.ContainingType, ext)) continue;
    for (var t = m.ContainingType; t is not null; t = t.ContainingType) if (t.DeclaredAccessibility != Accessibility.Public) goto skip;
    var id = m.GetDocumentationCommentId();
    var kind = temps.Any(t => t.Param >= 0) ? "MRNN001" : "MRNN002";
    var reason = string.Join("; ", temps.OrderBy(t => t.Param < 0).Select(t => t.Reason).Distinct().Take(2));
    var fix = Suggest(m, kind, listed);
    w.WriteLine($"{id}\t{kind}\t{reason.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ')}\t{fix}");
    skip:;
}
return 0;

static string Suggest(IMethodSymbol m, string kind, Dictionary<IMethodSymbol, List<(string Reason, int Param)>> listed)
{
    string P(IMethodSymbol x) => string.Join(", ", x.Parameters.Select(p => $"{(p.Type.Name == "Nullable`1" ? p.Type.ToDisplayString() : p.Type.Name)} {p.Name}"));
    if (m.MethodKind == MethodKind.UserDefinedOperator)
    {
        var (l, r) = (m.Parameters[0].Type.Name, m.Parameters[1].Type.Name);
        var leftNumber = l != "Tensor";
        var rightNumber = r != "Tensor";
        return m.Name switch
        {
            "op_Addition" when !leftNumber && !rightNumber => "a.add(b, one) with a Scalar one that outlives the call (the same kernel)",
            "op_Addition" => "t.add(s, one) with Scalars s and one that outlive the call (what the operator runs)",
            "op_Subtraction" when leftNumber => "t.negative().add(s, one) with Scalars s and one that outlive the call (what the operator runs), or a tensor operand",
            "op_Subtraction" => "t.sub(s) with a Scalar s that outlives the call",
            "op_Multiply" => "t.mul(s) with a Scalar s that outlives the call",
            "op_Division" when leftNumber => "t.reciprocal().mul(s) with a Scalar s that outlives the call (what the operator runs)",
            "op_Division" => "t.div(s) with a Scalar s that outlives the call",
            "op_Modulus" => "t.remainder(s) with a Scalar s that outlives the call",
            _ => "the method the operator calls, with Scalars that outlive the call",
        };
    }
    if (m.Name == "step" && m.ContainingType.Name is "SGD" or "Adam" or "AdamW" or "RMSProp" or "Adagrad" or "Adadelta" or "Adamax" or "ASGD" or "NAdam" or "RAdam" or "Rprop" or "Optimizer" or "OptimizerHelper")
        return "MusicRnn's own optimizers (TrainingOptimizer.Create), which hold their Scalars for the step";
    if (m.Name == "square" && m.Parameters.Length == 0) return "pow(two) with a Scalar two that outlives the call (what square() runs)";
    var better = m.ContainingType.GetMembers(m.Name).OfType<IMethodSymbol>()
        .Where(o => !SymbolEqualityComparer.Default.Equals(o, m) && o.DeclaredAccessibility == Accessibility.Public && !listed.ContainsKey(o)
            && o.Parameters.Length > m.Parameters.Length
            && m.Parameters.All(p => o.Parameters.Any(q => SymbolEqualityComparer.Default.Equals(q.Type, p.Type)))
            && o.Parameters.Where(q => !m.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(q.Type, p.Type))).All(q => q.Type.Name is "Scalar" || q.Type.ToDisplayString().StartsWith("TorchSharp.Scalar") || q.HasExplicitDefaultValue))
        .OrderBy(o => o.Parameters.Length).FirstOrDefault();
    if (better is not null) return $"{m.Name}({P(better)}) with Scalars that outlive the call";
    return kind == "MRNN001" ? "a Scalar that outlives the call, through an overload taking a Scalar, or a tensor operand" : "an overload that takes every Scalar explicitly, with Scalars that outlive the call, or a tensor operand";
}
static bool Owned(IOperation o)
{
    var p = o.Parent;
    while (p is IConversionOperation { IsImplicit: true } or IParenthesizedOperation) p = p.Parent;
    return p is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation { Parent: IVariableDeclarationGroupOperation { Parent: IUsingDeclarationOperation or IUsingOperation } } } }
        || p is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation { Parent: IUsingOperation } } }
        || p is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation { Parent: IVariableDeclarationGroupOperation { Parent: IUsingOperation } } } };
}
static string Op(string n) => n switch { "op_Addition" => "+", "op_Subtraction" => "-", "op_Multiply" => "*", "op_Division" => "/", "op_Modulus" => "%", "op_UnaryNegation" => "-", _ => n };
static IOperation Unwrap(IOperation o) { while (o is IConversionOperation c) o = c.Operand; while (o is IParenthesizedOperation pa) o = pa.Operand; return o; }
static string Describe(IConversionOperation c, IMethodSymbol m, IOperation src) =>
    src is IParameterReferenceOperation pr ? $"converts its {pr.Parameter.Type.ToDisplayString()} {pr.Parameter.Name} to a temporary Scalar"
    : src.ConstantValue.HasValue ? $"passes {src.Syntax} as a temporary Scalar"
    : $"converts {src.Syntax} to a temporary Scalar";
static string Describe2(IOperation? o) => o?.Syntax.ToString() ?? "number";
static string Short(IMethodSymbol m) => m.MethodKind is MethodKind.UserDefinedOperator or MethodKind.Conversion
    ? $"operator {Op(m.Name)}({string.Join(", ", m.Parameters.Select(p => p.Type.Name))})"
    : $"{m.Name}({string.Join(", ", m.Parameters.Select(p => p.Type.Name))})";

record IInvocationOrOp(List<IArgumentOperation>? Args, string Text, IOperation[]? Operands = null)
{
    public IOperation? ArgFor(int ordinal)
    {
        if (Operands is not null) return ordinal < Operands.Length ? Operands[ordinal] : null;
        var a = Args!.FirstOrDefault(x => x.Parameter?.Ordinal == ordinal);
        return a?.Value;
    }
}
