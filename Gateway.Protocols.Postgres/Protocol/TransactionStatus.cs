namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>The backend's transaction state reported in ReadyForQuery. Values are the wire bytes.</summary>
public enum TransactionStatus : byte
{
    Idle = (byte)'I',
    InTransaction = (byte)'T',
    Failed = (byte)'E',
}
