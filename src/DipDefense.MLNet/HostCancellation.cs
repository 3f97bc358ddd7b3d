using Microsoft.ML.Runtime;

namespace DipDefense.MLNet;

/// <summary>
/// Turns the cancellation of an ML.NET environment into a <see cref="CancellationToken"/> for the purifier, which
/// checks it before every DIP iteration.
/// </summary>
/// <remarks>
/// ML.NET 5 keeps its cancellation internal: <c>MLContext.CancelExecution()</c> sets <c>IsCanceled</c> on the
/// environment and on every host registered from it, through the internal interface
/// <c>Microsoft.ML.Runtime.ICancelable</c>, and ML.NET's own components poll it. This class registers a host when
/// the transformer is made and reads that flag (<see cref="MLNetInternals.IsCanceled"/>) while a block is being
/// purified, polling every <see cref="PollInterval"/>.
/// </remarks>
internal sealed class HostCancellation
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    readonly IHost host;

    /// <summary>Registers a host named <paramref name="name"/> in <paramref name="environment"/>.</summary>
    public HostCancellation(IHostEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        host = environment.Register(name);
    }

    /// <summary>Whether the environment has been cancelled.</summary>
    public bool IsCancellationRequested => MLNetInternals.IsCanceled(host);

    /// <summary>
    /// A token that is cancelled, within <see cref="PollInterval"/>, once the environment is cancelled; dispose the
    /// returned watch when the work is done.
    /// </summary>
    public Watch Start() => new(this);

    /// <summary>A running watch: its <see cref="Token"/> follows the environment until disposed.</summary>
    public sealed class Watch : IDisposable
    {
        readonly CancellationTokenSource source = new();
        readonly Timer timer;

        internal Watch(HostCancellation owner)
        {
            if (owner.IsCancellationRequested)
                source.Cancel();
            timer = new Timer(_ =>
            {
                if (owner.IsCancellationRequested)
                    source.Cancel();
            }, null, PollInterval, PollInterval);
        }

        /// <summary>Cancelled once the environment is.</summary>
        public CancellationToken Token => source.Token;

        /// <inheritdoc />
        /// <remarks>
        /// The source is left to the collector: a timer callback may still be running and call Cancel, and a source
        /// with no linked tokens, timer or wait handle holds nothing that needs disposing.
        /// </remarks>
        public void Dispose() => timer.Dispose();
    }
}
