"""The registry of release formats: each output is one entry, and a build writes every entry.

An entry names its role (`name`), its file in the release folder, its media type and a writer
from the release `Content` to bytes. A new output (N-Quads, JSON-LD, KGX, nanopublications, TSV)
is one `register(Format(...))` call; the release folder, its report, its marker and the VoID
dump list all follow the registry.

Every writer is deterministic: same graph, same bytes.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, VOID, XSD
from rdflib.term import Node

from .export import (
    DATASET,
    DataFigures,
    bound,
    header_first,
    ntriples_bytes,
    oxigraph_triples,
    prefixes,
    to_oxigraph,
    to_rdflib,
    turtle_bytes,
    void_description,
)
from .namespaces import BASE, HK, ONTOLOGY_IRI
from .triple_index import TripleIndex

# Namespaces whose terms appear as RDF/XML element names (predicates and types).
USED_IN_RDFXML = {str(n) for n in (HK, OWL, RDF, RDFS, DCTERMS)} | {
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.geneontology.org/formats/oboInOwl#",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2001/XMLSchema#",
}


Written = bytes | Iterable[bytes]  # a file's bytes, or its pieces in order (streamed to disk as they come)


@dataclass
class Content:
    """What every format is written from: the release graph (ontology and data, with the release
    header) in sorted N-Triples order, and what the build knows about it.

    The release is given as its N-Triples bytes (`release_nt`; None: read from the saved file), let go of once
    saved (`done`); `triples`, the pyoxigraph triples, are parsed from them when a writer first needs them, so
    they lie in memory in the order the writers walk them. The writers that query the release share one
    pyoxigraph `store` of it; `graph` (an rdflib copy) is made only for a format that asks for it (none of the
    registered ones do). The build's rdflib data graph is not held: `ontology_part` (the triples of
    her2kg.nq's ontology graph) is all the writers need to tell the ontology from the data.
    """

    release_nt: InitVar[bytes | None]
    ontology_part: frozenset[pyoxigraph.Triple]
    ontology: Graph
    version: str
    issued: Literal | None = None
    with_inferences: bool = False  # the build writes the inferred formats too
    _outputs: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    _digests: dict[str, tuple[int, str]] = field(default_factory=dict, repr=False, compare=False)
    _saved: dict[str, Path] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self, release_nt: bytes | None) -> None:
        if release_nt is not None:
            self.__dict__["nt"] = release_nt  # (the cached `nt`)

    def saved_at(self, name: str, path: Path) -> None:
        """Record that the format `name` is saved at `path` (by this process or another): readers read it back."""
        self._saved[name] = path

    def output(self, fmt: Format) -> bytes:
        """The bytes of `fmt`, written once (until `done` with them): gzip copies read the plain files."""
        if fmt.name not in self._outputs:
            written = fmt.write(self)
            self._outputs[fmt.name] = written = written if isinstance(written, bytes) else b"".join(written)
            self._digests[fmt.name] = (len(written), hashlib.sha256(written).hexdigest())
        return self._outputs[fmt.name]

    def save(self, fmt: Format, path: Path) -> None:
        """Write `fmt` to the file `path` and be `done` with it. A writer that gives its bytes piece by piece has
        them written as they come, so the whole file is never in memory; its size and digest are recorded, and
        its path, for the readers that read it back (the gzip copies, the store)."""
        written: Written = self._outputs[fmt.name] if fmt.name in self._outputs else fmt.write(self)
        digest, size = hashlib.sha256(), 0
        with path.open("wb") as out:
            for piece in [written] if isinstance(written, bytes) else written:
                out.write(piece)
                digest.update(piece)
                size += len(piece)
        self._digests[fmt.name] = (size, digest.hexdigest())
        self.saved_at(fmt.name, path)
        self.done(fmt)

    def saved(self, name: str) -> Path | None:
        """Where the format `name` was saved, if it was (and the file is still there)."""
        path = self._saved.get(name)
        return path if path is not None and path.is_file() else None

    def digest(self, fmt: Format) -> tuple[int, str]:
        """The size and SHA-256 of `fmt`'s bytes (the VoID description and SHA256SUMS need no more of them)."""
        if fmt.name not in self._digests:
            self.output(fmt)
        return self._digests[fmt.name]

    def done(self, fmt: Format) -> None:
        """Let go of `fmt`'s bytes once they are on disk (the N-Triples included): a large release's files are not
        all held in memory at once. Their size and digest stay known; readers read the saved file back."""
        self._outputs.pop(fmt.name, None)
        if fmt.name == "nt" and fmt.name in self._saved:
            self.__dict__.pop("nt", None)
            self.__dict__.pop("ntriples", None)

    def data_objects(self, subject: Node, predicate: Node | None) -> list[Node]:
        """The objects of `subject`'s `predicate` (any, for None) in the data (not the ontology's own triples),
        as rdflib terms written as the data writes them (a store would give numbers in canonical form): read
        from the sorted triples (`index`)."""
        node, property_ = to_oxigraph(subject), None if predicate is None else to_oxigraph(predicate)
        if isinstance(node, pyoxigraph.Literal) or not isinstance(property_, pyoxigraph.NamedNode | None):
            return []
        found = self.index.quads_for_pattern(node, property_, None)
        return [to_rdflib(t.object) for t in found if t not in self.ontology_part]

    @cached_property
    def nt(self) -> bytes:
        """The release as sorted N-Triples: given, or read back from the saved file once let go of."""
        saved = self.saved("nt")
        if saved is None:
            raise RuntimeError("the release N-Triples were let go of before they were saved")
        return saved.read_bytes()

    @cached_property
    def triples(self) -> list[pyoxigraph.Triple]:
        """The release triples, sorted: parsed from the N-Triples held, else from the saved file. They are the
        release's own output: the parser need not check them again (`lenient`, a third faster)."""
        saved = self.saved("nt")
        source = {"path": str(saved)} if saved is not None and "nt" not in self.__dict__ else {"input": self.nt}
        return [q.triple for q in pyoxigraph.parse(**source, format=pyoxigraph.RdfFormat.N_TRIPLES, lenient=True)]

    @cached_property
    def size(self) -> int:
        """The number of release triples: counted as lines when they are not parsed yet (not parsing them, nor
        holding the saved file's bytes again)."""
        if "triples" in self.__dict__:
            return len(self.triples)
        saved = self.saved("nt")
        if "nt" in self.__dict__ or saved is None:
            return self.nt.count(b"\n")
        with saved.open("rb") as lines:
            return sum(piece.count(b"\n") for piece in iter(lambda: lines.read(PIECE), b""))

    @cached_property
    def ntriples(self) -> str:
        return self.nt.decode("utf-8")

    @cached_property
    def ordered(self) -> list[pyoxigraph.Triple]:
        """The release triples with the ontology header first: the order of Turtle and RDF/XML."""
        return header_first(self.triples, str(ONTOLOGY_IRI))

    @cached_property
    def graph(self) -> Graph:
        """The release as an rdflib Graph: a copy, made only when a format needs rdflib."""
        graph = bound(Graph())
        for t in self.triples:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return graph

    @cached_property
    def store(self) -> pyoxigraph.Store:
        """The release in a pyoxigraph store, loaded once for every writer that queries it (tables, KGX,
        nanopublications, JSON-LD)."""
        store = pyoxigraph.Store()
        saved = self.saved("nt")
        # The release's own N-Triples: loaded without checking them again (`lenient`), and in one transaction
        # (`load`: in memory, faster than `bulk_load`'s batches).
        if saved is not None and "nt" not in self.__dict__:
            store.load(path=str(saved), format=pyoxigraph.RdfFormat.N_TRIPLES, lenient=True)
        else:
            store.load(self.nt, format=pyoxigraph.RdfFormat.N_TRIPLES, lenient=True)
        return store

    @cached_property
    def index(self) -> TripleIndex:
        """The release triples indexed by subject, for what reads them node by node as written (the validator's
        findings, the nanopublications)."""
        return TripleIndex(self.triples)

    @cached_property
    def parts(self) -> dict[str, list[pyoxigraph.Triple]]:
        """The release triples of each named graph of her2kg.nq, each sorted: "ontology" (with the release
        header), "data" and "inferred". A triple both graphs state is data."""
        return {"ontology": self._split[0], "data": self.data, "inferred": self.inferred}

    @cached_property
    def data(self) -> list[pyoxigraph.Triple]:
        """The triples of her2kg.nq's data graph, sorted: the release less the ontology's own."""
        return self._split[1]

    @cached_property
    def _split(self) -> tuple[list[pyoxigraph.Triple], list[pyoxigraph.Triple]]:
        """The release triples in the ontology's own and the data's, in one pass."""
        own: list[pyoxigraph.Triple] = []
        data: list[pyoxigraph.Triple] = []
        ontology = self.ontology_part
        for t in self.triples:
            (own if t in ontology else data).append(t)
        return own, data

    @cached_property
    def figures(self) -> DataFigures:
        """What VoID says of the data (`data_figures`)."""
        return data_figures(self)

    def forget(self, *names: str) -> None:
        """Let go of what was made of the release and is not needed any more ("store", "index"): made again,
        should a writer ask for it after all."""
        for name in names:
            self.__dict__.pop(name, None)

    @cached_property
    def object_properties(self) -> list[str]:
        """The IRIs of the object properties the release declares (the JSON-LD context's IRI-valued keys)."""
        return formats_jsonld.object_properties(self.store)

    @cached_property
    def inferred(self) -> list[pyoxigraph.Triple]:
        """The entailments of the release that it does not state, sorted (see infer.py)."""
        from .infer import entailed_triples

        return sorted(entailed_triples(self.store), key=str)  # a set of pyoxigraph triples: in N-Triples order


def ontology_part(ontology: Graph, data: Graph, issued: Literal | None) -> frozenset[pyoxigraph.Triple]:
    """The triples of her2kg.nq's ontology graph: the ontology's own (those the data does not state too), with the
    header's release date `issued` when the build gives one."""
    own = {t for t in ontology if t not in data}
    if issued is not None:  # the header's release date (release_content replaced the ontology's)
        own.add((ONTOLOGY_IRI, DCTERMS.issued, issued))
    return frozenset(oxigraph_triples(own))


@contextmanager
def frozen_heap() -> Iterator[None]:
    """While the release is written, the objects that exist already (the facts, the data graph: millions at a
    large build) are left out of the garbage collector's full passes, which would otherwise walk them again
    and again as the writers allocate (a sixth of the writers' time at 10,000 claims). Only the young generations
    are collected first: a full pass walks every object for nothing (1 s at 100,000 claims; it found no garbage:
    the build makes no cycles), and what is frozen is collected as usual once the block ends."""
    gc.collect(1)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass(frozen=True)
class Format:
    name: str  # the role: "nt", "ttl", "owl", "void", "inferred-nt" …
    file_name: str
    media_type: str
    write: Callable[[Content], Written]
    dump: bool = False  # a serialisation of the whole release graph (a void:dataDump)
    inferred: bool = False  # written only by a build that reasons (`her2kg build --reason`)
    holds: str = ""  # the part of the release it is a distribution of, when not the whole ("ontology")
    describes: bool = False  # made from the other files (sizes, digests): written after them


FORMATS: dict[str, Format] = {}
GZIPPED: set[str] = set()  # formats of which a gzip copy is registered


def register(fmt: Format) -> Format:
    """Add `fmt` to the formats every release is written in (replacing an entry of the same name)."""
    FORMATS[fmt.name] = fmt
    return fmt


def formats(with_inferences: bool = False) -> list[Format]:
    """The registered formats a build writes, in registration order."""
    return [f for f in FORMATS.values() if with_inferences or not f.inferred]


def turtle(content: Content) -> bytes:
    """Turtle: every prefix declared (sorted), then the ontology header, then the subjects in
    sorted N-Triples order."""
    return turtle_bytes(content.ordered)


def rdfxml(content: Content) -> bytes:
    """RDF/XML: the ontology header first, then the sorted N-Triples order."""
    return rdfxml_bytes(content.ordered)


def rdfxml_bytes(triples: list[pyoxigraph.Triple]) -> bytes:
    used = {prefix: namespace for prefix, namespace in prefixes().items() if namespace in USED_IN_RDFXML}
    written = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=used)
    assert written is not None  # without an output file, serialize returns the bytes
    return written


BASE_FILE = "her2kg-base.owl"
BASE_ONTOLOGY_IRI = URIRef(BASE + BASE_FILE)
BASE_TITLE_SUFFIX = " — base module: classes, properties and controlled vocabularies"
BASE_COMMENT = (
    "The base module of her2kg, as Ontology Development Kit releases make them: the classes, properties and "
    "controlled vocabularies alone, without the curated data, for browsing the ontology and importing it. "
    "her2kg.owl holds the whole graph."
)


def base_module(content: Content) -> list[pyoxigraph.Triple]:
    """The ontology without the data (ODK's base release), under its own ontology IRI and a version IRI in the
    release (https://w3id.org/her2kg/release/VERSION/her2kg-base.owl), its header first."""
    header: list[tuple[URIRef, URIRef, Any]] = [(BASE_ONTOLOGY_IRI, RDFS.comment, Literal(BASE_COMMENT, lang="en"))]
    for _s, predicate, given in content.ontology.triples((ONTOLOGY_IRI, None, None)):
        value = given
        if predicate == OWL.versionIRI:
            value = URIRef(f"{BASE}release/{content.version}/{BASE_FILE}")
        elif predicate == DCTERMS.issued and content.issued is not None:
            value = content.issued
        elif predicate == DCTERMS.title and isinstance(given, Literal):
            value = Literal(str(given) + BASE_TITLE_SUFFIX, lang=given.language)
        header.append((BASE_ONTOLOGY_IRI, URIRef(str(predicate)), value))
    rest = [t for t in content.ontology if t[0] != ONTOLOGY_IRI]
    return header_first(oxigraph_triples(header, rest), str(BASE_ONTOLOGY_IRI))


def void(content: Content) -> bytes:
    dumps = [f.file_name for f in FORMATS.values() if f.dump]
    description = void_description(
        content.figures, content.ontology, content.size, content.version, dumps, content.issued
    )
    description += distributions(content)
    return description.serialize(format="turtle", encoding="utf-8")


CLASS_SIZES = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c FILTER isIRI(?c) } GROUP BY ?c"
INDIVIDUALS = f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s a <{OWL.NamedIndividual}> FILTER isIRI(?s) }}"


def data_figures(content: Content) -> DataFigures:
    """What VoID says of the data, counted in the store by SPARQL, less what the ontology's own triples (few) add."""
    store, own = content.store, content.ontology_part
    classes: Counter[str] = Counter()
    for row in _rows(store.query(CLASS_SIZES)):
        classes[row[0].value] = int(row[1].value)
    type_ = pyoxigraph.NamedNode(str(RDF.type))
    typed = [
        (t.subject, t.object.value) for t in own if t.predicate == type_ and isinstance(t.object, pyoxigraph.NamedNode)
    ]
    classes.subtract(c for _s, c in typed)
    (entities,) = [int(row[0].value) for row in _rows(store.query(INDIVIDUALS))]
    entities -= sum(1 for s, c in typed if c == str(OWL.NamedIndividual) and isinstance(s, pyoxigraph.NamedNode))
    publication = pyoxigraph.NamedNode(str(HK.Publication))
    titles: dict[str, Node | None] = {}
    for q in store.quads_for_pattern(None, type_, publication):
        if isinstance(q.subject, pyoxigraph.NamedNode) and q.triple not in own:
            titles[q.subject.value] = next(  # its hk:title, else its rdfs:label (the data's)
                (
                    to_rdflib(t.object)
                    for predicate in (HK.title, RDFS.label)
                    for t in (
                        p.triple for p in store.quads_for_pattern(q.subject, pyoxigraph.NamedNode(predicate), None)
                    )
                    if t not in own
                ),
                None,
            )
    stated_in = pyoxigraph.NamedNode(str(HK.statedIn))
    statements = Counter(
        q.object.value
        for q in store.quads_for_pattern(None, stated_in, None)
        if isinstance(q.object, pyoxigraph.NamedNode) and q.triple not in own
    )
    return DataFigures(+classes, entities, titles, statements)


def _rows(solutions: object) -> list[pyoxigraph.QuerySolution]:
    assert isinstance(solutions, pyoxigraph.QuerySolutions)  # a SELECT
    return list(solutions)


register(Format("ttl", "her2kg.ttl", "text/turtle", turtle, dump=True))
register(
    Format(
        "nt",
        "her2kg.nt",
        "application/n-triples",
        lambda c: c.nt,
        dump=True,
    )
)
register(Format("owl", "her2kg.owl", "application/rdf+xml", rdfxml, dump=True))
register(Format("owl-base", BASE_FILE, "application/rdf+xml", lambda c: rdfxml_bytes(base_module(c)), holds="ontology"))
register(Format("void", "void.ttl", "text/turtle", void, describes=True))
register(
    Format("inferred-ttl", "her2kg-inferred.ttl", "text/turtle", lambda c: turtle_bytes(c.inferred), inferred=True)
)
register(
    Format(
        "inferred-nt",
        "her2kg-inferred.nt",
        "application/n-triples",
        lambda c: ntriples_bytes(c.inferred),
        inferred=True,
    )
)


# --- the files a triple store takes: named graphs, compressed copies, checksums ---------------------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMAT_IRIS = {
    "application/n-triples": "N-Triples",
    "application/n-quads": "N-Quads",
    "text/turtle": "Turtle",
    "application/rdf+xml": "RDF_XML",
}  # W3C's IRIs for RDF formats: http://www.w3.org/ns/formats/
SUMS_FILE = "SHA256SUMS"


def release_graph(version: str, part: str = "") -> str:
    """The named graph of a release: the whole release (her2kg.nt, where `her2kg load` puts it), or one part of
    it as her2kg.nq holds them ("ontology", "data", "inferred")."""
    return f"{BASE}release/{version}" + (f"/{part}" if part else "")


def nquads(content: Content) -> Iterator[bytes]:
    """N-Quads: the ontology (with the release header), the data and the inferred triples each in its own graph,
    each graph's quads in sorted N-Triples order; written a slice of triples at a time."""
    # An N-Triples line ends in " .\n" and holds no other line break (literals escape theirs): each line of a
    # graph's N-Triples becomes its quad by naming the graph before the final " .".
    empty = True
    for part, triples in content.parts.items():
        named = f" <{release_graph(content.version, part)}> .\n".encode()
        for start in range(0, len(triples), SLICE):
            empty = False
            yield ntriples_bytes(triples[start : start + SLICE]).replace(b" .\n", named)
    if empty:
        yield b"\n"


SLICE = 50_000  # triples serialised at a time by the streamed N-Quads writer


def gzipped(name: str) -> Callable[[Content], bytes]:
    """A gzip copy of the format `name`, byte for byte the same on every build: the header's time is 0 and its
    file name that of the uncompressed file, whatever the build's clock or folder. The plain file is read back
    from disk when it was saved (so its bytes need not be held), else written again."""
    GZIPPED.add(name)

    def write(content: Content) -> bytes:
        out = io.BytesIO()
        # Level 6 (zlib's default) takes under half the time of 9 on these files, for about 2 % more bytes.
        with gzip.GzipFile(filename=FORMATS[name].file_name, mode="wb", fileobj=out, mtime=0, compresslevel=6) as gz:
            saved = content.saved(name)
            if saved is None:
                gz.write(content.output(FORMATS[name]))
            else:
                with saved.open("rb") as plain:
                    shutil.copyfileobj(plain, gz, PIECE)
        return out.getvalue()

    return write


PIECE = 1 << 20  # bytes read at a time from a saved file


def _summed(content: Content) -> list[Format]:
    return [f for f in formats(content.with_inferences) if f.name != "sums"]


def sha256sums(content: Content) -> bytes:
    """`sha256sum -c SHA256SUMS` in the release folder checks every file the registry wrote."""
    lines = sorted(f"{content.digest(f)[1]}  {f.file_name}\n" for f in _summed(content))
    return "".join(lines).encode("utf-8")


def _sums_size(content: Content) -> int:
    """The size of SHA256SUMS, known from the file names alone (void.ttl cannot hold a hash of itself)."""
    return sum(64 + 2 + len(f.file_name.encode("utf-8")) + 1 for f in _summed(content))


def distributions(content: Content) -> Graph:
    """Each file of the release as a DCAT distribution (media type, format, byte size, triple count) of the named
    graph it holds — the release graph, the inferred graph, or for N-Quads all the graphs — as VoID subsets."""
    described = bound(Graph())
    described.bind("sd", SD)
    triples = {"": content.size, **{part: len(found) for part, found in content.parts.items()}}
    for part, count in triples.items():
        graph = URIRef(release_graph(content.version, part))
        described.add((DATASET, VOID.subset, graph))
        described.add((graph, RDF.type, VOID.Dataset))
        described.add((graph, RDF.type, SD.NamedGraph))
        described.add((graph, SD.name, graph))
        described.add((graph, VOID.triples, Literal(count, datatype=XSD.integer)))
    for fmt in formats(content.with_inferences):
        if fmt.name == "void":
            continue
        file = URIRef(f"{BASE}release/{content.version}/{fmt.file_name}")
        size = _sums_size(content) if fmt.name == "sums" else content.digest(fmt)[0]
        base = fmt.name.removesuffix("-gz")  # a gzip copy holds what its plain file holds
        part = fmt.holds or ("all" if base == "nq" else "inferred" if base.startswith("inferred") else "")
        holder = DATASET if part == "all" else URIRef(release_graph(content.version, part))
        described.add((holder, DCAT.distribution, file))
        described.add((file, RDF.type, DCAT.Distribution))
        described.add((file, DCTERMS.title, Literal(fmt.file_name)))
        described.add((file, DCAT.downloadURL, file))
        described.add((file, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))
        if fmt.name.endswith("-gz"):
            described.add(
                (file, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip"))
            )
        described.add((file, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        kind = FORMAT_IRIS.get(fmt.media_type)
        if kind:  # an RDF file: its syntax and how many triples (quads, for N-Quads) it holds
            described.add((file, DCTERMS.conformsTo, URIRef(f"http://www.w3.org/ns/formats/{kind}")))
            count = triples[""] + triples["inferred"] if part == "all" else triples[part]
            if fmt.holds:  # a module of its own (its own header): the triples the file holds
                count = sum(
                    1
                    for _ in pyoxigraph.parse(
                        content.output(fmt), format=pyoxigraph.RdfFormat.from_media_type(fmt.media_type)
                    )
                )
            described.add((file, VOID.triples, Literal(count, datatype=XSD.integer)))
    return described


register(Format("nq", "her2kg.nq", "application/n-quads", nquads))
register(Format("nt-gz", "her2kg.nt.gz", "application/n-triples", gzipped("nt"), dump=True))
register(Format("nq-gz", "her2kg.nq.gz", "application/n-quads", gzipped("nq")))
register(Format("sums", SUMS_FILE, "text/plain", sha256sums, describes=True))


# --- outputs for other tools: evidence tables (formats_tables.py) ------------------------------------

from . import formats_tables  # noqa: E402 (the writers use Content, defined above)

register(Format("claims-tsv", "claims.tsv", "text/tab-separated-values", lambda c: formats_tables.claims_tsv(c.store)))
register(
    Format("outcomes-tsv", "outcomes.tsv", "text/tab-separated-values", lambda c: formats_tables.outcomes_tsv(c.store))
)
register(Format("trials-tsv", "trials.tsv", "text/tab-separated-values", lambda c: formats_tables.trials_tsv(c.store)))


# --- KGX nodes and edges with Biolink categories and predicates (formats_kgx.py) ----------------------

from . import formats_kgx  # noqa: E402

register(
    Format(
        "kgx-nodes-tsv",
        f"{formats_kgx.FOLDER}/nodes.tsv",
        "text/tab-separated-values",
        lambda c: formats_kgx.nodes_tsv(c.store),
    )
)
register(
    Format(
        "kgx-edges-tsv",
        f"{formats_kgx.FOLDER}/edges.tsv",
        "text/tab-separated-values",
        lambda c: formats_kgx.edges_tsv(c.store),
    )
)
register(
    Format(
        "kgx-nodes-jsonl",
        f"{formats_kgx.FOLDER}/nodes.jsonl",
        "application/jsonl",
        lambda c: formats_kgx.nodes_jsonl(c.store),
    )
)
register(
    Format(
        "kgx-edges-jsonl",
        f"{formats_kgx.FOLDER}/edges.jsonl",
        "application/jsonl",
        lambda c: formats_kgx.edges_jsonl(c.store),
    )
)


# --- every claim as a nanopublication (formats_nanopub.py) ---------------------------------------------

from . import formats_nanopub  # noqa: E402

register(
    Format(
        "nanopubs",
        "her2kg-nanopubs.trig",
        "application/trig",
        lambda c: formats_nanopub.nanopubs_pieces(c.index, c.version, c.issued.n3() if c.issued is not None else None),
    )
)


# --- JSON-LD with a published @context (formats_jsonld.py) ---------------------------------------------

from . import formats_jsonld  # noqa: E402

register(
    Format(
        "jsonld-context",
        formats_jsonld.CONTEXT_FILE,
        "application/ld+json",
        lambda c: formats_jsonld.context_json(c.object_properties),
    )
)
register(
    Format(
        "jsonld",
        "her2kg.jsonld",
        "application/ld+json",
        lambda c: formats_jsonld.data_jsonld_pieces(c.data, c.object_properties, c.version),
    )
)


@contextmanager
def memos_forgotten() -> Iterator[None]:
    """Writers remember what they read of a release's store while its files are written (labels,
    identifiers, the KGX rows); after the block they forget it, so that a process that goes on (a
    second build, a server) does not keep the release's store and tables alive."""
    try:
        yield
    finally:
        formats_tables.objects_of.cache_clear()
        formats_kgx.graph_rows.cache_clear()
