namespace Gateway.Core.Config;

public enum Durability
{
    /// <summary>A record is written to the OS before the command is forwarded: survives a killed gateway.</summary>
    Buffered,

    /// <summary>A record is fsync'd before the command is forwarded: survives a lost host.</summary>
    Fsync,
}

public enum SpoolFullBehavior
{
    Refuse,
    DropOldest,
}

public sealed class AuditConfig
{
    public Durability Durability { get; set; } = Durability.Buffered;
    public CaptureConfig Capture { get; set; } = new();

    /// <summary>A checkpoint record is signed every this many records ...</summary>
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>... or after this much time with records, whichever comes first.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Segment rotation by size.</summary>
    public long SegmentMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Segment rotation by age.</summary>
    public TimeSpan SegmentMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Shipped segments older than this are deleted; zero keeps everything.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.Zero;

    /// <summary>Upper bound on unshipped local log bytes when sinks are configured.</summary>
    public long MaxSpool { get; set; } = 10L * 1024 * 1024 * 1024;

    public SpoolFullBehavior OnSpoolFull { get; set; } = SpoolFullBehavior.Refuse;

    public List<SinkConfig> Sinks { get; set; } = [];
}

public sealed class CaptureConfig
{
    /// <summary>Result rows kept in a <c>result</c> record, as the client saw them (masked).</summary>
    public int ResultRows { get; set; } = 20;

    /// <summary>Bytes kept of each captured value and of command text.</summary>
    public int ValueBytes { get; set; } = 256;

    /// <summary>Bytes kept of command text.</summary>
    public int CommandBytes { get; set; } = 16 * 1024;
}

public sealed class SinkConfig
{
    /// <summary><c>azure_monitor</c>.</summary>
    public string Type { get; set; } = "";

    public string? Endpoint { get; set; }
    public string? RuleId { get; set; }
    public string? Stream { get; set; }
    public CredentialConfig Credential { get; set; } = new();
    public string? CaFile { get; set; }

    /// <summary>Records per call are also capped by the 1 MiB body limit.</summary>
    public int BatchRecords { get; set; } = 500;

    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class CredentialConfig
{
    /// <summary>default | managed_identity | workload_identity | client_secret | token_file.</summary>
    public string Type { get; set; } = "default";

    public string? ClientId { get; set; }
    public string? TenantId { get; set; }
    public string? SecretEnv { get; set; }
    public string? Path { get; set; }
}
