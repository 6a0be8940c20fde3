using System.Runtime.InteropServices;

namespace Gateway.Host.Hosting;

/// <summary>
/// SIGTERM and SIGINT, handled instead of the runtime's default (immediate exit): the first asks for a
/// graceful drain, a second one for aborting what is still draining.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    public ShutdownSignals(Action<PosixSignal> first, Action<PosixSignal> again)
    {
        void Handle(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref _received) == 1)
                first(context.Signal);
            else
                again(context.Signal);
        }

        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
        ];
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
