namespace Gateway.Protocols.Postgres.Analysis;

/// <summary>
/// One token of the PostgreSQL lexer: byte offsets into the UTF-8 text (<see cref="End"/> exclusive), the
/// token number of libpg_query's <c>Token</c> enum and its <c>KeywordKind</c> (0 for non-keywords).
/// </summary>
internal readonly record struct SqlToken(int Start, int End, int Token, int KeywordKind)
{
    // Values from pg_query.proto (libpg_query 15-4.x), enum Token.
    public const int OpenParenthesis = 40;
    public const int EqualsSign = 61;
    public const int Identifier = 258;
    public const int UnicodeIdentifier = 259;
    public const int FloatConstant = 260;
    public const int StringConstant = 261;
    public const int UnicodeStringConstant = 262;
    public const int BitStringConstant = 263;
    public const int HexStringConstant = 264;
    public const int IntegerConstant = 266;
    public const int SqlComment = 275;
    public const int CComment = 276;
    public const int FloatKeyword = 422;
    public const int ToKeyword = 673;
    public const int UnicodeEscapeKeyword = 685;

    public bool IsStringConstant => Token is StringConstant or UnicodeStringConstant;

    public bool IsComment => Token is SqlComment or CComment;

    /// <summary>An identifier or any keyword: what can name an option.</summary>
    public bool IsName => Token is Identifier or UnicodeIdentifier || KeywordKind != 0;
}
