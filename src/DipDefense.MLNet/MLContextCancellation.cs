using DipDefense.MLNet;

namespace Microsoft.ML;

/// <summary>Cancellation of an <see cref="MLContext"/>, which ML.NET 5 keeps internal.</summary>
public static class MLContextCancellation
{
    /// <summary>
    /// Cancels all work running in <paramref name="mlContext"/>, as ML.NET's own (internal) <c>MLContext.CancelExecution</c>
    /// does: a DipPurify cursor stops before its next DIP iteration with an <see cref="OperationCanceledException"/>, and
    /// ML.NET's trainers stop at their next check.
    /// </summary>
    /// <remarks>
    /// The context stays cancelled (ML.NET has no way back): create a new <see cref="MLContext"/> for further work.
    /// ML.NET 5.0 declares <c>CancelExecution</c> internal, so this method calls it by reflection; the tests fail if
    /// ML.NET renames it.
    /// </remarks>
    /// <param name="mlContext">The context to cancel.</param>
    /// <exception cref="NotSupportedException">This version of ML.NET has no internal <c>CancelExecution</c>.</exception>
    public static void CancelExecution(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        MLNetInternals.CancelExecution(mlContext);
    }
}
