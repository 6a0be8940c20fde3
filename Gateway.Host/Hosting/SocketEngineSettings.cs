namespace Gateway.Host.Hosting;

/// <summary>
/// How the runtime's socket engine runs completions, set before the first socket is used. An operator's explicit
/// setting of either variable wins.
/// <list type="bullet">
/// <item><b>Inline completions.</b> A proxy's work per message is short and never blocks, so the gateway runs
/// socket completions on the epoll threads themselves instead of handing each to the thread pool: together with
/// inline pipe schedulers (<c>SocketPipeOptions</c>, <c>UpstreamChannel</c>) a message goes from the client's
/// socket through analysis, policy and the frame log to the target's socket without a thread hop. Measured with
/// pgbench -S through the gateway (docs/performance.md): context switches per transaction 17 → 6, gateway CPU
/// per transaction -10 to -40%.</item>
/// <item><b>One socket thread per two cores.</b> With inline completions the runtime starts one epoll thread per
/// core, each running whole sessions. Every command's record is committed to the one frame log under one gate,
/// so threads beyond what that serial commit can feed only contend for it, and each idle thread sleeps and wakes
/// alone where one busy thread takes several ready sockets per <c>epoll_wait</c>. Measured on the 2-core
/// benchmark machine, shared with pgbench and PostgreSQL: one thread instead of two cost 15–20 % less CPU per
/// transaction (-S simple 59–64 vs 65–80 µs, prepared 50–52 vs 61–63, tpcb-like 401–407 vs 499–500) with
/// 3–15 % more throughput.</item>
/// </list>
/// </summary>
internal static class SocketEngineSettings
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    public const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    public static void Apply()
    {
        SetUnlessSet(InlineCompletionsVariable, "1");
        SetUnlessSet(ThreadCountVariable, DefaultThreadCount(Environment.ProcessorCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static int DefaultThreadCount(int processors) => Math.Max(1, processors / 2);

    private static void SetUnlessSet(string variable, string value)
    {
        if (Environment.GetEnvironmentVariable(variable) is null)
            Environment.SetEnvironmentVariable(variable, value);
    }
}
