"""SQLite's dialect, as the store writes it, translated for PostgreSQL.

The store's SQL has one source of truth: the numbered migrations and the queries in ``store/``, in SQLite's dialect.
:func:`translate` turns a statement into PostgreSQL with sqlglot (a well-kept SQL transpiler: it already knows
``?`` placeholders, ``ifnull``, ``group_concat``, ``max(a, b)``, ``substr``, ``instr``, ``IS ?`` and SQLite's NULL
ordering) and then makes the rewrites sqlglot leaves to the caller:

- ``INSERT OR IGNORE`` → ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE`` → ``ON CONFLICT (primary key) DO UPDATE``;
- ``json_extract(x, '$.a.b')`` → ``x::jsonb #>> '{a,b}'``; ``json_each(x[, '$.a'])`` → the array's elements as text
  (compared with an ``id`` column they are read as integers);
- ``CROSS JOIN … ON`` (SQLite's join-order hint) → ``JOIN … ON``; ``LIKE`` → ``ILIKE`` (SQLite's LIKE ignores
  ASCII case); ``GLOB`` → a regular expression;
  ``COLLATE NOCASE`` → ``lower()``; ``INDEXED BY`` dropped; ``total(x)`` → ``coalesce(sum(x), 0.0)``;
  ``sum``/``avg`` of a comparison count its true rows; ``? IS NULL`` → ``CAST(? AS TEXT) IS NULL`` (a parameter
  is sent untyped, and PostgreSQL must know a type to test it);
- in DDL: ``INTEGER`` → ``BIGINT``, ``BLOB`` → ``BYTEA``, ``INTEGER PRIMARY KEY`` → an identity column; a table
  keyed otherwise gets SQLite's implicit ``rowid`` as an identity column (insertion order, as on SQLite) unless it
  is ``WITHOUT ROWID``; and a trigger body becomes a PL/pgSQL function (``RAISE(ABORT, …)`` → ``RAISE
  EXCEPTION``).

Translations are cached per statement text: the store's statements are a few hundred fixed strings.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

VERSION = 2  # of the translation rules: cached translations of another version are not used
_ID_LIKE = re.compile(r"^(id|rowid|.*_id)$")  # integer columns
_HOLE = "\x01mh\x01"


def split(script: str) -> list[str]:
    """A script's statements (trigger bodies kept whole; ``--`` comment lines dropped)."""
    from migrahub.store.database import split_statements

    return split_statements(script)


def split_postgresql(script: str) -> list[str]:
    """A script written in PostgreSQL's dialect as statements: a ``;`` at the end of a line ends one, except inside
    a ``$$`` function body."""
    statements, buf, quoted = [], [], False
    for line in script.splitlines():
        if not buf and line.strip().startswith("--"):
            continue
        buf.append(line)
        quoted ^= line.count("$$") % 2 == 1
        if not quoted and line.rstrip().endswith(";"):
            statements.append("\n".join(buf).strip())
            buf = []
    if "\n".join(buf).strip():
        statements.append("\n".join(buf).strip())
    return statements


def values(params):
    """The parameters as psycopg takes them (``None`` for none: the statement is then sent as it is)."""
    if params is None or (not isinstance(params, dict) and len(params) == 0):
        return None
    if isinstance(params, dict):
        return {key: bytes(v) if isinstance(v, memoryview) else v for key, v in params.items()}
    return [bytes(v) if isinstance(v, memoryview) else v for v in params]


def translate(conn, sql: str) -> str:
    """The PostgreSQL text of one statement of the store (``%s`` placeholders, literal ``%`` doubled)."""
    return _translate(sql, _PrimaryKeys.of(conn))


class _PrimaryKeys:
    """The primary keys of a hub's tables, read once per connection (``INSERT OR REPLACE`` needs them)."""

    def __init__(self, conn):
        self.conn = conn
        self.known: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def of(conn) -> _PrimaryKeys:
        keys = getattr(conn, "_primary_keys", None)
        if keys is None:
            keys = conn._primary_keys = _PrimaryKeys(conn)
        return keys

    def __call__(self, table: str) -> tuple[str, ...]:
        if table not in self.known:
            self.known[table] = primary_key(self.conn.raw, table)
        return self.known[table]


def primary_key(raw, table: str) -> tuple[str, ...]:
    """The primary key columns of ``table`` in the connection's schema."""
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)", (table,))
        return tuple(row[0] for row in cursor.fetchall())


def _translate(sql: str, keys: _PrimaryKeys) -> str:
    cached = _cache.get(sql)
    if cached is None:
        cached = _cache[sql] = _compile(sql, keys)
        if len(_cache) > 20_000:
            _cache.clear()
    return cached


_cache: dict[str, str] = {}


def _compile(sql: str, keys) -> str:
    tree = sqlglot.parse_one(sql, read="sqlite")
    tree = rewrite(tree, keys)
    for hole in tree.find_all(exp.Placeholder):
        if not hole.this:
            hole.replace(exp.var(_HOLE))
    text = tree.sql(dialect="postgres")
    return text.replace("%", "%%").replace(_HOLE, "%s")


def condition(sql: str) -> str:
    """One SQL condition in SQLite's dialect (``?`` placeholders) as PostgreSQL text with ``%s`` placeholders."""
    text = _compile("SELECT 1 WHERE " + sql, None)
    return text[len("SELECT 1 WHERE "):]


def rewrite(tree: exp.Expression, keys=None) -> exp.Expression:
    """Apply the rewrites sqlglot leaves to us (see the module's docstring)."""
    return tree.transform(lambda node: _node(node, keys))


def _node(node: exp.Expression, keys):  # noqa: C901 - one dispatch over the node kinds we rewrite
    if isinstance(node, exp.Insert):
        return _insert(node, keys)
    if isinstance(node, exp.Limit) and isinstance(node.expression, exp.Placeholder):
        # SQLite reads a negative LIMIT as no limit; PostgreSQL refuses it (NULL is no limit there)
        node.set("expression", exp.Nullif(this=exp.Greatest(this=node.expression, expressions=[
            exp.Literal.number(-1)]), expression=exp.Literal.number(-1)))
        return node
    if isinstance(node, exp.HexString):
        return exp.Cast(this=exp.Literal.string("\\x" + node.this), to=exp.DataType.build("BYTEA"))
    if isinstance(node, exp.Join) and node.args.get("kind") == "CROSS" and node.args.get("on") is not None:
        node.set("kind", None)  # SQLite's CROSS JOIN … ON (a join order hint) is an inner join
        return node
    if isinstance(node, exp.Is) and isinstance(node.this, exp.Placeholder):
        node.set("this", exp.Cast(this=node.this, to=exp.DataType.build("TEXT")))
        return node
    if isinstance(node, exp.Like):
        return exp.ILike(this=node.this, expression=node.expression)
    if isinstance(node, exp.Glob):
        return exp.RegexpLike(this=node.this, expression=_glob(node.expression))
    if isinstance(node, exp.Collate) and node.expression.name.upper() == "NOCASE":
        return exp.Lower(this=node.this)
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Collate):
        return exp.EQ(this=exp.Lower(this=node.this), expression=exp.Lower(this=node.expression.this))
    if isinstance(node, exp.Table) and node.args.get("indexed") is not None:
        node.set("indexed", None)
        return node
    if isinstance(node, (exp.JSONExtractScalar, exp.JSONExtract)):
        return _json_extract(node)
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) and node.this.name.lower() == "json_each":
        return _json_each(node)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "total":
        return exp.Coalesce(this=exp.Sum(this=node.expressions[0]), expressions=[exp.Literal.number("0.0")])
    if isinstance(node, (exp.Sum, exp.Avg)) and isinstance(node.this, exp.Predicate):
        return node.__class__(this=exp.Case(ifs=[exp.If(this=node.this, true=exp.Literal.number(1))],
                                            default=exp.Literal.number(0)))
    if isinstance(node, (exp.EQ, exp.In)) and _id_column(node.this):
        return _id_compare(node)
    if isinstance(node, exp.Ordered) and _id_column(node.this):
        node.set("nulls_first", None)
        return node
    if isinstance(node, exp.DataType):
        return _datatype(node)
    if isinstance(node, exp.Create):
        return _create(node)
    return node


def _insert(node: exp.Insert, keys) -> exp.Insert:
    conflict = node.args.get("conflict")
    if conflict is not None:
        ordered = [k.this if isinstance(k, exp.Ordered) else k for k in conflict.args.get("conflict_keys") or []]
        if ordered:
            conflict.set("conflict_keys", ordered)
    alternative = (node.args.get("alternative") or "").upper()
    if alternative == "IGNORE":
        node.set("alternative", None)
        node.set("conflict", exp.OnConflict(action=exp.var("DO NOTHING")))
    elif alternative == "REPLACE":
        node.set("alternative", None)
        schema = node.this
        table = schema.this.name if isinstance(schema, exp.Schema) else schema.name
        columns = [c.name for c in schema.expressions] if isinstance(schema, exp.Schema) else []
        pk = keys(table) if keys else ()
        if not pk:
            raise ValueError(f"INSERT OR REPLACE INTO {table}: the table has no primary key on PostgreSQL")
        sets = [exp.EQ(this=exp.column(c), expression=exp.column(c, table="excluded"))
                for c in columns if c not in pk]
        node.set("conflict", exp.OnConflict(
            conflict_keys=[exp.column(c) for c in pk],
            action=exp.var("DO UPDATE") if sets else exp.var("DO NOTHING"),
            expressions=sets))
    return node


def _glob(pattern: exp.Expression) -> exp.Expression:
    if not isinstance(pattern, exp.Literal):
        raise ValueError("GLOB with a parameter cannot be translated; use a literal pattern")
    out = ["^"]
    for ch in pattern.this:
        out.append({"*": ".*", "?": "."}.get(ch, ch if ch in "[]-" else re.escape(ch)))
    return exp.Literal.string("".join(out) + "$")


def _json_path(path: exp.Expression) -> list[str]:
    if isinstance(path, exp.JSONPath):
        return [str(p.this) for p in path.expressions if not isinstance(p, exp.JSONPathRoot)]
    text = path.this if isinstance(path, exp.Literal) else path.name
    return [part for part in re.split(r"[.\[\]]+", text.lstrip("$")) if part]


def _as_jsonb(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("JSONB"))


def _json_extract(node) -> exp.Expression:
    keys = _json_path(node.expression)
    return exp.JSONBExtractScalar(this=_as_jsonb(node.this),
                                  expression=exp.Literal.string("{" + ",".join(keys) + "}"))


def _json_each(node: exp.Table) -> exp.Expression:
    args = node.this.expressions
    source = _as_jsonb(args[0])
    if len(args) > 1:
        source = exp.JSONBExtract(this=source, expression=exp.Literal.string(
            "{" + ",".join(_json_path(args[1])) + "}"))
    alias = node.alias or "json_each"
    call = exp.Anonymous(this="jsonb_array_elements_text", expressions=[source])
    return exp.Table(this=call, alias=exp.TableAlias(this=exp.to_identifier(alias),
                                                     columns=[exp.to_identifier("value")]))


def _id_column(node) -> bool:
    return isinstance(node, exp.Column) and bool(_ID_LIKE.match(node.name.lower()))


def _id_compare(node):
    """``id = j.value`` and ``id IN (SELECT value FROM json_each(?))``: the JSON values are integers."""
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Column) and node.expression.name == "value":
        node.set("expression", exp.Cast(this=node.expression, to=exp.DataType.build("BIGINT")))
    query = node.args.get("query")
    if isinstance(node, exp.In) and query is not None:
        select = query.this if isinstance(query, exp.Subquery) else query
        if isinstance(select, exp.Select) and len(select.expressions) == 1:
            only = select.expressions[0]
            if isinstance(only, exp.Column) and only.name == "value" and any(
                    isinstance(t.this, exp.Anonymous) and t.this.name.lower() == "json_each"
                    for t in select.find_all(exp.Table)):
                only.replace(exp.Cast(this=only.copy(), to=exp.DataType.build("BIGINT")))
    return node


def _datatype(node: exp.DataType) -> exp.DataType:
    kind = node.this
    if kind in (exp.DataType.Type.INT, exp.DataType.Type.SMALLINT, exp.DataType.Type.TINYINT):
        return exp.DataType.build("BIGINT")
    if kind in (exp.DataType.Type.FLOAT,):
        return exp.DataType.build("DOUBLE")
    return node


def _create(node: exp.Create) -> exp.Create:
    """``CREATE TABLE``: ``INTEGER PRIMARY KEY`` becomes an identity column, ``WITHOUT ROWID`` goes."""
    properties = node.args.get("properties")
    rowid = True
    if properties is not None:
        kept = [p for p in properties.expressions if type(p).__name__ != "WithoutRowidProperty"]
        rowid = len(kept) == len(properties.expressions)
        properties.set("expressions", kept)
        if not kept:
            node.set("properties", None)
    schema = node.this
    if node.kind != "TABLE" or not isinstance(schema, exp.Schema):
        return node
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        kinds = [c.kind for c in column.constraints]
        is_pk = any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in kinds)
        integer = column.kind is not None and column.kind.this in (exp.DataType.Type.INT, exp.DataType.Type.BIGINT)
        constraints = [c for c in column.constraints if not isinstance(c.kind, exp.AutoIncrementColumnConstraint)]
        if is_pk and integer:
            constraints.insert(0, exp.ColumnConstraint(kind=exp.GeneratedAsIdentityColumnConstraint(this=False)))
            rowid = False
        column.set("constraints", constraints)
    if rowid:
        schema.append("expressions", exp.ColumnDef(
            this=exp.to_identifier("rowid"), kind=exp.DataType.build("BIGINT"),
            constraints=[exp.ColumnConstraint(kind=exp.GeneratedAsIdentityColumnConstraint(this=False))]))
    return node


# ------------------------------------------------------------------------------------------- migrations

_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>\w+)\s+(?P<when>BEFORE|AFTER)\s+(?P<event>INSERT|UPDATE|DELETE)"
    r"(?:\s+OF\s+(?P<columns>[\w\s,]+?))?\s+ON\s+(?P<table>\w+)(?:\s+FOR\s+EACH\s+ROW)?(?:\s+WHEN\s+(?P<cond>.+?))?"
    r"\s+BEGIN\s+(?P<body>.*)\s*END\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_RAISE = re.compile(r"SELECT\s+RAISE\s*\(\s*(ABORT|FAIL|ROLLBACK)\s*,\s*'((?:[^']|'')*)'\s*\)", re.IGNORECASE)


def migration(sql: str) -> list[str]:
    """A migration file's statements in PostgreSQL."""
    out = []
    for statement in split(sql):
        trigger = _TRIGGER.match(statement.strip())
        if trigger:
            out.extend(_trigger(trigger))
        else:
            out.append(_ddl(statement))
    return out


def _ddl(statement: str) -> str:
    tree = rewrite(sqlglot.parse_one(statement, read="sqlite"))
    return tree.sql(dialect="postgres")


def _trigger(m: re.Match) -> list[str]:
    name, when, event, table = m["name"], m["when"].upper(), m["event"].upper(), m["table"]
    body = []
    for statement in split(m["body"].strip()):
        raised = _RAISE.search(statement)
        if raised:
            body.append("RAISE EXCEPTION '%', " + "'" + raised[2] + "';")
        else:
            body.append(_ddl(statement.rstrip(";")) + ";")
    row = "OLD" if event == "DELETE" else "NEW"
    result = row if when == "BEFORE" else "NULL"
    condition = ""
    if m["cond"]:
        condition = " WHEN (" + _ddl("SELECT " + m["cond"])[len("SELECT "):] + ")"
    columns = f" OF {m['columns'].strip()}" if m["columns"] else ""
    return [
        f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
        + " ".join(body) + f" RETURN {result}; END $body$",
        f"CREATE TRIGGER {name} {when} {event}{columns} ON {table} FOR EACH ROW{condition} "
        f"EXECUTE FUNCTION {name}_fn()",
    ]

