namespace Gateway.Core.Policy;

/// <summary>
/// A rule file as written (YAML, loaded strictly: unknown keys are errors). <c>schemas/rules.schema.json</c>
/// describes the same shape for editors; docs/rules.md documents every key.
/// </summary>
public sealed class RuleFileModel
{
    /// <summary>Must be 1.</summary>
    public int Version { get; set; }

    /// <summary><c>allow</c> or <c>deny</c>; only the last file of a listener's list decides. Absent means deny.</summary>
    public LocatedWord? Default { get; set; }

    public List<RuleModel> Rules { get; set; } = [];
}

/// <summary>One rule as written.</summary>
public sealed class RuleModel
{
    public string? Id { get; set; }
    public string? Description { get; set; }

    /// <summary>All given conditions must hold; an absent <c>match</c> matches everything.</summary>
    public MatchModel? Match { get; set; }

    /// <summary>allow | deny | mask | require_approval | limit | rewrite.</summary>
    public LocatedWord? Action { get; set; }

    /// <summary>Shown to the client: say what to do instead.</summary>
    public string? Message { get; set; }

    // mask
    public NameList? Columns { get; set; } = NameList.Absent;
    public NameList? Detectors { get; set; } = NameList.Absent;
    public LocatedWord? Strategy { get; set; }

    // limit
    public long? MaxRows { get; set; }
    public long? MaxBytes { get; set; }
    public TimeSpan? StatementTimeout { get; set; }

    /// <summary>Free-form for now: no protocol rewrites yet (lint warns).</summary>
    public Dictionary<string, object>? Rewrite { get; set; }
}

/// <summary>The <c>match</c> mapping of a rule. Lists are any-of; names are globs (<c>*</c>, <c>?</c>).</summary>
public sealed class MatchModel
{
    // Session facts: decided once per session.
    public NameList? Subjects { get; set; } = NameList.Absent;
    public NameList? Groups { get; set; } = NameList.Absent;
    public NameList? Kind { get; set; } = NameList.Absent;
    public NameList? Listeners { get; set; } = NameList.Absent;
    public NameList? Protocol { get; set; } = NameList.Absent;
    public NameList? Databases { get; set; } = NameList.Absent;

    // Command facts.
    public bool? ModifiesData { get; set; }
    public bool? ParseError { get; set; }

    // Statement facts: a statement (nested included) must satisfy all of these.
    public NameList? Statements { get; set; } = NameList.Absent;
    public NameList? Tables { get; set; } = NameList.Absent;
    public NameList? Functions { get; set; } = NameList.Absent;
    public NameList? Settings { get; set; } = NameList.Absent;
    public LocatedWord? Where { get; set; }

    /// <summary>Result columns, for mask rules: the same as the rule's <c>columns</c>.</summary>
    public NameList? Columns { get; set; } = NameList.Absent;
}
