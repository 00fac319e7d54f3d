namespace OpenEngage.Query;

/// <summary>
/// Recursive descent over the grammar in docs/where-language.md. Each method returns its node and
/// the node's height, so that an expression too deep to walk safely is rejected here, with its
/// position, instead of exhausting the stack of whoever walks it later.
/// </summary>
internal sealed class Parser
{
    private readonly List<Token> _tokens;
    private int _index;
    private int _nesting;

    private Parser(List<Token> tokens)
    {
        _tokens = tokens;
    }

    private Token Current => _tokens[_index];

    public static Expr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(Lexer.Tokenize(text));
        var (root, _) = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw new WhereSyntaxException(parser.Current.Position, "an operator or end of input", parser.Current.Describe());
        }

        return root;
    }

    private Token Advance() => _tokens[_index++];

    private (Expr Node, int Height) Make(Token at, Expr node, int height)
    {
        if (height > WhereExpression.MaxDepth)
        {
            throw new WhereSyntaxException(at.Position, $"an expression at most {WhereExpression.MaxDepth} levels deep", "a deeper one");
        }

        return (node, height);
    }

    private void Enter(Token at)
    {
        if (++_nesting > WhereExpression.MaxDepth)
        {
            throw new WhereSyntaxException(at.Position, $"an expression at most {WhereExpression.MaxDepth} levels deep", "a deeper one");
        }
    }

    private (Expr Node, int Height) ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsKeyword("or"))
        {
            var op = Advance();
            var right = ParseAnd();
            left = Make(op, new Binary(BinaryOperator.Or, left.Node, right.Node), 1 + Math.Max(left.Height, right.Height));
        }

        return left;
    }

    private (Expr Node, int Height) ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsKeyword("and"))
        {
            var op = Advance();
            var right = ParseNot();
            left = Make(op, new Binary(BinaryOperator.And, left.Node, right.Node), 1 + Math.Max(left.Height, right.Height));
        }

        return left;
    }

    private (Expr Node, int Height) ParseNot()
    {
        if (!Current.IsKeyword("not"))
        {
            return ParseComparison();
        }

        var op = Advance();
        Enter(op);
        var operand = ParseNot();
        _nesting--;
        return Make(op, new Unary(UnaryOperator.Not, operand.Node), operand.Height + 1);
    }

    private (Expr Node, int Height) ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var op = Current;
            BinaryOperator? binary = op.Kind switch
            {
                TokenKind.EqualEqual => BinaryOperator.Equal,
                TokenKind.BangEqual => BinaryOperator.NotEqual,
                TokenKind.Greater => BinaryOperator.Greater,
                TokenKind.GreaterEqual => BinaryOperator.GreaterOrEqual,
                TokenKind.Less => BinaryOperator.Less,
                TokenKind.LessEqual => BinaryOperator.LessOrEqual,
                _ when op.IsKeyword("in") => BinaryOperator.In,
                _ => null,
            };
            var negated = false;
            if (binary is null && op.IsKeyword("not") && _tokens[_index + 1].IsKeyword("in"))
            {
                // "a not in b" is sugar for "not (a in b)".
                Advance();
                binary = BinaryOperator.In;
                negated = true;
            }

            if (binary is null)
            {
                return left;
            }

            Advance();
            var right = ParseAdditive();
            left = Make(op, new Binary(binary.Value, left.Node, right.Node), 1 + Math.Max(left.Height, right.Height));
            if (negated)
            {
                left = Make(op, new Unary(UnaryOperator.Not, left.Node), left.Height + 1);
            }
        }
    }

    private (Expr Node, int Height) ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            var right = ParseMultiplicative();
            var binary = op.Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract;
            left = Make(op, new Binary(binary, left.Node, right.Node), 1 + Math.Max(left.Height, right.Height));
        }

        return left;
    }

    private (Expr Node, int Height) ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance();
            var right = ParseUnary();
            var binary = op.Kind switch
            {
                TokenKind.Star => BinaryOperator.Multiply,
                TokenKind.Slash => BinaryOperator.Divide,
                _ => BinaryOperator.Modulo,
            };
            left = Make(op, new Binary(binary, left.Node, right.Node), 1 + Math.Max(left.Height, right.Height));
        }

        return left;
    }

    private (Expr Node, int Height) ParseUnary()
    {
        if (Current.Kind != TokenKind.Minus)
        {
            return ParsePrimary();
        }

        var op = Advance();
        Enter(op);
        var operand = ParseUnary();
        _nesting--;
        return Make(op, new Unary(UnaryOperator.Negate, operand.Node), operand.Height + 1);
    }

    private (Expr Node, int Height) ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                NumberValue.TryParse(token.Text, out var number);
                return (new Literal(number), 1);

            case TokenKind.String:
                Advance();
                return (new Literal(new StringValue(token.StringValue!)), 1);

            case TokenKind.LeftParen:
                {
                    Advance();
                    Enter(token);
                    var inner = ParseOr();
                    _nesting--;
                    Expect(TokenKind.RightParen, "')'");
                    return inner;
                }

            case TokenKind.Identifier:
                return ParseWord(token);

            default:
                throw new WhereSyntaxException(token.Position, "an expression", token.Describe());
        }
    }

    private (Expr Node, int Height) ParseWord(Token token)
    {
        if (token.IsKeyword("true") || token.IsKeyword("false"))
        {
            Advance();
            return (new Literal(Value.Of(token.IsKeyword("true"))), 1);
        }

        if (token.IsKeyword("now"))
        {
            Advance();
            return (new Now(), 1);
        }

        if (token.IsKeyword("properties") || token.IsKeyword("user"))
        {
            Advance();
            Expect(TokenKind.LeftBracket, "'['");
            var name = Current;
            if (name.Kind != TokenKind.String)
            {
                throw new WhereSyntaxException(name.Position, "a property name in double quotes", name.Describe());
            }

            Advance();
            Expect(TokenKind.RightBracket, "']'");
            return (new PropertyAccess(name.StringValue!), 1);
        }

        if (Syntax.TryFunction(token.Text, out var function))
        {
            Advance();
            Expect(TokenKind.LeftParen, "'('");
            Enter(token);
            var argument = ParseOr();
            _nesting--;
            if (Current.Kind == TokenKind.Comma)
            {
                throw new WhereSyntaxException(Current.Position, $"')' ({Syntax.FunctionName(function)} takes one argument)", "','");
            }

            Expect(TokenKind.RightParen, "')'");
            return Make(token, new Call(function, argument.Node), argument.Height + 1);
        }

        if (_tokens[_index + 1].Kind == TokenKind.LeftParen)
        {
            throw new WhereSyntaxException(
                token.Position,
                "a function (defined, number, string, boolean, list, datetime, floor, round, ceil)",
                token.Describe());
        }

        throw new WhereSyntaxException(token.Position, "an expression", token.Describe());
    }

    private void Expect(TokenKind kind, string expected)
    {
        if (Current.Kind != kind)
        {
            throw new WhereSyntaxException(Current.Position, expected, Current.Describe());
        }

        Advance();
    }
}
