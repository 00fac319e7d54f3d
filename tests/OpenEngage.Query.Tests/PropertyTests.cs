using System.Text.Json.Nodes;
using CsCheck;

namespace OpenEngage.Query.Tests;

/// <summary>Laws that hold for random trees over random profiles.</summary>
public class PropertyTests
{
    private static readonly string[] Names = ["a", "b", "n", "$last_seen", "we\"ird\\ name", "missing"];

    private static readonly string[] Strings =
        ["", "a", "abc", "A", "12.5", "-3", "2024-03-05T10:20:30", "2024-01-01", "true", "x\"y\\z\n", "é\u0001"];

    private static readonly Gen<NumberValue> GenNumber = Gen.OneOf(
        Gen.Int[0, 1000].Select(i => Value.Of(i)),
        Gen.Decimal[0m, 1_000_000m].Select(NumberValue.FromDecimal),
        Gen.Double[1e29, 1e300].Select(d => NumberValue.FromDouble(d)!),
        Gen.Double[1e-300, 1e-29].Select(d => NumberValue.FromDouble(d)!));

    private static readonly Gen<Expr> GenLeaf = Gen.OneOf<Expr>(
        GenNumber.Select(n => (Expr)new Literal(n)),
        Gen.OneOf(Strings).Select(s => (Expr)new Literal(new StringValue(s))),
        Gen.Bool.Select(b => (Expr)new Literal(Value.Of(b))),
        Gen.OneOf(Names).Select(n => (Expr)new PropertyAccess(n)),
        Gen.OneOf(Names).Select(n => (Expr)new PropertyAccess(n)),
        Gen.Const<Expr>(new Now()));

    private static readonly Gen<Expr> GenExpr = Tree(5);

    private static readonly Gen<JsonNode?> GenScalar = Gen.OneOf<JsonNode?>(
        Gen.Const((JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int[-5, 5].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Decimal[-1000m, 1000m].Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.OneOf(Strings).Select(s => (JsonNode?)JsonValue.Create(s)));

    private static readonly Gen<JsonNode?> GenJson = Gen.OneOf(
        GenScalar,
        GenScalar,
        GenScalar.Array[0, 3].Select(items => (JsonNode?)new JsonArray([.. items])),
        GenScalar.Array[0, 2].Select(items => (JsonNode?)new JsonObject(items.Select((v, i) => KeyValuePair.Create("k" + i, v)))));

    private static readonly Gen<string> GenProfile = Gen.Select(Gen.Bool.Array[Names.Length], GenJson.Array[Names.Length], (present, values) =>
    {
        var profile = new JsonObject();
        for (var i = 0; i < Names.Length - 1; i++)
        {
            if (present[i])
            {
                profile[Names[i]] = values[i];
            }
        }

        // A string: CsCheck may print or reuse samples, and JSON nodes have one parent.
        return profile.ToJsonString();
    });

    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static Gen<Expr> Tree(int depth)
    {
        if (depth == 0)
        {
            return GenLeaf;
        }

        var sub = Tree(depth - 1);
        return Gen.Frequency<Expr>(
            (3, GenLeaf),
            (1, sub.Select(e => (Expr)new Unary(UnaryOperator.Not, e))),
            (1, sub.Where(e => e is not Literal { Value: NumberValue }).Select(e => (Expr)new Unary(UnaryOperator.Negate, e))),
            (5, Gen.Select(Gen.Enum<BinaryOperator>(), sub, sub, (op, l, r) => (Expr)new Binary(op, l, r))),
            (2, Gen.Select(Gen.Enum<WhereFunction>(), sub, (f, a) => (Expr)new Call(f, a))));
    }

    private static Value Eval(Expr expr, string profile) =>
        WhereExpression.FromTree(expr).Evaluate(JsonNode.Parse(profile)!.AsObject(), Now);

    [Fact]
    public void Printing_a_tree_and_parsing_it_back_gives_the_same_tree() =>
        GenExpr.Sample(
            expr =>
            {
                var text = WhereFormatter.Format(expr);
                var parsed = WhereExpression.Parse(text).Root;
                Assert.Equal(expr, parsed);
                Assert.Equal(text, parsed.ToString());
            },
            iter: 3000);

    [Fact]
    public void Number_literals_print_and_parse_back_exactly() =>
        GenNumber.Sample(
            number => Assert.Equal(new Literal(number), WhereExpression.Parse(new Literal(number).ToString()).Root),
            iter: 3000);

    [Fact]
    public void Evaluation_never_throws_and_matching_is_truthiness() =>
        Gen.Select(GenExpr, GenProfile).Sample(
            (expr, profile) =>
            {
                var where = WhereExpression.FromTree(expr);
                var properties = JsonNode.Parse(profile)!.AsObject();
                var value = where.Evaluate(properties, Now);
                Assert.NotNull(value);
                Assert.Equal(Semantics.IsTruthy(value), where.Matches(properties, Now));
                Assert.Equal(Value.Of(Semantics.IsTruthy(value)), Eval(new Call(WhereFunction.Boolean, expr), profile));
            },
            iter: 3000);

    [Fact]
    public void De_morgan_holds_where_both_sides_are_defined_booleans() =>
        Gen.Select(GenExpr, GenExpr, GenProfile).Sample(
            (a, b, profile) =>
            {
                var left = Eval(new Unary(UnaryOperator.Not, new Binary(BinaryOperator.And, a, b)), profile);
                var right = Eval(new Binary(BinaryOperator.Or, new Unary(UnaryOperator.Not, a), new Unary(UnaryOperator.Not, b)), profile);
                Assert.IsType<BooleanValue>(left);
                Assert.IsType<BooleanValue>(right);
                Assert.Equal(left, right);

                var dualLeft = Eval(new Unary(UnaryOperator.Not, new Binary(BinaryOperator.Or, a, b)), profile);
                var dualRight = Eval(new Binary(BinaryOperator.And, new Unary(UnaryOperator.Not, a), new Unary(UnaryOperator.Not, b)), profile);
                Assert.Equal(dualLeft, dualRight);
            },
            iter: 2000);

    [Fact]
    public void Not_equal_is_the_negation_of_equal_and_ordering_is_symmetric() =>
        Gen.Select(GenExpr, GenExpr, GenProfile).Sample(
            (a, b, profile) =>
            {
                Assert.Equal(
                    Eval(new Binary(BinaryOperator.NotEqual, a, b), profile),
                    Eval(new Unary(UnaryOperator.Not, new Binary(BinaryOperator.Equal, a, b)), profile));
                Assert.Equal(
                    Eval(new Binary(BinaryOperator.Less, a, b), profile),
                    Eval(new Binary(BinaryOperator.Greater, b, a), profile));
                Assert.Equal(
                    Eval(new Binary(BinaryOperator.LessOrEqual, a, b), profile),
                    Eval(new Binary(BinaryOperator.GreaterOrEqual, b, a), profile));
                Assert.Equal(
                    Eval(new Binary(BinaryOperator.Equal, a, b), profile),
                    Eval(new Binary(BinaryOperator.Equal, b, a), profile));
            },
            iter: 2000);

    [Fact]
    public void Ordered_values_obey_trichotomy() =>
        Gen.Select(GenExpr, GenExpr, GenProfile).Sample(
            (a, b, profile) =>
            {
                var less = Eval(new Binary(BinaryOperator.Less, a, b), profile);
                var greater = Eval(new Binary(BinaryOperator.Greater, a, b), profile);
                var equal = Eval(new Binary(BinaryOperator.Equal, a, b), profile);
                if (less is UndefinedValue)
                {
                    Assert.IsType<UndefinedValue>(greater);
                    return;
                }

                var truths = new[] { less, greater, equal }.Count(v => v == Value.True);
                Assert.Equal(1, truths);
            },
            iter: 2000);

    [Fact]
    public void Defined_is_true_exactly_when_the_value_is_not_undefined() =>
        Gen.Select(GenExpr, GenProfile).Sample(
            (a, profile) => Assert.Equal(
                Value.Of(Eval(a, profile) is not UndefinedValue),
                Eval(new Call(WhereFunction.Defined, a), profile)),
            iter: 2000);

    [Fact]
    public void Parsing_arbitrary_text_either_succeeds_or_names_a_position_inside_it()
    {
        var pieces = Gen.OneOf(
            " ", "(", ")", "[", "]", ",", "\"", "\\", "a", "1", ".", "e", "-", "+", "*", "/", "%", "=", "==", "!=", "<", ">=",
            "and", "or", "not", "in", "true", "NOW", "properties", "user", "defined", "number", "\"x\"", "\\u", "@", "\n");
        pieces.Array[0, 12].Select(string.Concat).Sample(
            text =>
            {
                try
                {
                    var parsed = WhereExpression.Parse(text);
                    Assert.Equal(parsed.Root, WhereExpression.Parse(parsed.ToString()).Root);
                }
                catch (WhereSyntaxException e)
                {
                    Assert.InRange(e.Position, 0, text.Length);
                    Assert.StartsWith($"position {e.Position}: expected ", e.Message, StringComparison.Ordinal);
                }
            },
            iter: 5000);
    }
}
