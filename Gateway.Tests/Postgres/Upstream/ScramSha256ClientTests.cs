using System.Text;
using Gateway.Protocols.Postgres.Auth;

namespace Gateway.Tests.Postgres.Upstream;

public sealed class ScramSha256ClientTests
{
    // RFC 7677 section 3: user "user", password "pencil".
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    [Test]
    public void Reproduces_the_RFC_7677_test_vector()
    {
        var scram = new ScramSha256Client("pencil", "user", ClientNonce);

        Assert.That(Text(scram.CreateClientFirst()), Is.EqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        Assert.That(Text(scram.ProcessServerFirst(Bytes(ServerFirst))), Is.EqualTo(ClientFinal));
        scram.VerifyServerFinal(Bytes(ServerFinal));
        Assert.That(scram.IsCompleted, Is.True);
    }

    [Test]
    public void A_second_exchange_with_the_same_password_and_salt_reuses_the_keys()
    {
        var keys = new ScramKeyCache();

        for (var i = 0; i < 2; i++)
        {
            var scram = new ScramSha256Client("pencil", "user", ClientNonce, keys, keyScope: "target");
            scram.CreateClientFirst();
            Assert.That(Text(scram.ProcessServerFirst(Bytes(ServerFirst))), Is.EqualTo(ClientFinal));
            scram.VerifyServerFinal(Bytes(ServerFinal));
        }

        Assert.That(keys.Derivations, Is.EqualTo(1), "PBKDF2 ran once for two exchanges");
    }

    [Test]
    public void Another_password_or_salt_is_derived_anew()
    {
        var keys = new ScramKeyCache();
        var vector = new ScramSha256Client("pencil", "user", ClientNonce, keys);
        vector.CreateClientFirst();
        vector.ProcessServerFirst(Bytes(ServerFirst));

        var otherPassword = new ScramSha256Client("pencil2", "user", ClientNonce, keys);
        otherPassword.CreateClientFirst();
        Assert.That(Text(otherPassword.ProcessServerFirst(Bytes(ServerFirst))), Is.Not.EqualTo(ClientFinal));
        Assert.Throws<PgAuthenticationException>(() => otherPassword.VerifyServerFinal(Bytes(ServerFinal)));

        var otherSalt = new ScramSha256Client("pencil", "user", ClientNonce, keys);
        otherSalt.CreateClientFirst();
        Assert.That(Text(otherSalt.ProcessServerFirst(Bytes(ServerFirst.Replace("s=W22ZaJ0SNY7soEsUEjb6gQ==", "s=X22ZaJ0SNY7soEsUEjb6gQ==")))),
            Is.Not.EqualTo(ClientFinal));

        Assert.That(keys.Derivations, Is.EqualTo(3));
    }

    [Test]
    public void Each_scope_keeps_its_own_keys()
    {
        var keys = new ScramKeyCache();
        byte[] saltA = [1, 2, 3], saltB = [4, 5, 6];

        keys.Get("target-a\npostgres", "pw"u8, saltA, ScramSha256Client.MinIterations);
        keys.Get("target-b\npostgres", "pw"u8, saltA, ScramSha256Client.MinIterations);
        Assert.That(keys.Derivations, Is.EqualTo(2), "another target's identical inputs are not looked up across scopes");

        // A target that hands out a new salt every time replaces only its own entry.
        for (var i = 0; i < 10; i++)
            keys.Get("target-b\npostgres", "pw"u8, [(byte)i, 9, 9], ScramSha256Client.MinIterations);
        var before = keys.Derivations;
        var a = keys.Get("target-a\npostgres", "pw"u8, saltA, ScramSha256Client.MinIterations);
        Assert.That(keys.Derivations, Is.EqualTo(before), "target-a's keys survived");

        var b = keys.Get("target-b\npostgres", "pw"u8, saltB, ScramSha256Client.MinIterations);
        Assert.That(b.ClientKey, Is.Not.EqualTo(a.ClientKey));
    }

    [Test]
    public void Default_client_first_uses_an_empty_name_and_a_random_nonce()
    {
        var first = Text(new ScramSha256Client("pw").CreateClientFirst());
        var second = Text(new ScramSha256Client("pw").CreateClientFirst());

        Assert.That(first, Does.StartWith("n,,n=,r="));
        Assert.That(first.Length, Is.EqualTo("n,,n=,r=".Length + 24));
        Assert.That(first, Is.Not.EqualTo(second));
    }

    [Test]
    public void Names_with_comma_and_equals_are_escaped()
    {
        var first = Text(new ScramSha256Client("pw", "a,b=c", "nonce").CreateClientFirst());

        Assert.That(first, Is.EqualTo("n,,n=a=2Cb=3Dc,r=nonce"));
    }

    [Test]
    public void Wrong_server_signature_fails()
    {
        var scram = Started();

        var e = Assert.Throws<PgAuthenticationException>(() => scram.VerifyServerFinal(Bytes("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")))!;
        Assert.That(e.Message, Does.Contain("does not match"));
        Assert.That(scram.IsCompleted, Is.False);
    }

    [Test]
    public void Server_final_without_signature_fails()
    {
        var scram = Started();

        Assert.Throws<PgAuthenticationException>(() => scram.VerifyServerFinal(Bytes("x=1")));
    }

    [Test]
    public void Server_final_error_is_reported()
    {
        var scram = Started();

        var e = Assert.Throws<PgAuthenticationException>(() => scram.VerifyServerFinal(Bytes("e=invalid-proof")))!;
        Assert.That(e.Message, Does.Contain("invalid-proof"));
    }

    [TestCase("r=someoneelse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "does not extend")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "does not extend")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095", "iteration count")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001", "iteration count")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096", "iteration count")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999", "iteration count")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOx,s=not*base64,i=4096", "not base64")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096", "empty salt")]
    [TestCase("m=ext,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "extension")]
    [TestCase("s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOx,i=4096", "expected attribute r=")]
    [TestCase("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==", "must have")]
    public void Bad_server_first_is_refused(string serverFirst, string reason)
    {
        var scram = new ScramSha256Client("pencil", "user", ClientNonce);
        scram.CreateClientFirst();

        var e = Assert.Throws<PgAuthenticationException>(() => scram.ProcessServerFirst(Bytes(serverFirst)))!;
        Assert.That(e.Message, Does.Contain(reason));
    }

    [Test]
    public void Oversized_server_nonce_and_salt_are_refused()
    {
        var longNonce = new ScramSha256Client("pencil", "user", ClientNonce);
        longNonce.CreateClientFirst();
        var salt = new ScramSha256Client("pencil", "user", ClientNonce);
        salt.CreateClientFirst();

        Assert.Throws<PgAuthenticationException>(() => longNonce.ProcessServerFirst(Bytes($"r={ClientNonce}{new string('x', 600)},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")));
        Assert.Throws<PgAuthenticationException>(() => salt.ProcessServerFirst(Bytes($"r={ClientNonce}x,s={Convert.ToBase64String(new byte[600])},i=4096")));
    }

    [Test]
    public void Steps_out_of_order_are_refused()
    {
        var scram = new ScramSha256Client("pencil", "user", ClientNonce);

        Assert.Throws<InvalidOperationException>(() => scram.ProcessServerFirst(Bytes(ServerFirst)));
        scram.CreateClientFirst();
        Assert.Throws<InvalidOperationException>(() => scram.VerifyServerFinal(Bytes(ServerFinal)));
    }

    private static ScramSha256Client Started()
    {
        var scram = new ScramSha256Client("pencil", "user", ClientNonce);
        scram.CreateClientFirst();
        scram.ProcessServerFirst(Bytes(ServerFirst));
        return scram;
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
