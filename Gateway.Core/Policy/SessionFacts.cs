using Gateway.Core.Identity;

namespace Gateway.Core.Policy;

/// <summary>The who and where of a session, fixed at authentication; rules match on these.</summary>
public sealed record SessionFacts(Principal Principal, string Listener, string Protocol, string? Database);
