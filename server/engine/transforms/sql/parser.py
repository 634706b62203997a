"""Parse the single SELECT statement of the Sql transform into a small syntax tree.

The grammar is the subset SeaTunnel's Zeta SQL engine accepts: `SELECT items FROM table
[WHERE condition]`, with expressions made of literals, (nested) column references,
arithmetic, `||`, comparisons, AND/OR/NOT, IS [NOT] NULL, [NOT] IN, [NOT] LIKE,
CASE WHEN, CAST and function calls. Anything else is rejected with SeaTunnel's message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stconfig.server.engine.errors import PluginError, seatunnel_error


class SqlError(PluginError):
    """A query the Sql transform cannot run."""


def unsupported(sql: str, reason: str) -> SqlError:
    return SqlError(
        seatunnel_error(
            "COMMON-05", "Unsupported operation", f"SQL validate failed: {sql}, cause: {reason}"
        )
    )


# Syntax tree


@dataclass
class Node:
    text: str = field(default="", compare=False, kw_only=True)


@dataclass
class Literal(Node):
    value: Any
    kind: str  # "int", "decimal", "string", "null", "bool"


@dataclass
class ColumnRef(Node):
    parts: list[str]


@dataclass
class Star(Node):
    pass


@dataclass
class Unary(Node):
    op: str
    operand: Node


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass
class IsNull(Node):
    operand: Node
    negated: bool


@dataclass
class InList(Node):
    operand: Node
    items: list[Node]
    negated: bool


@dataclass
class Like(Node):
    operand: Node
    pattern: Node
    negated: bool


@dataclass
class Call(Node):
    name: str
    args: list[Node]


@dataclass
class Cast(Node):
    operand: Node
    type_text: str


@dataclass
class Case(Node):
    operand: Node | None
    branches: list[tuple[Node, Node]]
    default: Node | None


@dataclass
class SelectItem:
    expression: Node
    alias: str | None


@dataclass
class Select:
    items: list[SelectItem]
    table: str
    where: Node | None


# Tokens

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*)
  | (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>`[^`]*`|"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<op><>|!=|>=|<=|\|\||[-+*/%=<>(),.])
    """,
    re.VERBOSE,
)


@dataclass
class Token:
    kind: str
    text: str
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper()


def tokenize(sql: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(sql):
        match = _TOKEN.match(sql, position)
        if match is None:
            raise SqlError(
                f"SQL parse failed: {sql}, cause: unexpected character {sql[position]!r}"
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(sql)))
    return tokens


_CLAUSES = {
    "ORDER": "Unsupported ORDER BY syntax",
    "GROUP": "Unsupported GROUP BY syntax",
    "LIMIT": "Unsupported LIMIT,OFFSET syntax",
    "OFFSET": "Unsupported LIMIT,OFFSET syntax",
    "JOIN": "Unsupported table join syntax",
    "UNION": "Unsupported SQL syntax",
    "HAVING": "Unsupported SQL syntax",
}
_RESERVED = {
    "FROM",
    "WHERE",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "LIKE",
    "THEN",
    "ELSE",
    "END",
    "WHEN",
    *_CLAUSES,
}


class Parser:
    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = tokenize(sql)
        self.position = 0

    # Helpers

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.position + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.position += 1
        return token

    def accept(self, *words: str) -> bool:
        if self.peek().upper in words and self.peek().kind in ("name", "op"):
            self.position += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.accept(word):
            found = self.peek().text or "the end of the query"
            raise SqlError(f"SQL parse failed: {self.sql}, cause: expected {word}, found {found}")

    def text_since(self, start: Token) -> str:
        end = self.tokens[self.position - 1]
        return self.sql[start.start : end.start + len(end.text)]

    # Statement

    def parse(self) -> Select:
        if self.peek().upper != "SELECT":
            raise unsupported(self.sql, "Only supported DQL(select) SQL")
        self.take()
        items = [self.select_item()]
        while self.accept(","):
            items.append(self.select_item())
        self.expect("FROM")
        table = self.table_name()
        where = None
        if self.accept("WHERE"):
            where = self.expression()
        token = self.peek()
        if token.upper in _CLAUSES:
            raise unsupported(self.sql, _CLAUSES[token.upper])
        if token.kind != "end":
            raise SqlError(f"SQL parse failed: {self.sql}, cause: unexpected {token.text!r}")
        return Select(items, table, where)

    def table_name(self) -> str:
        token = self.take()
        if token.text == "(":
            raise unsupported(self.sql, "Unsupported sub table syntax")
        if token.kind not in ("name", "quoted"):
            raise SqlError(f"SQL parse failed: {self.sql}, cause: expected a table name")
        if self.peek().text == ".":
            raise unsupported(self.sql, "Unsupported schema syntax")
        if (
            self.peek().upper in ("JOIN", "LEFT", "RIGHT", "INNER", "FULL", "CROSS")
            or self.peek().text == ","
        ):
            raise unsupported(self.sql, "Unsupported table join syntax")
        if self.peek().kind in ("name", "quoted") and self.peek().upper not in _RESERVED:
            raise unsupported(self.sql, "Unsupported table alias name syntax")
        if self.accept("AS"):
            raise unsupported(self.sql, "Unsupported table alias name syntax")
        return _unquote(token.text)

    def select_item(self) -> SelectItem:
        if self.peek().text == "*":
            self.take()
            return SelectItem(Star(text="*"), None)
        expression = self.expression()
        alias = None
        bare_alias = self.peek().kind in ("name", "quoted") and self.peek().upper not in _RESERVED
        if self.accept("AS") or bare_alias:
            alias = _unquote(self.take().text)
        return SelectItem(expression, alias)

    # Expressions, lowest precedence first

    def expression(self) -> Node:
        return self.disjunction()

    def disjunction(self) -> Node:
        start = self.peek()
        node = self.conjunction()
        while self.accept("OR"):
            node = Binary("OR", node, self.conjunction(), text=self.text_since(start))
        return node

    def conjunction(self) -> Node:
        start = self.peek()
        node = self.negation()
        while self.accept("AND"):
            node = Binary("AND", node, self.negation(), text=self.text_since(start))
        return node

    def negation(self) -> Node:
        start = self.peek()
        if self.accept("NOT"):
            return Unary("NOT", self.negation(), text=self.text_since(start))
        return self.comparison()

    def comparison(self) -> Node:
        start = self.peek()
        node = self.additive()
        token = self.peek()
        if token.text in ("=", "!=", "<>", "<", "<=", ">", ">="):
            self.take()
            op = "!=" if token.text == "<>" else token.text
            return Binary(op, node, self.additive(), text=self.text_since(start))
        if self.accept("IS"):
            negated = self.accept("NOT")
            self.expect("NULL")
            return IsNull(node, negated, text=self.text_since(start))
        negated = False
        if self.peek().upper == "NOT" and self.peek(1).upper in ("IN", "LIKE"):
            self.take()
            negated = True
        if self.accept("IN"):
            self.expect("(")
            items = [self.expression()]
            while self.accept(","):
                items.append(self.expression())
            self.expect(")")
            return InList(node, items, negated, text=self.text_since(start))
        if self.accept("LIKE"):
            return Like(node, self.additive(), negated, text=self.text_since(start))
        if self.peek().upper == "BETWEEN":
            raise SqlError(f"Unsupported SQL Expression: {self.text_since(start)} BETWEEN ...")
        return node

    def additive(self) -> Node:
        start = self.peek()
        node = self.multiplicative()
        while self.peek().text in ("+", "-", "||"):
            op = self.take().text
            node = Binary(op, node, self.multiplicative(), text=self.text_since(start))
        return node

    def multiplicative(self) -> Node:
        start = self.peek()
        node = self.unary()
        while self.peek().text in ("*", "/", "%"):
            op = self.take().text
            node = Binary(op, node, self.unary(), text=self.text_since(start))
        return node

    def unary(self) -> Node:
        start = self.peek()
        if self.peek().text in ("-", "+"):
            op = self.take().text
            operand = self.unary()
            if op == "-" and isinstance(operand, Literal) and operand.kind in ("int", "decimal"):
                return Literal(-operand.value, operand.kind, text=self.text_since(start))
            return Unary(op, operand, text=self.text_since(start))
        return self.primary()

    def primary(self) -> Node:
        start = self.peek()
        token = self.take()
        if token.kind == "number":
            if re.fullmatch(r"\d+", token.text):
                return Literal(int(token.text), "int", text=token.text)
            return Literal(float(token.text), "decimal", text=token.text)
        if token.kind == "string":
            return Literal(token.text[1:-1].replace("''", "'"), "string", text=token.text)
        if token.text == "(":
            if self.peek().upper == "SELECT":
                raise unsupported(self.sql, "Unsupported sub table syntax")
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "quoted":
            return self.reference(_unquote(token.text), start)
        if token.kind != "name":
            raise SqlError(
                f"SQL parse failed: {self.sql}, cause: unexpected {token.text or 'end'!r}"
            )
        word = token.upper
        if word == "NULL":
            return Literal(None, "null", text=token.text)
        if word in ("TRUE", "FALSE"):
            return Literal(word == "TRUE", "bool", text=token.text)
        if word == "CASE":
            return self.case(start)
        if word == "CAST" and self.peek().text == "(":
            return self.cast(start)
        if self.peek().text == "(":
            return self.call(token.text, start)
        if word in ("CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP"):
            return Call(word, [], text=token.text)
        return self.reference(token.text, start)

    def reference(self, first: str, start: Token) -> Node:
        parts = [first]
        while self.peek().text == "." and self.peek(1).kind in ("name", "quoted"):
            self.take()
            parts.append(_unquote(self.take().text))
        return ColumnRef(parts, text=self.text_since(start))

    def call(self, name: str, start: Token) -> Node:
        self.expect("(")
        args: list[Node] = []
        if name.upper() == "EXTRACT":
            unit = self.take()
            self.expect("FROM")
            args = [Literal(unit.text, "string", text=unit.text), self.expression()]
            self.expect(")")
            return Call("EXTRACT", args, text=self.text_since(start))
        if self.peek().text != ")":
            if self.peek().text == "*":
                self.take()
                args.append(Star(text="*"))
            else:
                args.append(self.expression())
            while self.accept(","):
                args.append(self.expression())
        self.expect(")")
        return Call(name.upper(), args, text=self.text_since(start))

    def cast(self, start: Token) -> Node:
        self.expect("(")
        operand = self.expression()
        self.expect("AS")
        type_start = self.peek()
        depth = 0
        while self.peek().kind != "end" and not (depth == 0 and self.peek().text == ")"):
            token = self.take()
            depth += token.text == "("
            depth -= token.text == ")"
        type_text = self.sql[type_start.start : self.peek().start].strip()
        self.expect(")")
        return Cast(operand, type_text, text=self.text_since(start))

    def case(self, start: Token) -> Node:
        operand = None
        if self.peek().upper != "WHEN":
            operand = self.expression()
        branches = []
        while self.accept("WHEN"):
            condition = self.expression()
            self.expect("THEN")
            branches.append((condition, self.expression()))
        default = self.expression() if self.accept("ELSE") else None
        self.expect("END")
        return Case(operand, branches, default, text=self.text_since(start))


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] in '`"' and text[-1] == text[0]:
        return text[1:-1]
    return text


def parse_select(sql: str) -> Select:
    """Parse one SELECT statement, or raise `SqlError` with SeaTunnel's reason."""
    return Parser(sql.strip().rstrip(";")).parse()
