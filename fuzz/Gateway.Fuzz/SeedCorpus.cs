namespace Gateway.Fuzz;

/// <summary>
/// The hand-written seeds of each target's corpus: valid conversations the fuzzer mutates from. Each seed starts
/// with the segment selector byte (see <c>FuzzTarget.AsSequence</c>): 0xFF for one segment, 0x00 for one byte each.
/// </summary>
internal static class SeedCorpus
{
    public static Dictionary<string, List<byte[]>> Build() => new()
    {
        ["frontend"] = Frontend(),
        ["backend"] = Backend(),
        ["startup"] = Startup(),
        ["upstream-startup"] = UpstreamStartup(),
    };

    /// <summary>Writes every seed as <c>{dir}/{target}/seed-NN</c>.</summary>
    public static void Write(string directory)
    {
        foreach (var (target, seeds) in Build())
        {
            var folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            for (var i = 0; i < seeds.Count; i++)
                File.WriteAllBytes(Path.Combine(folder, $"seed-{i:D2}"), seeds[i]);
        }
    }

    private static List<byte[]> Frontend()
    {
        var query = Wire.Frame('Q', new Wire().CString("select id, email from customers where id = 1"));
        var parse = Wire.Frame('P', new Wire().CString("s1").CString("select $1::int + $2").Int16(2).Int32(23).Int32(0));
        var bind = Wire.Frame('B', new Wire().CString("p1").CString("s1").Int16(2).Int16(0).Int16(1).Int16(2).Value("41").Value(null).Int16(1).Int16(1));
        var describe = Wire.Frame('D', new Wire().Char('P').CString("p1"));
        var execute = Wire.Frame('E', new Wire().CString("p1").Int32(100));
        var close = Wire.Frame('C', new Wire().Char('S').CString("s1"));
        var sync = Wire.Frame('S', new Wire());
        var flush = Wire.Frame('H', new Wire());
        var call = Wire.Frame('F', new Wire().Int32(1598).Int16(1).Int16(0).Int16(1).Value("x").Int16(0));
        var copy = Wire.Frame('d', new Wire().Text("1\tAda\n"));
        var copyDone = Wire.Frame('c', new Wire());
        var copyFail = Wire.Frame('f', new Wire().CString("aborted by the client"));
        var password = Wire.Frame('p', new Wire().CString("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"));
        var terminate = Wire.Frame('X', new Wire());
        return
        [
            [0xFF, .. query],
            [0xFF, .. parse, .. bind, .. describe, .. execute, .. sync],
            [0x00, .. parse, .. bind, .. execute, .. close, .. sync],
            [0xFF, .. call, .. flush, .. terminate],
            [0x07, .. copy, .. copy, .. copyDone, .. copyFail],
            [0xFF, .. password],
        ];
    }

    private static List<byte[]> Backend()
    {
        var row = Wire.Frame('T', new Wire().Int16(2)
            .CString("id").Int32(16384).Int16(1).Int32(23).Int16(4).Int32(-1).Int16(0)
            .CString("email").Int32(16384).Int16(2).Int32(25).Int16(-1).Int32(-1).Int16(0));
        var data = Wire.Frame('D', new Wire().Int16(2).Value("1").Value("ada@example.com"));
        var nulls = Wire.Frame('D', new Wire().Int16(2).Value(null).Value(""));
        var complete = Wire.Frame('C', new Wire().CString("SELECT 2"));
        var ready = Wire.Frame('Z', new Wire().Char('I'));
        var error = Wire.Frame('E', new Wire().Char('S').CString("ERROR").Char('V').CString("ERROR").Char('C').CString("42P01")
            .Char('M').CString("relation \"x\" does not exist").Char('P').CString("15").Byte(0));
        var notice = Wire.Frame('N', new Wire().Char('S').CString("NOTICE").Char('M').CString("hello").Byte(0));
        var status = Wire.Frame('S', new Wire().CString("TimeZone").CString("UTC"));
        var key = Wire.Frame('K', new Wire().Int32(4242).Int32(-99));
        var negotiate = Wire.Frame('v', new Wire().Int32(0).Int32(1).CString("_pq_.option"));
        var parameters = Wire.Frame('t', new Wire().Int16(2).Int32(23).Int32(25));
        var copyOut = Wire.Frame('H', new Wire().Byte(0).Int16(2).Int16(0).Int16(0));
        var copyData = Wire.Frame('d', new Wire().Text("1\tAda\n"));
        var copyDone = Wire.Frame('c', new Wire());
        var notify = Wire.Frame('A', new Wire().Int32(7).CString("channel").CString("payload"));
        var callResult = Wire.Frame('V', new Wire().Value("42"));
        var empties = new[] { '1', '2', '3', 'n', 'I', 's' }.SelectMany(t => Wire.Frame(t, new Wire())).ToArray();
        return
        [
            [0xFF, .. row, .. data, .. nulls, .. complete, .. ready],
            [0x03, .. row, .. data, .. complete, .. ready],
            [0xFF, .. error, .. notice, .. status, .. ready],
            [0xFF, .. key, .. negotiate, .. parameters, .. empties],
            [0xFF, .. copyOut, .. copyData, .. copyData, .. copyDone, .. complete, .. notify, .. callResult, .. ready],
        ];
    }

    private static List<byte[]> Startup()
    {
        var ssl = new Wire().Int32(8).Int32(80877103).ToArray();
        var gss = new Wire().Int32(8).Int32(80877104).ToArray();
        var cancel = new Wire().Int32(16).Int32(80877102).Int32(4242).Int32(99).ToArray();
        var startup = Wire.Startup(196608, new Wire().CString("user").CString("agent-007").CString("database").CString("postgres")
            .CString("application_name").CString("psql").CString("client_encoding").CString("UTF8").Byte(0));
        var password = Wire.Frame('p', new Wire().CString("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"));
        return
        [
            [0xFF, .. ssl, .. startup, .. password],
            [0xFF, .. gss, .. ssl, .. startup, .. password],
            [0x00, .. startup, .. password],
            [0xFF, .. cancel],
        ];
    }

    private static List<byte[]> UpstreamStartup()
    {
        var ok = Wire.Frame('R', new Wire().Int32(0));
        var cleartext = Wire.Frame('R', new Wire().Int32(3));
        var md5 = Wire.Frame('R', new Wire().Int32(5).Bytes(1, 2, 3, 4));
        var sasl = Wire.Frame('R', new Wire().Int32(10).CString("SCRAM-SHA-256").CString("SCRAM-SHA-256-PLUS").Byte(0));
        var saslContinue = Wire.Frame('R', new Wire().Int32(11).Text("r=clientnonceservernonce,s=c2FsdHNhbHQ=,i=4096"));
        var saslFinal = Wire.Frame('R', new Wire().Int32(12).Text("v=c2lnbmF0dXJl"));
        var negotiate = Wire.Frame('v', new Wire().Int32(0).Int32(0));
        var status = Wire.Frame('S', new Wire().CString("server_version").CString("15.4"));
        var key = Wire.Frame('K', new Wire().Int32(4242).Int32(99));
        var notice = Wire.Frame('N', new Wire().Char('S').CString("WARNING").Char('M').CString("hello").Byte(0));
        var ready = Wire.Frame('Z', new Wire().Char('I'));
        var error = Wire.Frame('E', new Wire().Char('S').CString("FATAL").Char('C').CString("28P01").Char('M').CString("password authentication failed").Byte(0));
        return
        [
            [0xFF, .. ok, .. status, .. key, .. ready],
            [0xFF, .. cleartext, .. ok, .. status, .. key, .. ready],
            [0x05, .. md5, .. notice, .. ok, .. key, .. ready],
            [0xFF, .. negotiate, .. sasl, .. saslContinue, .. saslFinal, .. ok, .. key, .. ready],
            [0xFF, .. error],
        ];
    }
}
