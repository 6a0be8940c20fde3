namespace Gateway.Core.Sessions;

/// <summary>A listener could not start (bind failed, certificate unusable). The message names the listener.</summary>
public sealed class ListenerStartException : Exception
{
    public ListenerStartException(string listener, string problem, Exception? inner = null)
        : base($"listener {listener}: {problem}", inner)
    {
        Listener = listener;
    }

    public string Listener { get; }
}
