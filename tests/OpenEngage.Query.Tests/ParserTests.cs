namespace OpenEngage.Query.Tests;

public class ParserTests
{
    [Theory]
    [InlineData("true or false and false", "true or (false and false)")]
    [InlineData("true and false or true", "(true and false) or true")]
    [InlineData("true AND false OR true", "(true and false) or true")]
    [InlineData("not true and false", "(not true) and false")]
    [InlineData("not true or false", "(not true) or false")]
    [InlineData("not 1 == 2", "not (1 == 2)")]
    [InlineData("not not true", "not (not true)")]
    [InlineData("1 + 2 == 3", "(1 + 2) == 3")]
    [InlineData("1 < 2 == true", "(1 < 2) == true")]
    [InlineData("1 + 2 * 3", "1 + (2 * 3)")]
    [InlineData("1 * 2 + 3", "(1 * 2) + 3")]
    [InlineData("1 - 2 - 3", "(1 - 2) - 3")]
    [InlineData("8 / 4 / 2", "(8 / 4) / 2")]
    [InlineData("1 % 2 * 3", "(1 % 2) * 3")]
    [InlineData("-2 * 3", "(-2) * 3")]
    [InlineData("- 2 - 3", "(-2) - 3")]
    [InlineData("2 - -3", "2 - (-3)")]
    [InlineData("\"a\" + \"b\" in \"xaby\"", "(\"a\" + \"b\") in \"xaby\"")]
    [InlineData("\"a\" in properties[\"x\"] and true", "(\"a\" in properties[\"x\"]) and true")]
    [InlineData("\"a\" not in properties[\"x\"]", "not (\"a\" in properties[\"x\"])")]
    [InlineData("properties[\"a\"] == 1 or properties[\"b\"] != 2 and defined(properties[\"c\"])",
        "(properties[\"a\"] == 1) or ((properties[\"b\"] != 2) and defined(properties[\"c\"]))")]
    [InlineData("user[\"a\"]", "properties[\"a\"]")]
    [InlineData("  ( ( 1 ) )  ", "1")]
    [InlineData("Number(\"1\")", "number(\"1\")")]
    public void Precedence_and_associativity(string text, string parenthesized) =>
        Assert.Equal(WhereExpression.Parse(parenthesized).Root, WhereExpression.Parse(text).Root);

    [Fact]
    public void The_tree_is_plain_records()
    {
        var root = WhereExpression.Parse("properties[\"$last_seen\"] > datetime(\"2024-01-01\") and not defined(user[\"x\"]) or -NOW % 2 == 1").Root;
        var expected = new Binary(
            BinaryOperator.Or,
            new Binary(
                BinaryOperator.And,
                new Binary(BinaryOperator.Greater, new PropertyAccess("$last_seen"), new Call(WhereFunction.Datetime, new Literal(new StringValue("2024-01-01")))),
                new Unary(UnaryOperator.Not, new Call(WhereFunction.Defined, new PropertyAccess("x")))),
            new Binary(
                BinaryOperator.Equal,
                new Binary(BinaryOperator.Modulo, new Unary(UnaryOperator.Negate, new Now()), new Literal(Value.Of(2m))),
                new Literal(Value.Of(1m))));
        Assert.Equal(expected, root);
        Assert.Equal("properties[\"$last_seen\"] > datetime(\"2024-01-01\") and not defined(properties[\"x\"]) or -NOW % 2 == 1", root.ToString());
    }

    [Fact]
    public void Number_literals_are_exact_decimals_when_they_fit()
    {
        var literal = Assert.IsType<Literal>(WhereExpression.Parse("0.1").Root);
        var number = Assert.IsType<NumberValue>(literal.Value);
        Assert.True(number.IsExact);
        Assert.Equal(0.1m, number.Exact);

        var huge = Assert.IsType<NumberValue>(Assert.IsType<Literal>(WhereExpression.Parse("1e300").Root).Value);
        Assert.False(huge.IsExact);
        Assert.Equal(1e300, huge.Approximate);
    }

    [Theory]
    [InlineData("", "position 0: expected an expression but found end of input")]
    [InlineData("   ", "position 3: expected an expression but found end of input")]
    [InlineData("(1 + 2", "position 6: expected ')' but found end of input")]
    [InlineData("(properties[\"a\"] == 1", "position 21: expected ')' but found end of input")]
    [InlineData("properties[\"a\"] == ", "position 19: expected an expression but found end of input")]
    [InlineData("properties[a]", "position 11: expected a property name in double quotes but found 'a'")]
    [InlineData("properties[1]", "position 11: expected a property name in double quotes but found number 1")]
    [InlineData("properties[\"a\"", "position 14: expected ']' but found end of input")]
    [InlineData("properties", "position 10: expected '[' but found end of input")]
    [InlineData("properties.a", "position 10: expected an expression or operator but found '.'")]
    [InlineData("1 = 1", "position 2: expected '==' but found '='")]
    [InlineData("1 ! 1", "position 2: expected '!=' but found '!'")]
    [InlineData("\"abc", "position 4: expected '\"' to close the string opened at position 0 but found end of input")]
    [InlineData("1 == \"a\\qb\"", "position 8: expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) but found 'q'")]
    [InlineData("\"\\u12G4\"", "position 5: expected 4 hex digits after '\\u' but found 'G'")]
    [InlineData("\"\\u12", "position 5: expected 4 hex digits after '\\u' but found end of input")]
    [InlineData("\"\\", "position 2: expected an escape character after '\\' but found end of input")]
    [InlineData("1.", "position 2: expected a digit after '.' but found end of input")]
    [InlineData("1.x", "position 2: expected a digit after '.' but found 'x'")]
    [InlineData("1e", "position 2: expected a digit in the exponent but found end of input")]
    [InlineData("1e+", "position 3: expected a digit in the exponent but found end of input")]
    [InlineData("1e999", "position 0: expected a finite number but found number 1e999")]
    [InlineData("foo", "position 0: expected an expression but found 'foo'")]
    [InlineData("foo(1)", "position 0: expected a function (defined, number, string, boolean, list, datetime, floor, round, ceil) but found 'foo'")]
    [InlineData("defined 1", "position 8: expected '(' but found number 1")]
    [InlineData("defined()", "position 8: expected an expression but found ')'")]
    [InlineData("defined(1, 2)", "position 9: expected ')' (defined takes one argument) but found ','")]
    [InlineData("1 2", "position 2: expected an operator or end of input but found number 2")]
    [InlineData("1 \"a\"", "position 2: expected an operator or end of input but found string \"a\"")]
    [InlineData("1 == 2)", "position 6: expected an operator or end of input but found ')'")]
    [InlineData("true and", "position 8: expected an expression but found end of input")]
    [InlineData("true and or", "position 9: expected an expression but found 'or'")]
    [InlineData("1 + * 2", "position 4: expected an expression but found '*'")]
    [InlineData("1 == not 2", "position 5: expected an expression but found 'not'")]
    [InlineData("@", "position 0: expected an expression or operator but found '@'")]
    [InlineData(")", "position 0: expected an expression but found ')'")]
    [InlineData("1 not 2", "position 2: expected an operator or end of input but found 'not'")]
    [InlineData("\"a\" in", "position 6: expected an expression but found end of input")]
    public void Syntax_errors_name_the_position_and_what_was_expected(string text, string message)
    {
        var error = Assert.Throws<WhereSyntaxException>(() => WhereExpression.Parse(text));
        Assert.Equal(message, error.Message);
        Assert.StartsWith($"position {error.Position}: expected {error.Expected} but found {error.Found}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_reports_instead_of_throwing()
    {
        Assert.False(WhereExpression.TryParse("(", out var none, out var error));
        Assert.Null(none);
        Assert.Equal("position 1: expected an expression but found end of input", error!.Message);

        Assert.True(WhereExpression.TryParse("true", out var some, out var noError));
        Assert.NotNull(some);
        Assert.Null(noError);
    }

    [Fact]
    public void Nesting_up_to_the_limit_parses()
    {
        var depth = WhereExpression.MaxDepth - 1;
        Assert.IsType<Unary>(WhereExpression.Parse(string.Concat(Enumerable.Repeat("not ", depth)) + "true").Root);
        Assert.IsType<Literal>(WhereExpression.Parse(new string('(', depth) + "1" + new string(')', depth)).Root);
        Assert.IsType<Binary>(WhereExpression.Parse(string.Join(" + ", Enumerable.Repeat("1", WhereExpression.MaxDepth))).Root);
    }

    [Theory]
    [InlineData(101, "not ", "true")]
    [InlineData(101, "-", "1")]
    [InlineData(101, "(", "1")]
    [InlineData(101, "number(", "1")]
    [InlineData(100_000, "(", "1")]
    [InlineData(100_000, "-", "1")]
    public void Deeper_nesting_is_a_syntax_error_not_a_crash(int depth, string opener, string leaf)
    {
        var closer = opener.EndsWith('(') ? ")" : string.Empty;
        var text = string.Concat(Enumerable.Repeat(opener, depth)) + leaf + string.Concat(Enumerable.Repeat(closer, depth));
        var error = Assert.Throws<WhereSyntaxException>(() => WhereExpression.Parse(text));
        Assert.Contains("at most 100 levels deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_operator_chains_are_bounded_too()
    {
        var text = string.Join(" + ", Enumerable.Repeat("1", 50_000));
        var error = Assert.Throws<WhereSyntaxException>(() => WhereExpression.Parse(text));
        Assert.StartsWith("position ", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 100 levels deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hand_built_trees_are_checked_for_depth()
    {
        Expr deep = new Literal(Value.True);
        for (var i = 0; i < 200; i++)
        {
            deep = new Unary(UnaryOperator.Not, deep);
        }

        Assert.Throws<ArgumentException>(() => WhereExpression.FromTree(deep));
        Assert.True(WhereExpression.FromTree(new Unary(UnaryOperator.Not, new Literal(Value.False))).Matches([], TestKit.Now));
    }

    [Theory]
    [InlineData("properties[\"a\"]", "properties[\"a\"]")]
    [InlineData("USER[\"a\"]  ==  \"x\"", "properties[\"a\"] == \"x\"")]
    [InlineData("(1 + 2) * 3", "(1 + 2) * 3")]
    [InlineData("1 + (2 * 3)", "1 + 2 * 3")]
    [InlineData("1 - (2 - 3)", "1 - (2 - 3)")]
    [InlineData("(1 - 2) - 3", "1 - 2 - 3")]
    [InlineData("not (a_b == 1)", null)]
    [InlineData("\"a\" not in properties[\"t\"]", "not \"a\" in properties[\"t\"]")]
    [InlineData("not (true and false)", "not (true and false)")]
    [InlineData("(not true) == false", "(not true) == false")]
    [InlineData("-(1 + 2)", "-(1 + 2)")]
    [InlineData("\"tab\\there \\\"q\\\" \\u0001\"", "\"tab\\there \\\"q\\\" \\u0001\"")]
    [InlineData("12.50", "12.5")]
    [InlineData("now", "NOW")]
    public void Canonical_text(string text, string? canonical)
    {
        if (canonical is null)
        {
            Assert.Throws<WhereSyntaxException>(() => WhereExpression.Parse(text));
            return;
        }

        var expression = WhereExpression.Parse(text);
        Assert.Equal(canonical, expression.ToString());
        Assert.Equal(expression.Root, WhereExpression.Parse(canonical).Root);
    }
}
