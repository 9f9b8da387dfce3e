"""The hub's network of cities, initiatives (programmes, city networks) and organisations, built from the corpus.

Nodes are unmerged entities: places of type ``city``, initiatives and organisations. Two nodes are linked when

- they are mentioned in the same passage of a current document (``co-mention``), or
- a document's record of an initiative names the other as its ``lead`` or among its ``participants``
  (``lead`` / ``participant``; the evidence is the initiative's mentions in that document).

Records read as readers see them (:func:`migrahub.store.entities.document_records`): a node's name is its record's
current name (a curator's rename shows), a record merged into another is that one (its mentions and document copies
count once, for the target), and where a curator set an initiative's ``lead`` or ``participants``, those win over
each document's copy (a link only the curator states has no passage; the others keep the passages of the documents
that state them). A name that a document gave a record (before a rename, or the merged record's own) still finds
that record.

Every edge keeps the passage ids that support it, so each link is traceable to the text. The functions here are pure
reads of the store plus serialisers (GraphML, GEXF 1.3, JSON) that take a :class:`Graph` and return text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from migrahub.store import entities as store
from migrahub.store import network as network_store

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://gexf.net/1.3"
NODE_CATEGORIES = ("places", "initiatives", "organisations")
MAX_PASSAGES_PER_EDGE = 200  # evidence kept per edge in the graph (the edge page lists them all)


@dataclass
class Node:
    id: int
    label: str
    category: str
    kind: str | None
    country: str | None
    documents: int = 0


@dataclass
class Edge:
    source: int
    target: int
    weight: int = 0  # number of distinct supporting passages
    relations: set[str] = field(default_factory=set)
    passages: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.source}-{self.target}"


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    min_weight: int = 1
    truncated: bool = False  # True when nodes beyond ``max_nodes`` were left out


def _node_rows(conn) -> dict[int, Node]:
    nodes = {}
    for r in network_store.node_records(conn):
        if r["category"] == "places" and r["type"] != "city":
            continue
        nodes[r["id"]] = Node(r["id"], r["name"], r["category"], r["type"] or r["kind"], r["country"])
    return nodes


def _merged(conn) -> dict[int, int]:
    """Each record merged into another → the record readers see in its place (merges followed to the end)."""
    into = network_store.merged_into(conn)
    final = {}
    for start in into:
        seen, eid = {start}, into[start]
        while eid in into and eid not in seen:
            seen.add(eid)
            eid = into[eid]
        final[start] = eid
    return final


def _stated_names(conn, ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(record, name) for the names current documents gave the records of the node categories and for the names of
    records merged into others, each for the record readers see (a merged one's target); ``ids``: only these."""
    final = _merged(conn)
    wanted = None if ids is None else set(ids)
    out = []
    for record, name in network_store.stated_names(conn):
        eid = final.get(record, record)
        if name and (wanted is None or eid in wanted):
            out.append((eid, str(name)))
    return out


def _initiative_passages(conn, ids: list[int] | None = None) -> dict[tuple[int, int], list[int]]:
    """(initiative, document) → the passages where that document mentions the initiative (merged ones' moved)."""
    out: dict[tuple[int, int], list[int]] = {}
    for initiative, document, passage in network_store.initiative_mentions(conn, ids):
        out.setdefault((initiative, document), []).append(passage)
    return out


def _record_links(conn, ids: list[int] | None = None):
    """(initiative, document, relation, name, stated) for each lead and participant an initiative's records name as
    readers see them: each current document's copy, except the fields a curator set on the record (its ``lead`` or
    ``participants`` then replace every document's). ``stated``: the document's own copy names it too, so the
    document's passages are its evidence; a name only the curator gave has none."""
    edited = store.edited_fields(conn, ids)
    for r in store.document_records(conn, "initiatives", None, entity_ids=ids):
        curated = edited.get(r["entity_id"], set()) if r["curated"] else set()
        for relation in ("lead", "participants"):
            own = [str(n) for n in r["own"].get(relation) or ()]
            names = [str(n) for n in (r["data"].get(relation) or ())] if relation in curated else own
            stated = {_norm(n) for n in own}
            for name in names:
                yield (r["entity_id"], r["document_id"], "lead" if relation == "lead" else "participant", name,
                       _norm(name) in stated)


def _exchanges(conn) -> list[dict]:
    """Outcomes of peer-exchange requests between a requesting city and a city or organisation."""
    from migrahub.services.connect.peers import outcome_links

    return [o for o in outcome_links(conn) if o["city_id"] and o["target_kind"] in ("city", "organisation")]


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def build_graph(conn, *, min_weight: int = 1, max_nodes: int = 300) -> Graph:
    """The network of the whole hub: edges of at least ``min_weight`` supporting passages, and the ``max_nodes``
    best-connected nodes that have an edge (isolated nodes are left out)."""
    nodes = _node_rows(conn)
    edges: dict[tuple[int, int], Edge] = {}
    counted: dict[tuple[int, int], set[int]] = {}  # each edge's passages, counted once however often stated

    def add(a: int, b: int, relation: str, passage: int | None) -> None:
        if a == b or a not in nodes or b not in nodes:
            return
        key = _pair(a, b)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = Edge(*key)
            counted[key] = set()
        edge.relations.add(relation)
        if passage is not None and passage not in counted[key]:
            counted[key].add(passage)
            edge.weight += 1
            if len(edge.passages) < MAX_PASSAGES_PER_EDGE:
                edge.passages.append(passage)
        elif passage is None and edge.weight == 0:
            edge.weight = 1  # a record states the link, but no passage of it was located

    # co-mentions in one passage of a current document
    for r in network_store.co_mentions(conn):
        add(r[0], r[1], "co-mention", r[2])

    # initiative records naming their lead and participants: current names first, then the names documents gave
    by_name: dict[str, list[int]] = {}
    for node in nodes.values():
        by_name.setdefault(_norm(node.label), []).append(node.id)
    for eid, acronym in network_store.acronyms(conn):
        if eid in nodes:
            by_name.setdefault(_norm(acronym), []).append(eid)
    for eid, name in _stated_names(conn):
        if eid in nodes and eid not in by_name.setdefault(_norm(name), []):
            by_name[_norm(name)].append(eid)
    passages_of = _initiative_passages(conn)
    in_document: dict[int, set[int]] = {}
    unstated = []
    for initiative, document, label, name, stated in _record_links(conn):
        candidates = by_name.get(_norm(name))
        if not candidates:
            continue
        if len(candidates) > 1:  # same name twice: prefer the record this document mentions
            if document not in in_document:
                in_document[document] = network_store.document_entities(conn, document)
            candidates = [c for c in candidates if c in in_document[document]] or candidates
        if not stated:
            unstated.append((initiative, candidates[0], label))
            continue
        for p in passages_of.get((initiative, document)) or [None]:
            add(initiative, candidates[0], label, p)
    for initiative, other, label in unstated:  # a curator's own statement: the link without a passage
        if _pair(initiative, other) not in edges or label not in edges[_pair(initiative, other)].relations:
            add(initiative, other, label, None)
    for link in _exchanges(conn):  # peer exchanges that took place (a visit, a review): links curators recorded
        add(link["city_id"], link["target_id"], f"peer-exchange:{link['kind']}", None)

    kept = [e for e in edges.values() if e.weight >= min_weight]
    degree: dict[int, int] = {}
    for e in kept:
        degree[e.source] = degree.get(e.source, 0) + e.weight
        degree[e.target] = degree.get(e.target, 0) + e.weight
    ranked = sorted(degree, key=lambda n: (-degree[n], nodes[n].label))
    chosen = set(ranked[:max_nodes])
    kept = [e for e in kept if e.source in chosen and e.target in chosen]
    for n in chosen:
        nodes[n].documents = degree[n]
    out_nodes = sorted((nodes[n] for n in chosen), key=lambda n: (n.category, n.label, n.id))
    kept.sort(key=lambda e: (-e.weight, e.source, e.target))
    return Graph(out_nodes, kept, min_weight, truncated=len(ranked) > max_nodes)


def edge_passages(conn, a: int, b: int, *, limit: int = 100, offset: int = 0) -> dict | None:
    """The evidence of the link between entities ``a`` and ``b``: both records and the passages (with their
    documents) that mention both, plus the initiative records naming the other as lead or participant (as readers see
    them); ``None`` when either entity does not exist. A record merged into another stands for that one."""
    final = _merged(conn)
    a, b = final.get(a, a), final.get(b, b)
    ents = network_store.records(conn, [a, b])
    if a not in ents or b not in ents or a == b:
        return None
    passages = [{**r, "relation": "co-mention"}
                for r in network_store.shared_passages(conn, a, b, limit=limit, offset=offset)]
    # initiative records naming the other entity (by its name, acronym or a name a document gave it)
    names: dict[int, set[str]] = {}
    for eid in (a, b):
        name, acronym = network_store.name_and_acronym(conn, eid)
        names[eid] = {_norm(name)} | ({_norm(acronym)} if acronym else set())
    for eid, name in _stated_names(conn, [a, b]):
        names[eid].add(_norm(name))
    seen = {p["id"] for p in passages}
    for initiative, other in ((a, b), (b, a)):
        if ents[initiative]["category"] != "initiatives":
            continue
        passages_of = _initiative_passages(conn, [initiative])
        for _, document, label, name, stated in _record_links(conn, [initiative]):
            if not stated or _norm(name) not in names[other]:
                continue
            for pid in passages_of.get((initiative, document), []):
                if pid in seen:
                    continue
                seen.add(pid)
                passages.append({**network_store.passage(conn, pid), "relation": label})
    return {"a": ents[a], "b": ents[b], "passages": passages}


def _norm(value: str) -> str:
    return re.sub(r"\s+", " ", value or "").strip().casefold()


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(value) -> str:
    """A value as text that XML 1.0 can hold (control characters dropped)."""
    return _XML_BAD.sub("", "" if value is None else str(value))


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


NODE_ATTRS = (("category", "string"), ("kind", "string"), ("country", "string"), ("weighted_degree", "int"))
EDGE_ATTRS = (("relations", "string"), ("passages", "string"))


def _node_values(n: Node) -> dict[str, str]:
    return {"category": n.category, "kind": n.kind or "", "country": n.country or "",
            "weighted_degree": str(n.documents)}


def _edge_values(e: Edge) -> dict[str, str]:
    return {"relations": " ".join(sorted(e.relations)), "passages": " ".join(map(str, e.passages))}


def to_graphml(graph: Graph) -> str:
    """The graph as GraphML (namespace http://graphml.graphdrawing.org/xmlns); each edge's ``passages`` data holds
    the space-separated ids of its supporting passages."""
    ET.register_namespace("", GRAPHML_NS)
    q = lambda tag: f"{{{GRAPHML_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("graphml"))
    ET.SubElement(root, q("key"), {"id": "label", "for": "node", "attr.name": "label", "attr.type": "string"})
    for name, kind in NODE_ATTRS:
        ET.SubElement(root, q("key"), {"id": name, "for": "node", "attr.name": name, "attr.type": kind})
    ET.SubElement(root, q("key"), {"id": "weight", "for": "edge", "attr.name": "weight", "attr.type": "int"})
    for name, kind in EDGE_ATTRS:
        ET.SubElement(root, q("key"), {"id": name, "for": "edge", "attr.name": name, "attr.type": kind})
    g = ET.SubElement(root, q("graph"), {"id": "migrahub", "edgedefault": "undirected"})
    for n in graph.nodes:
        el = ET.SubElement(g, q("node"), {"id": f"n{n.id}"})
        ET.SubElement(el, q("data"), {"key": "label"}).text = _x(n.label)
        for key, value in _node_values(n).items():
            ET.SubElement(el, q("data"), {"key": key}).text = _x(value)
    for e in graph.edges:
        el = ET.SubElement(g, q("edge"), {"id": f"e{e.key}", "source": f"n{e.source}", "target": f"n{e.target}"})
        ET.SubElement(el, q("data"), {"key": "weight"}).text = str(e.weight)
        for key, value in _edge_values(e).items():
            ET.SubElement(el, q("data"), {"key": key}).text = _x(value)
    return _xml(root)


def to_gexf(graph: Graph, *, generated: str = "") -> str:
    """The graph as GEXF 1.3 (namespace http://gexf.net/1.3); each edge's ``passages`` attribute holds the
    space-separated ids of its supporting passages."""
    ET.register_namespace("", GEXF_NS)
    q = lambda tag: f"{{{GEXF_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("gexf"), {"version": "1.3"})
    meta = ET.SubElement(root, q("meta"), {"lastmodifieddate": generated[:10]} if generated else {})
    ET.SubElement(meta, q("creator")).text = "MigraHub"
    ET.SubElement(meta, q("description")).text = (
        "Cities, initiatives and organisations linked by co-mention in a passage or by initiative records "
        f"(edges of at least {graph.min_weight} passages)")
    g = ET.SubElement(root, q("graph"), {"defaultedgetype": "undirected", "mode": "static"})
    for cls, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        el = ET.SubElement(g, q("attributes"), {"class": cls})
        for name, kind in attrs:
            ET.SubElement(el, q("attribute"), {"id": name, "title": name, "type": "integer" if kind == "int"
                                               else "string"})
    nodes = ET.SubElement(g, q("nodes"))
    for n in graph.nodes:
        el = ET.SubElement(nodes, q("node"), {"id": str(n.id), "label": _x(n.label)})
        values = ET.SubElement(el, q("attvalues"))
        for key, value in _node_values(n).items():
            ET.SubElement(values, q("attvalue"), {"for": key, "value": _x(value)})
    edges = ET.SubElement(g, q("edges"))
    for e in graph.edges:
        el = ET.SubElement(edges, q("edge"), {"id": e.key, "source": str(e.source), "target": str(e.target),
                                              "weight": str(float(e.weight))})
        values = ET.SubElement(el, q("attvalues"))
        for key, value in _edge_values(e).items():
            ET.SubElement(values, q("attvalue"), {"for": key, "value": _x(value)})
    return _xml(root)


def to_json(graph: Graph) -> dict:
    """The graph as plain data for the interactive view and the API."""
    return {
        "min_weight": graph.min_weight, "truncated": graph.truncated,
        "nodes": [{"id": n.id, "label": n.label, "category": n.category, "kind": n.kind, "country": n.country,
                   "weighted_degree": n.documents} for n in graph.nodes],
        "edges": [{"source": e.source, "target": e.target, "weight": e.weight, "relations": sorted(e.relations),
                   "passages": e.passages} for e in graph.edges],
    }
