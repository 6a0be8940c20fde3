using System.Text.Json;

namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// Reading helpers for libpg_query's JSON tree. A node in a generic (<c>Node *</c>) field is wrapped as
/// <c>{"TypeName": {fields}}</c>; a field of a concrete struct type holds the fields directly; fields equal to
/// their zero value (false, 0, empty) are omitted.
/// </summary>
internal static class TreeJson
{
    /// <summary>Unwraps <c>{"TypeName": {...}}</c>; false when <paramref name="element"/> is not a wrapped node.</summary>
    public static bool TryUnwrap(JsonElement element, out JsonProperty node)
    {
        node = default;
        if (element.ValueKind != JsonValueKind.Object)
            return false;
        var properties = element.EnumerateObject();
        if (!properties.MoveNext())
            return false;
        var first = properties.Current;
        if (properties.MoveNext() || first.Value.ValueKind != JsonValueKind.Object)
            return false;
        var name = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8PropertyName(first);
        if (name.IsEmpty || name[0] < (byte)'A' || name[0] > (byte)'Z')
            return false;
        node = first;
        return true;
    }

    public static string? GetString(JsonElement body, ReadOnlySpan<byte> field)
        => body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool GetBool(JsonElement body, ReadOnlySpan<byte> field)
        => body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.True;

    public static bool Has(JsonElement body, ReadOnlySpan<byte> field) => body.TryGetProperty(field, out _);

    /// <summary>The <c>sval</c>s of a list of <c>String</c> nodes (a qualified name), or null if any item is not one.</summary>
    public static List<string>? GetNameList(JsonElement list)
    {
        if (list.ValueKind != JsonValueKind.Array)
            return null;
        var names = new List<string>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (!TryUnwrap(item, out var node) || !node.NameEquals("String"u8))
                return null;
            names.Add(GetString(node.Value, "sval"u8) ?? "");
        }
        return names;
    }

    /// <summary>
    /// The value of a string literal, looking through casts (<c>'...'::text</c>); null when the expression is
    /// anything else.
    /// </summary>
    public static string? GetStringLiteral(JsonElement expression)
    {
        while (TryUnwrap(expression, out var node))
        {
            if (node.NameEquals("TypeCast"u8) && node.Value.TryGetProperty("arg"u8, out var inner))
            {
                expression = inner;
                continue;
            }
            if (node.NameEquals("A_Const"u8) && node.Value.TryGetProperty("sval"u8, out var sval))
                return GetString(sval, "sval"u8) ?? "";
            return null;
        }
        return null;
    }

    /// <summary>
    /// The text of any literal — a string, a number, a boolean — looking through casts; null for an expression
    /// or NULL. Zero-valued numbers are stored without their value (<c>{"ival":{}}</c>).
    /// </summary>
    public static string? GetConstantText(JsonElement expression)
    {
        while (TryUnwrap(expression, out var node))
        {
            if (node.NameEquals("TypeCast"u8) && node.Value.TryGetProperty("arg"u8, out var inner))
            {
                expression = inner;
                continue;
            }
            if (!node.NameEquals("A_Const"u8))
                return null;
            var body = node.Value;
            if (body.TryGetProperty("sval"u8, out var sval))
                return GetString(sval, "sval"u8) ?? "";
            if (body.TryGetProperty("ival"u8, out var ival))
                return ival.TryGetProperty("ival"u8, out var number) ? number.GetRawText() : "0";
            if (body.TryGetProperty("fval"u8, out var fval))
                return GetString(fval, "fval"u8) ?? "0";
            if (body.TryGetProperty("boolval"u8, out var boolval))
                return GetBool(boolval, "boolval"u8) ? "true" : "false";
            return null;
        }
        return null;
    }

    /// <summary>True for a literal that is not a string (a number, a bit string, NULL), casts looked through.</summary>
    public static bool IsNonStringLiteral(JsonElement expression)
    {
        while (TryUnwrap(expression, out var node))
        {
            if (node.NameEquals("TypeCast"u8) && node.Value.TryGetProperty("arg"u8, out var inner))
            {
                expression = inner;
                continue;
            }
            return node.NameEquals("A_Const"u8) && !node.Value.TryGetProperty("sval"u8, out _);
        }
        return false;
    }
}
