using Gateway.Protocols.Postgres.Protocol;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Security;

/// <summary>Well-formed and deliberately malformed frontend bytes for the hostile-client tests.</summary>
internal static class HostileFrames
{
    public static byte[] SslRequest() => new WireBytes().Int32(8).Int32(StartupRequestCodes.SslRequest).ToArray();

    public static byte[] Startup(params (string Name, string Value)[] parameters)
    {
        var body = new WireBytes();
        foreach (var (name, value) in parameters)
            body.CString(name).CString(value);
        body.Byte(0);
        return WireBytes.Startup(StartupRequestCodes.ProtocolVersion30, body);
    }

    /// <summary>A startup-phase packet that declares <paramref name="length"/> and carries the 3.0 code.</summary>
    public static byte[] StartupDeclaring(uint length) =>
        new WireBytes().UInt32(length).Int32(StartupRequestCodes.ProtocolVersion30).ToArray();

    /// <summary>A typed header that declares <paramref name="length"/>, followed by a few body bytes.</summary>
    public static byte[] TypedDeclaring(char type, uint length) =>
        new WireBytes().Char(type).UInt32(length).Bytes(0, 0, 0, 0).ToArray();

    /// <summary>A CancelRequest padded (or cut) to <paramref name="length"/> bytes, declaring that length.</summary>
    public static byte[] CancelRequestOfLength(int length)
    {
        var bytes = new WireBytes().Int32(length).Int32(StartupRequestCodes.CancelRequest).Int32(1234).Int32(5678).ToArray();
        var packet = new byte[length];
        Array.Copy(bytes, packet, Math.Min(bytes.Length, length));
        return packet;
    }

    public static byte[] Query(string sql) => WireBytes.Frame('Q', new WireBytes().CString(sql));

    public static byte[] Parse(string name, string sql, params int[] types)
    {
        var body = new WireBytes().CString(name).CString(sql).Int16((short)types.Length);
        foreach (var type in types)
            body.Int32(type);
        return WireBytes.Frame('P', body);
    }

    /// <summary>Bind with no parameters and text results.</summary>
    public static byte[] Bind(string statement = "", string portal = "") =>
        WireBytes.Frame('B', new WireBytes().CString(portal).CString(statement).Int16(0).Int16(0).Int16(0));

    /// <summary>Describe of a portal: without one the gateway cannot name the result's columns and masks every value.</summary>
    public static byte[] DescribePortal(string portal = "") => WireBytes.Frame('D', new WireBytes().Char('P').CString(portal));

    public static byte[] Execute(string portal = "", int maxRows = 0) => WireBytes.Frame('E', new WireBytes().CString(portal).Int32(maxRows));

    public static byte[] CloseStatement(string name) => WireBytes.Frame('C', new WireBytes().Char('S').CString(name));

    public static byte[] CopyData(string text) => WireBytes.Frame('d', System.Text.Encoding.UTF8.GetBytes(text));

    public static byte[] CopyDone() => WireBytes.Frame('c', []);

    public static byte[] CopyFail(string reason) => WireBytes.Frame('f', new WireBytes().CString(reason));

    public static byte[] Sync() => WireBytes.Frame('S', []);

    public static byte[] Terminate() => WireBytes.Frame('X', []);
}
