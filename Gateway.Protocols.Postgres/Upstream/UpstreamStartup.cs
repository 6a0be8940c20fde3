using System.Buffers;
using Gateway.Protocols.Postgres.Auth;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// The client side of PostgreSQL's startup after the StartupMessage: answers the server's authentication
/// requests, then collects ParameterStatus and BackendKeyData until ReadyForQuery. One explicit state; any
/// message out of place ends the attempt. Spec: https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-START-UP
/// </summary>
internal sealed class UpstreamStartup(string target, string user, string? password)
{
    private State _state = State.Authenticating;
    private ScramSha256Client? _scram;

    internal enum State
    {
        /// <summary>Waiting for the server's first authentication request, or for its verdict on a password.</summary>
        Authenticating,

        /// <summary>SASLInitialResponse sent: expecting SASLContinue.</summary>
        SaslAwaitingContinue,

        /// <summary>SASLResponse sent: expecting SASLFinal.</summary>
        SaslAwaitingFinal,

        /// <summary>Server signature verified: expecting AuthenticationOk.</summary>
        SaslVerified,

        /// <summary>AuthenticationOk received: collecting parameters until ReadyForQuery.</summary>
        Authenticated,

        Ready,
    }

    public State Current => _state;

    public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

    public int ProcessId { get; private set; }

    public int SecretKey { get; private set; }

    public bool HasKeyData { get; private set; }

    public TransactionStatus TransactionStatus { get; private set; }

    /// <summary>Handles one server message, writing any answer to <paramref name="output"/>. True once ReadyForQuery arrived.</summary>
    public bool Process(in PgFrame frame, IBufferWriter<byte> output)
    {
        switch (frame.Backend)
        {
            case BackendMessageType.ErrorResponse:
                throw UpstreamConnectException.FromServer(ErrorResponse.Decode(frame.Payload).Fields, target);
            case BackendMessageType.NoticeResponse:
                NoticeResponse.Decode(frame.Payload);
                return false;
            case BackendMessageType.Authentication:
                HandleAuthentication(AuthenticationRequest.Decode(frame.Payload), output);
                return false;
            case BackendMessageType.NegotiateProtocolVersion when _state == State.Authenticating:
                // We ask for 3.0, which every server speaks; this only lists _pq_ options it ignored.
                NegotiateProtocolVersion.Decode(frame.Payload);
                return false;
            case BackendMessageType.ParameterStatus when _state == State.Authenticated:
                var parameter = ParameterStatus.Decode(frame.Payload);
                Parameters[parameter.Name] = parameter.Value;
                return false;
            case BackendMessageType.BackendKeyData when _state == State.Authenticated:
                var key = BackendKeyData.Decode(frame.Payload);
                (ProcessId, SecretKey, HasKeyData) = (key.ProcessId, key.SecretKey, true);
                return false;
            case BackendMessageType.ReadyForQuery when _state == State.Authenticated:
                TransactionStatus = ReadyForQuery.Decode(frame.Payload).Status;
                _state = State.Ready;
                return true;
            default:
                throw Unexpected($"message {PgMessageReader.TypeText(frame.Type)}");
        }
    }

    private void HandleAuthentication(in AuthenticationRequest request, IBufferWriter<byte> output)
    {
        switch (request.Kind)
        {
            case AuthenticationKind.Ok when _state is State.Authenticating or State.SaslVerified:
                _state = State.Authenticated;
                break;
            case AuthenticationKind.Ok:
                // Accepting Ok mid-SASL would let a server that never proved the verifier skip SASLFinal.
                throw new UpstreamConnectException(UpstreamConnectStage.Authentication,
                    $"upstream {target} reported success before completing SCRAM authentication");
            case AuthenticationKind.CleartextPassword when _state == State.Authenticating:
                PgFrontendWriter.WritePasswordMessage(output, RequirePassword("password"));
                break;
            case AuthenticationKind.Md5Password when _state == State.Authenticating:
                PgFrontendWriter.WritePasswordMessage(output, Md5Password.Compute(user, RequirePassword("md5"), Bytes(request.Data)));
                break;
            case AuthenticationKind.Sasl when _state == State.Authenticating:
                StartScram(request.SaslMechanisms, output);
                break;
            case AuthenticationKind.SaslContinue when _state == State.SaslAwaitingContinue:
                byte[] clientFinal;
                try
                {
                    clientFinal = _scram!.ProcessServerFirst(Bytes(request.Data));
                }
                catch (PgAuthenticationException e)
                {
                    throw ScramFailed(e);
                }
                PgFrontendWriter.WriteSaslResponse(output, clientFinal);
                _state = State.SaslAwaitingFinal;
                break;
            case AuthenticationKind.SaslFinal when _state == State.SaslAwaitingFinal:
                try
                {
                    _scram!.VerifyServerFinal(Bytes(request.Data));
                }
                catch (PgAuthenticationException e)
                {
                    throw ScramFailed(e);
                }
                _state = State.SaslVerified;
                break;
            case AuthenticationKind.KerberosV5 or AuthenticationKind.Gss or AuthenticationKind.GssContinue or AuthenticationKind.Sspi:
                throw new UpstreamConnectException(UpstreamConnectStage.Authentication,
                    $"upstream {target} requested {request.Kind} authentication, which the gateway does not support (use scram-sha-256, md5, password or trust)");
            default:
                throw Unexpected($"Authentication{request.Kind}");
        }
    }

    private void StartScram(IReadOnlyList<string> mechanisms, IBufferWriter<byte> output)
    {
        if (!mechanisms.Contains(ScramSha256Client.Mechanism))
        {
            var reason = mechanisms.Contains(ScramSha256Client.MechanismPlus)
                ? "only SCRAM-SHA-256-PLUS (channel binding), which the gateway does not support"
                : $"only unsupported SASL mechanisms ({string.Join(", ", mechanisms)})";
            throw new UpstreamConnectException(UpstreamConnectStage.Authentication, $"upstream {target} offers {reason}");
        }
        _scram = ScramSha256Client.Scoped(RequirePassword(ScramSha256Client.Mechanism), keyScope: $"{target}\n{user}");
        PgFrontendWriter.WriteSaslInitialResponse(output, ScramSha256Client.Mechanism, _scram.CreateClientFirst());
        _state = State.SaslAwaitingContinue;
    }

    private UpstreamConnectException ScramFailed(PgAuthenticationException e) =>
        new(UpstreamConnectStage.Authentication, $"upstream {target}: {e.Message}", e);

    private string RequirePassword(string method) =>
        password ?? throw new UpstreamConnectException(UpstreamConnectStage.Authentication,
            $"upstream {target} requires {method} authentication, but the target has no password configured");

    private UpstreamConnectException Unexpected(string what) =>
        new(UpstreamConnectStage.Protocol, $"upstream {target} sent {what} while {_state}");

    private static ReadOnlySpan<byte> Bytes(in ReadOnlySequence<byte> data) =>
        data.IsSingleSegment ? data.FirstSpan : data.ToArray();
}
