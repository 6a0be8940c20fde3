using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gateway.Core.Config;

/// <summary>
/// Expands <c>${NAME}</c> and <c>${NAME:-default}</c> inside scalar values as they are parsed, so that an
/// environment value can never inject YAML structure and errors keep their line numbers. An unset variable
/// without a default is an error at that scalar. <c>$${</c> writes a literal <c>${</c>.
/// </summary>
public sealed class EnvExpandingParser : IParser
{
    private readonly IParser _inner;
    private readonly Func<string, string?> _lookup;
    private ParsingEvent? _current;

    public EnvExpandingParser(IParser inner, Func<string, string?>? lookup = null)
    {
        _inner = inner;
        _lookup = lookup ?? Environment.GetEnvironmentVariable;
    }

    public ParsingEvent? Current => _current;

    public bool MoveNext()
    {
        if (!_inner.MoveNext())
        {
            _current = null;
            return false;
        }

        _current = _inner.Current is Scalar scalar && scalar.Value.Contains('$', StringComparison.Ordinal)
            ? new Scalar(scalar.Anchor, scalar.Tag, Expand(scalar), scalar.Style, scalar.IsPlainImplicit,
                scalar.IsQuotedImplicit, scalar.Start, scalar.End)
            : _inner.Current;
        return true;
    }

    private string Expand(Scalar scalar)
    {
        var text = scalar.Value;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                result.Append("${");
                i += 2;
                continue;
            }
            if (text[i] != '$' || i + 1 >= text.Length || text[i + 1] != '{')
            {
                result.Append(text[i]);
                continue;
            }

            var close = text.IndexOf('}', i + 2);
            if (close < 0)
                throw new YamlException(scalar.Start, scalar.End, $"unterminated '${{' in '{text}'");

            var expression = text[(i + 2)..close];
            var separator = expression.IndexOf(":-", StringComparison.Ordinal);
            var name = separator >= 0 ? expression[..separator] : expression;
            var value = _lookup(name);
            if (string.IsNullOrEmpty(value))
            {
                value = separator >= 0
                    ? expression[(separator + 2)..]
                    : throw new YamlException(scalar.Start, scalar.End, $"environment variable '{name}' is not set");
            }
            result.Append(value);
            i = close;
        }
        return result.ToString();
    }
}
