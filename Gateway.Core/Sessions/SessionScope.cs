using System.Collections;
using System.Net;

namespace Gateway.Core.Sessions;

/// <summary>
/// The logging scope around a session: every line a handler logs carries the session id, listener and
/// client address (as separate fields in JSON logs).
/// </summary>
internal sealed class SessionScope(string sessionId, string listener, IPEndPoint remote) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("SessionId", sessionId),
        1 => new("Listener", listener),
        2 => new("RemoteEndPoint", remote.ToString()),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
            yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"session {sessionId} on {listener} from {remote}";
}
