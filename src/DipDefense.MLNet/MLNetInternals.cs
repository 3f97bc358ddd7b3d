using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DipDefense.MLNet;

/// <summary>
/// Every internal member of ML.NET 5.0 that DipDefense.MLNet reaches, by reflection, in one place. ML.NET keeps these
/// internal (dotnet/machinelearning#3243, #6775), yet an external estimator needs them. Each fails with a clear
/// <see cref="NotSupportedException"/> when missing, and the tests (which use all of them through the public API)
/// fail loudly if an ML.NET update renames one.
/// </summary>
internal static class MLNetInternals
{
    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    static readonly PropertyInfo? CatalogEnvironment = typeof(TransformsCatalog).Assembly
        .GetType("Microsoft.ML.Data.IInternalCatalog")?.GetProperty("Environment");

    static readonly ConstructorInfo? ColumnConstructor = typeof(SchemaShape.Column).GetConstructor(Instance, null,
        [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)], null);

    static readonly Type? CancelableInterface = typeof(IHostEnvironment).Assembly.GetType("Microsoft.ML.Runtime.ICancelable");
    static readonly PropertyInfo? IsCanceledProperty = CancelableInterface?.GetProperty("IsCanceled");
    static readonly MethodInfo? CancelMethod = typeof(MLContext).GetMethod("CancelExecution", Instance, Type.EmptyTypes);

    static readonly SchemaShape NoAnnotations = new([]);

    /// <summary>The environment (the <see cref="MLContext"/>) behind a catalog: <c>IInternalCatalog.Environment</c>.</summary>
    public static IHostEnvironment EnvironmentOf(TransformsCatalog catalog) =>
        (IHostEnvironment)Require(CatalogEnvironment, "IInternalCatalog.Environment").GetValue(catalog)!;

    /// <summary>A <see cref="SchemaShape.Column"/> without annotations, through its internal constructor.</summary>
    public static SchemaShape.Column CreateColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType) =>
        (SchemaShape.Column)Require(ColumnConstructor, "SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)")
            .Invoke([name, kind, itemType, false, NoAnnotations]);

    /// <summary>Whether <paramref name="host"/> has been cancelled: <c>ICancelable.IsCanceled</c>.</summary>
    public static bool IsCanceled(IHost host) =>
        Require(CancelableInterface, "ICancelable").IsInstanceOfType(host) && (bool)Require(IsCanceledProperty, "ICancelable.IsCanceled").GetValue(host)!;

    /// <summary>Cancels all work in <paramref name="mlContext"/>: <c>MLContext.CancelExecution()</c>.</summary>
    public static void CancelExecution(MLContext mlContext) => Require(CancelMethod, "MLContext.CancelExecution()").Invoke(mlContext, null);

    static T Require<T>(T? member, string description) where T : class =>
        member ?? throw new NotSupportedException(
            $"This ML.NET ({typeof(MLContext).Assembly.GetName().Version}) has no internal {description}, which DipDefense.MLNet needs; it supports ML.NET 5.0.");
}
