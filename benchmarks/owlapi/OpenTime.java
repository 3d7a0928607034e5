import java.io.File;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;

/**
 * Opens one RDF/XML file with the OWL API as Protégé does (lax parsing), `repeat` times, each time
 * in a new manager, and prints one line per load: milliseconds spent loading (nothing else is timed),
 * axioms, individuals and triples left unparsed. The first load in a new JVM is what a user waits for
 * when Protégé opens the file; the later ones show the parser once the JVM has warmed up.
 */
public class OpenTime {
    public static void main(String[] args) throws Exception {
        File file = new File(args[0]);
        int repeat = Integer.parseInt(args[1]);
        for (int i = 0; i < repeat; i++) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            long start = System.nanoTime();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
                    new FileDocumentSource(file, new RDFXMLDocumentFormat()), new OWLOntologyLoaderConfiguration());
            long elapsed = System.nanoTime() - start;
            RDFParserMetaData meta = (RDFParserMetaData) manager.getOntologyFormat(ontology)
                    .getOntologyLoaderMetaData().get();
            System.out.println(String.format("%.1f\t%d\t%d\t%d", elapsed / 1e6, ontology.getAxiomCount(),
                    ontology.getIndividualsInSignature().size(), meta.getUnparsedTriples().count()));
        }
    }
}
