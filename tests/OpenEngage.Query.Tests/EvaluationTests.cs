namespace OpenEngage.Query.Tests;

/// <summary>
/// One row per typing rule, evaluated against <see cref="TestKit.ProfileJson"/> at <see cref="TestKit.Now"/>.
/// The expected column is the value's debug text: undefined, null, true, 12.5, "text", [..], datetime(..).
/// </summary>
public class EvaluationTests
{
    [Theory]
    [InlineData("properties[\"name\"]", "\"Alice\"")]
    [InlineData("user[\"name\"]", "\"Alice\"")]
    [InlineData("PROPERTIES[\"age\"]", "30")]
    [InlineData("properties[\"missing\"]", "undefined")]
    [InlineData("properties[\"Name\"]", "undefined")]
    [InlineData("properties[\"nothing\"]", "null")]
    [InlineData("properties[\"tags\"]", "[\"a\", \"b\", 3]")]
    [InlineData("properties[\"addr\"]", "{\"city\": \"Paris\"}")]
    [InlineData("properties[\"big\"]", "1E+40")]
    [InlineData("properties[\"$last_seen\"]", "\"2024-03-05T10:20:30\"")]
    public void Property_access(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("\"plain\"", "\"plain\"")]
    [InlineData("\"q\\\"b\\\\s\"", "\"q\\\"b\\\\s\"")]
    [InlineData("\"a\\nb\\tc\"", "\"a\\nb\\tc\"")]
    [InlineData("\"\\u00e9\\u00C9\"", "\"éÉ\"")]
    [InlineData("\"\\/\"", "\"/\"")]
    [InlineData("12", "12")]
    [InlineData("12.50", "12.5")]
    [InlineData("0.0", "0")]
    [InlineData("1.5e3", "1500")]
    [InlineData("1E-2", "0.01")]
    [InlineData("2e+2", "200")]
    [InlineData("1e-30", "1E-30")]
    [InlineData("1e300", "1E+300")]
    [InlineData("true", "true")]
    [InlineData("FALSE", "false")]
    [InlineData("True", "true")]
    public void Literals(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("1 == 1", "true")]
    [InlineData("1 == 1.0", "true")]
    [InlineData("1 == 2", "false")]
    [InlineData("1 == \"1\"", "false")]
    [InlineData("\"1\" != 1", "true")]
    [InlineData("\"a\" == \"a\"", "true")]
    [InlineData("\"a\" == \"A\"", "false")]
    [InlineData("\"a\" != \"a\"", "false")]
    [InlineData("true == 1", "false")]
    [InlineData("false == 0", "false")]
    [InlineData("false == \"\"", "false")]
    [InlineData("true == true", "true")]
    [InlineData("properties[\"vip\"] == true", "true")]
    [InlineData("properties[\"vip\"] != true", "false")]
    [InlineData("properties[\"missing\"] == properties[\"missing\"]", "false")]
    [InlineData("properties[\"missing\"] != properties[\"missing\"]", "true")]
    [InlineData("properties[\"missing\"] == 1", "false")]
    [InlineData("properties[\"missing\"] != 1", "true")]
    [InlineData("properties[\"missing\"] == \"\"", "false")]
    [InlineData("properties[\"nothing\"] == properties[\"nothing\"]", "true")]
    [InlineData("properties[\"nothing\"] == false", "false")]
    [InlineData("properties[\"nothing\"] == properties[\"missing\"]", "false")]
    [InlineData("properties[\"tags\"] == properties[\"tags\"]", "true")]
    [InlineData("properties[\"tags\"] == \"a\"", "false")]
    [InlineData("properties[\"tags\"] == properties[\"empty_list\"]", "false")]
    [InlineData("properties[\"addr\"] == properties[\"addr\"]", "true")]
    [InlineData("properties[\"addr\"] == \"Paris\"", "false")]
    [InlineData("properties[\"score\"] == 12.5", "true")]
    [InlineData("properties[\"num_text\"] == 12.5", "false")]
    [InlineData("number(properties[\"num_text\"]) == 12.5", "true")]
    [InlineData("0.1 + 0.2 == 0.3", "true")]
    [InlineData("properties[\"big\"] == 1e40", "true")]
    [InlineData("datetime(\"2024-03-05T10:20:30\") == properties[\"$last_seen\"]", "true")]
    [InlineData("properties[\"text_date\"] == datetime(\"2024-03-05\")", "true")]
    [InlineData("datetime(\"2024-03-05\") == \"2024-03-05T00:00:00Z\"", "true")]
    [InlineData("datetime(\"2024-03-05\") == \"not a date\"", "false")]
    [InlineData("datetime(\"2024-01-01\") == 1704067200", "false")]
    [InlineData("datetime(\"2024-01-01\") != 1704067200", "true")]
    [InlineData("properties[\"$last_seen\"] == \"2024-03-05T10:20:30\"", "true")]
    [InlineData("properties[\"$last_seen\"] == \"2024-03-05T10:20:30Z\"", "false")]
    public void Equality_is_false_across_types_and_not_equal_is_its_negation(string where, string expected) =>
        Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("2 > 1", "true")]
    [InlineData("1 > 2", "false")]
    [InlineData("1 >= 1", "true")]
    [InlineData("1 <= 1", "true")]
    [InlineData("1 < 1", "false")]
    [InlineData("-1 < 0", "true")]
    [InlineData("properties[\"score\"] > 12.4999", "true")]
    [InlineData("properties[\"big\"] > 1", "true")]
    [InlineData("properties[\"neg\"] < properties[\"zero\"]", "true")]
    [InlineData("\"b\" > \"a\"", "undefined")]
    [InlineData("\"10\" > 9", "undefined")]
    [InlineData("9 < \"10\"", "undefined")]
    [InlineData("true > false", "undefined")]
    [InlineData("properties[\"missing\"] > 1", "undefined")]
    [InlineData("1 > properties[\"missing\"]", "undefined")]
    [InlineData("properties[\"missing\"] <= properties[\"missing\"]", "undefined")]
    [InlineData("properties[\"nothing\"] < 1", "undefined")]
    [InlineData("properties[\"tags\"] > 1", "undefined")]
    [InlineData("properties[\"addr\"] >= properties[\"addr\"]", "undefined")]
    [InlineData("properties[\"$last_seen\"] > datetime(\"2024-01-01\")", "true")]
    [InlineData("properties[\"$last_seen\"] < datetime(\"2024-01-01\")", "false")]
    [InlineData("datetime(\"2024-01-01\") < properties[\"$last_seen\"]", "true")]
    [InlineData("datetime(properties[\"$last_seen\"]) > datetime(\"2024-03-05T10:20:29\")", "true")]
    [InlineData("datetime(properties[\"$last_seen\"]) >= \"2024-03-05T10:20:30\"", "true")]
    [InlineData("datetime(properties[\"$last_seen\"]) > \"2024-03-05T10:20:30\"", "false")]
    [InlineData("properties[\"$created\"] <= datetime(\"2023-01-01\")", "true")]
    [InlineData("properties[\"$last_seen\"] > \"2024-01-01\"", "undefined")]
    [InlineData("datetime(\"2024-01-01\") > 5", "undefined")]
    [InlineData("datetime(\"2024-01-01\") > \"garbage\"", "undefined")]
    [InlineData("properties[\"name\"] > datetime(\"2024-01-01\")", "undefined")]
    [InlineData("datetime(\"2024-01-01T00:00:00+01:00\") < datetime(\"2024-01-01T00:00:00Z\")", "true")]
    public void Ordering_only_between_numbers_or_datetimes(string where, string expected) =>
        Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("1 + 2", "3")]
    [InlineData("\"a\" + \"b\"", "\"ab\"")]
    [InlineData("properties[\"name\"] + \"!\"", "\"Alice!\"")]
    [InlineData("\"a\" + 1", "undefined")]
    [InlineData("1 + \"1\"", "undefined")]
    [InlineData("true + 1", "undefined")]
    [InlineData("properties[\"missing\"] + 1", "undefined")]
    [InlineData("properties[\"tags\"] + properties[\"tags\"]", "undefined")]
    [InlineData("7 - 10", "-3")]
    [InlineData("\"a\" - \"b\"", "undefined")]
    [InlineData("2.5 * 4", "10")]
    [InlineData("\"ab\" * 2", "undefined")]
    [InlineData("7 / 2", "3.5")]
    [InlineData("1 / 3", "0.3333333333333333333333333333")]
    [InlineData("7 % 3", "1")]
    [InlineData("-7 % 3", "-1")]
    [InlineData("7.5 % 2", "1.5")]
    [InlineData("1 / 0", "undefined")]
    [InlineData("1 % 0", "undefined")]
    [InlineData("1 / 0.0", "undefined")]
    [InlineData("properties[\"big\"] / 0", "undefined")]
    [InlineData("properties[\"age\"] / properties[\"zero\"]", "undefined")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData("properties[\"big\"] * properties[\"big\"]", "1E+80")]
    [InlineData("properties[\"big\"] * 1e300", "undefined")]
    [InlineData("79228162514264337593543950335 + 1", "7.922816251426434E+28")]
    [InlineData("-properties[\"age\"]", "-30")]
    [InlineData("--3", "3")]
    [InlineData("-\"a\"", "undefined")]
    [InlineData("-properties[\"missing\"]", "undefined")]
    public void Arithmetic(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("\"li\" in properties[\"name\"]", "true")]
    [InlineData("\"x\" in properties[\"name\"]", "false")]
    [InlineData("\"A\" in \"abc\"", "false")]
    [InlineData("\"\" in \"abc\"", "true")]
    [InlineData("\"a\" in properties[\"tags\"]", "true")]
    [InlineData("3 in properties[\"tags\"]", "true")]
    [InlineData("3.0 in properties[\"tags\"]", "true")]
    [InlineData("\"3\" in properties[\"tags\"]", "false")]
    [InlineData("\"c\" in properties[\"tags\"]", "false")]
    [InlineData("\"a\" in properties[\"empty_list\"]", "false")]
    [InlineData("1 in properties[\"name\"]", "undefined")]
    [InlineData("\"a\" in properties[\"missing\"]", "undefined")]
    [InlineData("properties[\"missing\"] in properties[\"tags\"]", "undefined")]
    [InlineData("properties[\"missing\"] in \"abc\"", "undefined")]
    [InlineData("\"a\" in 5", "undefined")]
    [InlineData("\"Paris\" in properties[\"addr\"]", "undefined")]
    [InlineData("\"x\" not in properties[\"name\"]", "true")]
    [InlineData("\"a\" not in properties[\"tags\"]", "false")]
    [InlineData("\"a\" not in properties[\"missing\"]", "true")]
    public void In_is_substring_or_membership(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("true and true", "true")]
    [InlineData("true and false", "false")]
    [InlineData("false or true", "true")]
    [InlineData("false or false", "false")]
    [InlineData("true and properties[\"missing\"]", "false")]
    [InlineData("properties[\"missing\"] and true", "false")]
    [InlineData("properties[\"missing\"] or true", "true")]
    [InlineData("properties[\"missing\"] or false", "false")]
    [InlineData("properties[\"missing\"] or properties[\"missing\"]", "false")]
    [InlineData("not properties[\"missing\"]", "true")]
    [InlineData("not (1 > \"a\")", "true")]
    [InlineData("not true", "false")]
    [InlineData("not false", "true")]
    [InlineData("not not true", "true")]
    [InlineData("properties[\"name\"] and properties[\"vip\"]", "true")]
    [InlineData("properties[\"empty\"] or properties[\"zero\"]", "false")]
    [InlineData("properties[\"nothing\"] or properties[\"off\"]", "false")]
    [InlineData("not properties[\"empty_list\"]", "true")]
    [InlineData("1 and 2", "true")]
    [InlineData("TRUE AND NOT FALSE", "true")]
    public void And_or_not_use_truthiness_with_undefined_false(string where, string expected) =>
        Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("defined(properties[\"name\"])", "true")]
    [InlineData("defined(properties[\"missing\"])", "false")]
    [InlineData("defined(properties[\"nothing\"])", "true")]
    [InlineData("defined(properties[\"empty\"])", "true")]
    [InlineData("defined(1 / 0)", "false")]
    [InlineData("defined(\"a\" + 1)", "false")]
    [InlineData("not defined(properties[\"missing\"])", "true")]
    [InlineData("DEFINED(properties[\"off\"])", "true")]
    public void Defined(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("number(\"abc\")", "undefined")]
    [InlineData("number(\"12.5\")", "12.5")]
    [InlineData("number(\"-4\")", "-4")]
    [InlineData("number(\" 7 \")", "7")]
    [InlineData("number(\"1e3\")", "1000")]
    [InlineData("number(\"\")", "undefined")]
    [InlineData("number(\"NaN\")", "undefined")]
    [InlineData("number(\"Infinity\")", "undefined")]
    [InlineData("number(\"0x10\")", "undefined")]
    [InlineData("number(\"1,000\")", "undefined")]
    [InlineData("number(true)", "1")]
    [InlineData("number(false)", "0")]
    [InlineData("number(12)", "12")]
    [InlineData("number(properties[\"num_text\"])", "12.5")]
    [InlineData("number(properties[\"nothing\"])", "undefined")]
    [InlineData("number(properties[\"tags\"])", "undefined")]
    [InlineData("number(properties[\"missing\"])", "undefined")]
    [InlineData("number(datetime(\"1970-01-02\"))", "86400")]
    [InlineData("number(datetime(properties[\"$last_seen\"]))", "1709634030")]
    public void Number(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("string(12.5)", "\"12.5\"")]
    [InlineData("string(3.0)", "\"3\"")]
    [InlineData("string(-0.5)", "\"-0.5\"")]
    [InlineData("string(true)", "\"true\"")]
    [InlineData("string(\"x\")", "\"x\"")]
    [InlineData("string(datetime(\"2024-03-05T12:20:30+02:00\"))", "\"2024-03-05T10:20:30\"")]
    [InlineData("string(properties[\"tags\"])", "\"[\\\"a\\\",\\\"b\\\",3]\"")]
    [InlineData("string(properties[\"addr\"])", "\"{\\\"city\\\":\\\"Paris\\\"}\"")]
    [InlineData("string(properties[\"nothing\"])", "\"null\"")]
    [InlineData("string(properties[\"missing\"])", "undefined")]
    [InlineData("string(1) + \"x\"", "\"1x\"")]
    [InlineData("string(properties[\"age\"]) == \"30\"", "true")]
    public void String(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("boolean(\"\")", "false")]
    [InlineData("boolean(\"x\")", "true")]
    [InlineData("boolean(\"false\")", "true")]
    [InlineData("boolean(0)", "false")]
    [InlineData("boolean(0.0)", "false")]
    [InlineData("boolean(2)", "true")]
    [InlineData("boolean(-1)", "true")]
    [InlineData("boolean(true)", "true")]
    [InlineData("boolean(false)", "false")]
    [InlineData("boolean(properties[\"tags\"])", "true")]
    [InlineData("boolean(properties[\"empty_list\"])", "false")]
    [InlineData("boolean(properties[\"addr\"])", "true")]
    [InlineData("boolean(properties[\"missing\"])", "false")]
    [InlineData("boolean(properties[\"nothing\"])", "false")]
    [InlineData("boolean(datetime(\"2024-01-01\"))", "true")]
    public void Boolean(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("list(properties[\"tags\"])", "[\"a\", \"b\", 3]")]
    [InlineData("list(properties[\"empty_list\"])", "[]")]
    [InlineData("list(\"a\")", "undefined")]
    [InlineData("list(\"[1]\")", "undefined")]
    [InlineData("list(1)", "undefined")]
    [InlineData("list(properties[\"missing\"])", "undefined")]
    [InlineData("\"b\" in list(properties[\"tags\"])", "true")]
    public void List(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("datetime(\"2024-03-05T10:20:30\")", "datetime(2024-03-05T10:20:30)")]
    [InlineData("datetime(\"2024-03-05\")", "datetime(2024-03-05T00:00:00)")]
    [InlineData("datetime(\"2024-03-05 10:20\")", "datetime(2024-03-05T10:20:00)")]
    [InlineData("datetime(\"2024-03-05T10:20:30.5Z\")", "datetime(2024-03-05T10:20:30.5)")]
    [InlineData("datetime(\"2024-03-05T12:20:30+02:00\")", "datetime(2024-03-05T10:20:30)")]
    [InlineData("datetime(properties[\"$last_seen\"])", "datetime(2024-03-05T10:20:30)")]
    [InlineData("datetime(0)", "datetime(1970-01-01T00:00:00)")]
    [InlineData("datetime(1709634030)", "datetime(2024-03-05T10:20:30)")]
    [InlineData("datetime(1.5)", "datetime(1970-01-01T00:00:01.5)")]
    [InlineData("datetime(-86400)", "datetime(1969-12-31T00:00:00)")]
    [InlineData("datetime(datetime(\"2024-03-05\"))", "datetime(2024-03-05T00:00:00)")]
    [InlineData("datetime(\"March 5\")", "undefined")]
    [InlineData("datetime(\"03/05/2024\")", "undefined")]
    [InlineData("datetime(\"2024-13-01\")", "undefined")]
    [InlineData("datetime(\"\")", "undefined")]
    [InlineData("datetime(true)", "undefined")]
    [InlineData("datetime(1e20)", "undefined")]
    [InlineData("datetime(properties[\"tags\"])", "undefined")]
    [InlineData("datetime(properties[\"missing\"])", "undefined")]
    public void Datetime(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("NOW", "1717200000")]
    [InlineData("now", "1717200000")]
    [InlineData("NOW - 86400", "1717113600")]
    [InlineData("datetime(NOW)", "datetime(2024-06-01T00:00:00)")]
    [InlineData("datetime(properties[\"$last_seen\"]) > datetime(NOW - 86400 * 365)", "true")]
    [InlineData("datetime(properties[\"$last_seen\"]) > datetime(NOW - 86400)", "false")]
    [InlineData("properties[\"$last_seen\"] > datetime(NOW - 86400 * 100)", "true")]
    [InlineData("number(datetime(properties[\"$last_seen\"])) > NOW - 86400 * 100", "true")]
    [InlineData("properties[\"$last_seen\"] > NOW", "undefined")]
    public void Now_is_the_injected_clock_in_unix_seconds(string where, string expected) =>
        Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Fact]
    public void Now_comes_from_the_caller_not_the_machine_clock()
    {
        var expression = WhereExpression.Parse("NOW");
        Assert.Equal("0", expression.Evaluate([], DateTimeOffset.UnixEpoch).ToString());
        Assert.Equal("1.5", WhereExpression.Parse("number(datetime(NOW + 1.5))").Evaluate([], DateTimeOffset.UnixEpoch).ToString());
        Assert.Equal("1", expression.Evaluate([], DateTimeOffset.UnixEpoch.AddMilliseconds(1999)).ToString());
    }

    [Theory]
    [InlineData("floor(2.7)", "2")]
    [InlineData("floor(-2.5)", "-3")]
    [InlineData("ceil(2.1)", "3")]
    [InlineData("ceil(-2.1)", "-2")]
    [InlineData("round(2.5)", "3")]
    [InlineData("round(-2.5)", "-3")]
    [InlineData("round(2.4)", "2")]
    [InlineData("round(properties[\"score\"])", "13")]
    [InlineData("floor(properties[\"big\"])", "1E+40")]
    [InlineData("floor(\"2.5\")", "undefined")]
    [InlineData("round(properties[\"missing\"])", "undefined")]
    [InlineData("ceil(true)", "undefined")]
    public void Floor_round_ceil(string where, string expected) => Assert.Equal(expected, TestKit.Eval(where).ToString());

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("\"x\"", true)]
    [InlineData("\"\"", false)]
    [InlineData("properties[\"missing\"]", false)]
    [InlineData("properties[\"nothing\"]", false)]
    [InlineData("properties[\"tags\"]", true)]
    [InlineData("properties[\"empty_list\"]", false)]
    [InlineData("properties[\"vip\"]", true)]
    [InlineData("properties[\"off\"]", false)]
    [InlineData("1 > \"a\"", false)]
    [InlineData("not (1 > \"a\")", true)]
    [InlineData("properties[\"age\"] >= 18 and \"li\" in properties[\"name\"]", true)]
    [InlineData("properties[\"age\"] < 18 or properties[\"plan\"] == \"pro\"", false)]
    public void A_filter_matches_when_its_value_is_truthy(string where, bool expected)
    {
        var expression = WhereExpression.Parse(where);
        Assert.Equal(expected, expression.Matches(TestKit.Profile(), TestKit.Now));
    }

    [Fact]
    public void Missing_properties_on_an_empty_profile_are_undefined()
    {
        var expression = WhereExpression.Parse("properties[\"a\"]");
        Assert.Same(Value.Undefined, expression.Evaluate([], TestKit.Now));
        Assert.False(expression.Matches([], TestKit.Now));
    }

    [Fact]
    public void Nodes_built_in_code_convert_like_parsed_json()
    {
        var profile = new System.Text.Json.Nodes.JsonObject
        {
            ["when"] = System.Text.Json.Nodes.JsonValue.Create(new DateTime(2024, 3, 5, 10, 20, 30, DateTimeKind.Utc)),
            ["count"] = 3L,
            ["ratio"] = 0.25m,
            ["nan"] = double.NaN,
        };
        Assert.Equal("true", WhereExpression.Parse("properties[\"when\"] > datetime(\"2024-01-01\")").Evaluate(profile, TestKit.Now).ToString());
        Assert.Equal("3.25", WhereExpression.Parse("properties[\"count\"] + properties[\"ratio\"]").Evaluate(profile, TestKit.Now).ToString());
        Assert.Equal("undefined", WhereExpression.Parse("properties[\"nan\"]").Evaluate(profile, TestKit.Now).ToString());
    }
}
