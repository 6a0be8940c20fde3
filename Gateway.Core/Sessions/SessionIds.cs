namespace Gateway.Core.Sessions;

/// <summary>Session ids: UUIDv7, so they sort by start time in the frame log and in Azure Monitor.</summary>
public static class SessionIds
{
    public static string New() => Guid.CreateVersion7().ToString();
}
