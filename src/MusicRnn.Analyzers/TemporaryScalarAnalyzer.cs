using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MusicRnn.Analyzers;

/// <summary>
/// Reports TorchSharp <c>Scalar</c>s that live only for the length of a call: MRNN001 where a
/// number becomes one, MRNN002 where a TorchSharp member makes one inside itself.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 reads a Scalar's native handle and passes it to libtorch without keeping the
/// managed object alive (dotnet/TorchSharp#1434, fix proposed in #1496). A Scalar nothing else
/// references can be finalized by a collection during the native call, and libtorch then reads
/// freed memory ("Expected false to be true ... toFloat", "Unknown scalar type"); inside an
/// autograd function that ends the process. A Scalar is safe when something that outlives the
/// call owns it: a <c>using</c> declaration or statement (disposed after the call, so alive
/// through it), a field, or the caller it is returned to. Everything else made from a number is
/// a temporary:
/// <list type="bullet">
/// <item>MRNN001: a conversion to Scalar (implicit, as in <c>mul_(factor)</c>, <c>fill_(1)</c>,
/// <c>clamp_min(0)</c>, or a cast); <c>x.ToScalar()</c> used in place; a TorchSharp member that
/// converts the number it is given (<c>t * 0.5</c>, <c>1 - t</c>, <c>t + 1</c>).</item>
/// <item>MRNN002: a TorchSharp member that creates a Scalar the caller never sees (the alpha = 1
/// of <c>a + b</c> and <c>add_(t)</c>, the 2 of <c>square()</c>, <c>addcdiv_(t1, t2)</c>'s
/// value 1, the optimizers' steps): <see cref="TemporaryScalarMembers"/> lists them with the
/// reason and the safe form.</item>
/// </list>
/// See docs/ARCHITECTURE.md, Models.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TemporaryScalarAnalyzer : DiagnosticAnalyzer
{
    private const string Category = "Reliability";
    private const string Race = "TorchSharp passes a Scalar to libtorch without keeping it alive, so a collection during the call can finalize it while libtorch reads it (dotnet/TorchSharp#1434).";

    /// <summary>MRNN001: a number becomes a temporary Scalar.</summary>
    public static readonly DiagnosticDescriptor NumberToScalar = new(
        "MRNN001",
        "A number becomes a temporary TorchSharp Scalar",
        "'{0}' {1}; use {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Race + " Hold the Scalar for the duration of the work (a using declaration, a field) or pass a tensor operand.");

    /// <summary>MRNN002: a TorchSharp member creates a temporary Scalar inside itself.</summary>
    public static readonly DiagnosticDescriptor HiddenScalar = new(
        "MRNN002",
        "A TorchSharp member creates a temporary Scalar inside itself",
        "{0} {1}; use {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Race + " Call the overload that takes every Scalar, with Scalars that outlive the call.");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(NumberToScalar, HiddenScalar);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var scalar = start.Compilation.GetTypeByMetadataName("TorchSharp.Scalar");
            if (scalar is null) return;
            var ids = new ConcurrentDictionary<IMethodSymbol, string>(SymbolEqualityComparer.Default);
            start.RegisterOperationAction(c => OnConversion(c, (IConversionOperation)c.Operation, scalar), OperationKind.Conversion);
            start.RegisterOperationAction(c => OnInvocation(c, (IInvocationOperation)c.Operation, scalar, ids), OperationKind.Invocation);
            start.RegisterOperationAction(c => OnMember(c, OperatorOf(c.Operation), ids), OperationKind.Binary, OperationKind.Unary, OperationKind.CompoundAssignment);
            start.RegisterOperationAction(c => OnMember(c, ((IObjectCreationOperation)c.Operation).Constructor, ids), OperationKind.ObjectCreation);
        });
    }

    private static void OnConversion(OperationAnalysisContext context, IConversionOperation conversion, INamedTypeSymbol scalar)
    {
        if (conversion.OperatorMethod is null || !SymbolEqualityComparer.Default.Equals(conversion.Type, scalar)) return;
        if (conversion.Operand.Type is null || SymbolEqualityComparer.Default.Equals(conversion.Operand.Type, scalar) || IsOwned(conversion)) return;
        var number = conversion.Operand.Syntax.ToString();
        // ToScalar() binds tighter than an operator or a sign: (a / b).ToScalar(), (-1).ToScalar().
        var receiver = conversion.Operand.Syntax is IdentifierNameSyntax or MemberAccessExpressionSyntax or LiteralExpressionSyntax or InvocationExpressionSyntax
            ? number
            : $"({number})";
        context.ReportDiagnostic(Diagnostic.Create(NumberToScalar, conversion.Syntax.GetLocation(), number,
            "becomes a temporary Scalar", $"a Scalar that outlives the call (using var s = {receiver}.ToScalar();) or a tensor operand"));
    }

    private static void OnInvocation(OperationAnalysisContext context, IInvocationOperation invocation, INamedTypeSymbol scalar, ConcurrentDictionary<IMethodSymbol, string> ids)
    {
        var method = invocation.TargetMethod;
        if (SymbolEqualityComparer.Default.Equals(method.ReturnType, scalar) && method.ContainingType?.Name == "ScalarExtensionMethods")
        {
            if (!IsOwned(invocation))
                context.ReportDiagnostic(Diagnostic.Create(NumberToScalar, invocation.Syntax.GetLocation(), invocation.Syntax.ToString(),
                    "makes a Scalar that nothing keeps alive through the call", "a using declaration or a field that owns it for the duration of the work"));
            return;
        }
        OnMember(context, method.ReducedFrom ?? method, ids);
    }

    private static void OnMember(OperationAnalysisContext context, IMethodSymbol? member, ConcurrentDictionary<IMethodSymbol, string> ids)
    {
        if (member is null || member.ContainingAssembly?.Name != "TorchSharp") return;
        var definition = member.OriginalDefinition;
        var id = ids.GetOrAdd(definition, m => m.GetDocumentationCommentId() ?? "");
        if (!TemporaryScalarMembers.All.TryGetValue(id, out var entry)) return;
        var rule = entry.Rule == NumberToScalar.Id ? NumberToScalar : HiddenScalar;
        var what = rule == NumberToScalar ? context.Operation.Syntax.ToString() : Display(definition);
        var reason = rule == NumberToScalar ? $"runs {Display(definition)}, which {entry.Reason}" : entry.Reason;
        context.ReportDiagnostic(Diagnostic.Create(rule, LocationOf(context.Operation), what, reason, entry.SafeForm));
    }

    private static IMethodSymbol? OperatorOf(IOperation operation) => operation switch
    {
        IBinaryOperation binary => binary.OperatorMethod,
        IUnaryOperation unary => unary.OperatorMethod,
        ICompoundAssignmentOperation compound => compound.OperatorMethod,
        _ => null,
    };

    /// <summary>
    /// True when something outlives the call holds the Scalar: a using declaration or statement,
    /// a field (assigned or initialised), or the caller it is returned to.
    /// </summary>
    private static bool IsOwned(IOperation made)
    {
        var parent = made.Parent;
        while (parent is IParenthesizedOperation or IConversionOperation { IsImplicit: true }) parent = parent.Parent;
        switch (parent)
        {
            case IReturnOperation:
            case IFieldInitializerOperation:
            case IPropertyInitializerOperation:
            case ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation }:
                return true;
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation declaration } }:
                return declaration.Parent is IUsingOperation
                    || declaration.Parent is IVariableDeclarationGroupOperation { Parent: IUsingDeclarationOperation or IUsingOperation };
            default:
                return false;
        }
    }

    /// <summary>The operator token or the called name, so nested expressions get their own squiggle.</summary>
    private static Location LocationOf(IOperation operation) => operation.Syntax switch
    {
        BinaryExpressionSyntax binary => binary.OperatorToken.GetLocation(),
        AssignmentExpressionSyntax assignment => assignment.OperatorToken.GetLocation(),
        PrefixUnaryExpressionSyntax unary => unary.OperatorToken.GetLocation(),
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } => access.Name.GetLocation(),
        var syntax => syntax.GetLocation(),
    };

    private static string Display(IMethodSymbol member)
    {
        var parameters = string.Join(", ", member.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        return member.MethodKind switch
        {
            MethodKind.UserDefinedOperator => $"operator {OperatorText(member.Name)}({parameters})",
            MethodKind.Constructor => $"new {member.ContainingType.Name}({parameters})",
            _ => $"{member.ContainingType.Name}.{member.Name}({parameters})",
        };
    }

    private static string OperatorText(string name) => name switch
    {
        "op_Addition" => "+",
        "op_Subtraction" => "-",
        "op_Multiply" => "*",
        "op_Division" => "/",
        "op_Modulus" => "%",
        "op_UnaryNegation" => "-",
        _ => name,
    };
}
