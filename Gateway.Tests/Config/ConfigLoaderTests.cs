using Gateway.Core.Config;

namespace Gateway.Tests.Config;

public sealed class ConfigLoaderTests
{
    private const string Minimal = """
        state_dir: ./state
        identity:
          dev_issuer: true
        listeners:
          - name: pg
            protocol: postgres
            bind: 127.0.0.1:15432
            target:
              host: 127.0.0.1
              port: 5432
              password_env: PG_PASSWORD
            rules: [rules.yaml]
        """;

    [Test]
    public void Minimal_file_loads_with_defaults()
    {
        var config = ConfigLoader.Parse("/etc/gw/gateway.yaml", Minimal);

        Assert.That(config.Node, Is.EqualTo(Environment.MachineName));
        Assert.That(config.StateDirectory, Is.EqualTo("/etc/gw/state"));
        Assert.That(config.Identity.MaxTokenLifetime, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(config.Audit.Durability, Is.EqualTo(Durability.Buffered));
        var listener = config.Listeners.Single();
        Assert.That(listener.Tls.Mode, Is.EqualTo(ListenerTlsMode.Auto));
        Assert.That(listener.Target.Tls, Is.EqualTo(TargetTlsMode.Prefer));
        Assert.That(listener.Target.PasswordEnv, Is.EqualTo("PG_PASSWORD"));
        Assert.That(listener.Target.Pool.Enabled, Is.False, "reusing upstream sessions is opt-in");
    }

    [Test]
    public void Target_pool_reads_its_limits()
    {
        var text = Minimal.Replace("      password_env: PG_PASSWORD", "      password_env: PG_PASSWORD\n      pool: { max_idle: 8, idle_timeout: 30s, max_lifetime: 2h }", StringComparison.Ordinal);

        var pool = ConfigLoader.Parse("g.yaml", text).Listeners.Single().Target.Pool;

        Assert.That((pool.Enabled, pool.MaxIdle, pool.IdleTimeout, pool.MaxLifetime), Is.EqualTo((true, 8, TimeSpan.FromSeconds(30), TimeSpan.FromHours(2))));
    }

    [TestCase("max_idle: -1", "listeners[0].target.pool.max_idle")]
    [TestCase("max_idle: 1001", "listeners[0].target.pool.max_idle")]
    [TestCase("max_idle: 2, idle_timeout: 0s", "listeners[0].target.pool.idle_timeout")]
    [TestCase("max_idle: 2, max_lifetime: 0s", "listeners[0].target.pool.max_lifetime")]
    public void Target_pool_limits_out_of_range_are_refused_with_their_key(string pool, string key)
    {
        var text = Minimal.Replace("      password_env: PG_PASSWORD", $"      password_env: PG_PASSWORD\n      pool: {{ {pool} }}", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", text))!.Errors.Single();

        Assert.That(error.Key, Is.EqualTo(key));
    }

    [Test]
    public void A_relative_target_ca_file_is_relative_to_the_config_file_not_the_working_directory()
    {
        var text = Minimal.Replace("      password_env: PG_PASSWORD", "      password_env: PG_PASSWORD\n      tls: verify-full\n      ca_file: certs/pg-ca.pem", StringComparison.Ordinal);

        var config = ConfigLoader.Parse("/etc/gw/gateway.yaml", text);

        Assert.That(config.Listeners.Single().Target.CaFile, Is.EqualTo("/etc/gw/certs/pg-ca.pem"));
    }

    [Test]
    public void Shipped_example_loads()
    {
        var path = Path.Combine(RepoPaths.Root, "examples", "gateway.yaml");
        var config = ConfigLoader.Load(path);

        Assert.That(config.Node, Is.EqualTo("gw-1"));
        Assert.That(config.Listeners.Single().Rules.Single(), Is.EqualTo("rules/agents.yaml"));
    }

    [Test]
    public void Unknown_key_names_file_line_and_key()
    {
        var text = Minimal.Replace("    bind: 127.0.0.1:15432", "    bind: 127.0.0.1:15432\n    bnid: typo", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("/x/gateway.yaml", text))!.Errors.Single();

        Assert.That(error.File, Is.EqualTo("/x/gateway.yaml"));
        Assert.That(error.Line, Is.EqualTo(8));
        Assert.That(error.Key, Is.EqualTo("bnid"));
        Assert.That(error.ToString(), Does.Contain("unknown key 'bnid'"));
    }

    [Test]
    public void Wrong_type_names_the_line()
    {
        var text = Minimal.Replace("port: 5432", "port: fifty", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", text))!.Errors.Single();

        Assert.That(error.Line, Is.EqualTo(10));
        Assert.That(error.ToString(), Does.StartWith("g.yaml:10:"));
    }

    [Test]
    public void Bad_enum_value_lists_the_allowed_ones()
    {
        var text = Minimal.Replace("port: 5432", "port: 5432\n      tls: maybe", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", text))!.Errors.Single();

        Assert.That(error.Line, Is.EqualTo(11));
        Assert.That(error.Message, Does.Contain("disable, prefer, require, verify_full"));
    }

    [Test]
    public void Bad_duration_is_located()
    {
        var text = Minimal.Replace("  dev_issuer: true", "  dev_issuer: true\n  clock_skew: soon", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", text))!.Errors.Single();

        Assert.That(error.Line, Is.EqualTo(4));
        Assert.That(error.Message, Does.Contain("not a duration"));
    }

    [Test]
    public void Missing_required_values_are_all_reported_with_their_keys()
    {
        const string text = """
            identity:
              dev_issuer: false
            listeners:
              - name: pg
                protocol: postgres
                bind: 127.0.0.1:1
                target:
                  port: 0
            """;

        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", text))!.Errors;
        var keys = errors.Select(e => e.Key).ToList();

        Assert.That(keys, Does.Contain("identity"));
        Assert.That(keys, Does.Contain("listeners[0].target.host"));
        Assert.That(keys, Does.Contain("listeners[0].target.port"));
        Assert.That(keys, Does.Contain("listeners[0].rules"));
        var host = errors.Single(e => e.Key == "listeners[0].target.host");
        Assert.That(host.Line, Is.EqualTo(8), "the line of the mapping that lacks the key");
    }

    [Test]
    public void Tls_off_is_refused_on_a_non_loopback_bind()
    {
        var text = Minimal.Replace("bind: 127.0.0.1:15432", "bind: 0.0.0.0:15432\n    tls: off", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", text))!.Errors.Single();

        Assert.That(error.Key, Is.EqualTo("listeners[0].tls"));
    }

    [Test]
    public void Tls_mapping_reads_certificate_and_key()
    {
        var text = Minimal.Replace("bind: 127.0.0.1:15432", "bind: 127.0.0.1:15432\n    tls: { certificate: c.pem, key: k.pem }", StringComparison.Ordinal);

        var tls = ConfigLoader.Parse("g.yaml", text).Listeners[0].Tls;

        Assert.That(tls.Mode, Is.EqualTo(ListenerTlsMode.Files));
        Assert.That(tls.Certificate, Is.EqualTo("c.pem"));
        Assert.That(tls.Key, Is.EqualTo("k.pem"));
    }

    [Test]
    public void Environment_variables_expand_inside_scalars()
    {
        Environment.SetEnvironmentVariable("GW_TEST_NODE", "node-from-env");
        try
        {
            var config = ConfigLoader.Parse("g.yaml", "node: ${GW_TEST_NODE}\nstate_dir: ${GW_TEST_UNSET:-/var/gw}\n" + Minimal[(Minimal.IndexOf('\n') + 1)..]);

            Assert.That(config.Node, Is.EqualTo("node-from-env"));
            Assert.That(config.StateDir, Is.EqualTo("/var/gw"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GW_TEST_NODE", null);
        }
    }

    [Test]
    public void Unset_environment_variable_is_an_error_at_its_line()
    {
        var text = Minimal.Replace("state_dir: ./state", "state_dir: ${GW_TEST_DEFINITELY_UNSET}", StringComparison.Ordinal);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", text))!.Errors.Single();

        Assert.That(error.Line, Is.EqualTo(1));
        Assert.That(error.Message, Does.Contain("GW_TEST_DEFINITELY_UNSET"));
    }

    [Test]
    public void Expanded_values_cannot_inject_structure()
    {
        Environment.SetEnvironmentVariable("GW_TEST_INJECT", "x\nadmin:\n  bind: 0.0.0.0:1");
        try
        {
            var config = ConfigLoader.Parse("g.yaml", "node: \"${GW_TEST_INJECT}\"\n" + Minimal);

            Assert.That(config.Node, Is.EqualTo("x\nadmin:\n  bind: 0.0.0.0:1"));
            Assert.That(config.Admin.Bind, Is.Null);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GW_TEST_INJECT", null);
        }
    }

    [Test]
    public void Duplicate_keys_are_refused()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("g.yaml", "node: a\nnode: b\n" + Minimal[(Minimal.IndexOf('\n') + 1)..]))!.Errors.Single();

        Assert.That(error.Line, Is.EqualTo(2));
    }

    [TestCase("500ms", 0.5)]
    [TestCase("30s", 30)]
    [TestCase("10m", 600)]
    [TestCase("1h", 3600)]
    [TestCase("2d", 172800)]
    [TestCase("45", 45)]
    public void Durations_parse(string text, double seconds) =>
        Assert.That(DurationText.Parse(text), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("")]
    [TestCase("-1s")]
    [TestCase("10 parsecs")]
    [TestCase("1w")]
    public void Bad_durations_are_refused(string text) =>
        Assert.That(DurationText.TryParse(text, out _), Is.False);
}
