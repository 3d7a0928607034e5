import java.io.File;
import java.util.Map;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFOntologyHeaderStatus;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

/**
 * Loads each file given (.ttl as Turtle, anything else as RDF/XML) with the OWL API, the library
 * Protégé is built on, in lax mode (as Protégé) and in strict mode, and checks it is OWL 2 DL.
 *
 * Prints one line per problem: a parse error, a triple the parser could not turn into an axiom,
 * or an OWL 2 DL profile violation. Exits 1 if there was any, 0 otherwise.
 */
public class CheckOwl2Dl {
    public static void main(String[] args) {
        int problems = 0;
        for (String path : args) {
            problems += check(new File(path));
        }
        System.exit(problems == 0 ? 0 : 1);
    }

    static int check(File file) {
        // Parse as Protégé does (lax), and again in strict mode, where the OWL API turns into axioms
        // only what is declared: a triple it leaves unparsed in either mode is one an editor drops.
        OWLOntology ontology = load(file, false);
        if (ontology == null) {
            return 1;
        }
        int problems = report(file, ontology, "");
        OWLOntology strict = load(file, true);
        problems += strict == null ? 1 : report(file, strict, " (strict parsing)");
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            System.out.println(file + ": not OWL 2 DL: " + violation);
            problems++;
        }
        System.out.println(file + ": " + ontology.getAxiomCount() + " axioms, " + problems + " problems");
        return problems;
    }

    static OWLOntology load(File file, boolean strict) {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration().setStrict(strict);
        OWLDocumentFormat format = file.getName().endsWith(".ttl")
                ? new TurtleDocumentFormat() : new RDFXMLDocumentFormat();
        try {
            return manager.loadOntologyFromOntologyDocument(new FileDocumentSource(file, format), config);
        } catch (Exception e) {
            System.out.println(file + ": parse error" + (strict ? " (strict parsing)" : "") + ": " + e.getMessage());
            return null;
        }
    }

    /** The loader's own findings: header, unparsed triples, guessed declarations. */
    static int report(File file, OWLOntology ontology, String mode) {
        int problems = 0;
        OWLDocumentFormat loaded = ontology.getOWLOntologyManager().getOntologyFormat(ontology);
        OWLOntologyLoaderMetaData meta = loaded == null ? null : loaded.getOntologyLoaderMetaData().orElse(null);
        if (!(meta instanceof RDFParserMetaData)) {
            System.out.println(file + ": no loader metadata" + mode + ": cannot tell whether every triple was parsed");
            return 1;
        }
        RDFParserMetaData rdf = (RDFParserMetaData) meta;
        if (rdf.getHeaderState() != RDFOntologyHeaderStatus.PARSED_ONE_HEADER) {
            System.out.println(file + ": ontology header" + mode + ": " + rdf.getHeaderState());
            problems++;
        }
        for (RDFTriple triple : (Iterable<RDFTriple>) rdf.getUnparsedTriples()::iterator) {
            System.out.println(file + ": unparsed triple" + mode + ": " + triple);
            problems++;
        }
        // Protégé guesses the type of an undeclared term from its use; we want none to guess.
        for (Map.Entry<IRI, Class<?>> guess : rdf.getGuessedDeclarations().entries()) {
            System.out.println(file + ": undeclared, guessed " + guess.getValue().getSimpleName() + mode + ": "
                    + guess.getKey());
            problems++;
        }
        return problems;
    }
}
