using System.Buffers;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;
using Gateway.Protocols.Postgres.Upstream;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Postgres.Upstream;

/// <summary>Runs a simple query over an <see cref="UpstreamConnection"/>'s transport: proves the pipe really carries the session.</summary>
internal static class UpstreamQuery
{
    public sealed record Result(List<string?> FirstColumn, string? Tag, PgDiagnosticFields? Error, TransactionStatus Status);

    public static async Task<Result> RunAsync(UpstreamConnection connection, string sql)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        PgFrontendWriter.WriteQuery(connection.Transport.Output, sql);
        await connection.Transport.Output.FlushAsync(timeout.Token);

        var state = new State();
        while (true)
        {
            var read = await connection.Transport.Input.ReadAsync(timeout.Token);
            var consumed = Process(read.Buffer, state);
            connection.Transport.Input.AdvanceTo(consumed, read.Buffer.End);
            if (state.Status is { } status)
                return new Result(state.Values, state.Tag, state.Error, status);
            if (read.IsCompleted)
                throw new InvalidOperationException("upstream closed the connection mid-query");
        }
    }

    public static async Task<string?> ScalarAsync(UpstreamConnection connection, string sql)
    {
        var result = await RunAsync(connection, sql);
        Assert.That(result.Error, Is.Null, () => result.Error!.Value.ToString());
        return result.FirstColumn.Single();
    }

    private static SequencePosition Process(ReadOnlySequence<byte> buffer, State state)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (state.Status is null && PgMessageReader.TryReadFrame(ref reader, 1024 * 1024, out var frame))
        {
            switch (frame.Backend)
            {
                case BackendMessageType.DataRow:
                    foreach (var value in DataRow.Decode(frame.Payload))
                    {
                        state.Values.Add(value.IsNull ? null : WireBytes.Utf8(value.Bytes));
                        break;
                    }
                    break;
                case BackendMessageType.CommandComplete:
                    state.Tag = CommandComplete.Decode(frame.Payload).Tag;
                    break;
                case BackendMessageType.ErrorResponse:
                    state.Error = ErrorResponse.Decode(frame.Payload).Fields;
                    break;
                case BackendMessageType.ReadyForQuery:
                    state.Status = ReadyForQuery.Decode(frame.Payload).Status;
                    break;
            }
        }
        return reader.Position;
    }

    private sealed class State
    {
        public List<string?> Values { get; } = [];
        public string? Tag { get; set; }
        public PgDiagnosticFields? Error { get; set; }
        public TransactionStatus? Status { get; set; }
    }
}
