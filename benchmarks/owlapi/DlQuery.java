/*
 * Runs Protégé-style DL queries (Manchester syntax, names read by rdfs:label, quoted when they hold
 * spaces) with HermiT on an OWL file and prints each query's instances. docs/protege.md's DL query
 * table was checked with it. HermiT 1.3.8, as owlready2 ships it, bundles the OWL API 3 it needs:
 *
 *   H=$(.venv/bin/python -c 'import owlready2, os; print(os.path.dirname(owlready2.__file__))')/hermit/HermiT.jar
 *   javac -cp "$H" -d /tmp/dlq benchmarks/owlapi/DlQuery.java
 *   java -Xmx4g -cp "$H:/tmp/dlq" DlQuery dist/her2kg.owl "'resistance mechanism' and involves value 'PIK3CA (p110α)'"
 */
import java.io.File;
import java.util.*;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.util.*;
import org.coode.owlapi.manchesterowlsyntax.ManchesterOWLSyntaxEditorParser;
import org.semanticweb.owlapi.expression.ShortFormEntityChecker;
import org.semanticweb.owlapi.vocab.OWLRDFVocabulary;

public class DlQuery {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager m = OWLManager.createOWLOntologyManager();
        OWLOntology o = m.loadOntologyFromOntologyDocument(new File(args[0]));
        OWLDataFactory f = m.getOWLDataFactory();
        ShortFormProvider labels = new AnnotationValueShortFormProvider(
            Collections.singletonList(f.getOWLAnnotationProperty(OWLRDFVocabulary.RDFS_LABEL.getIRI())),
            Collections.<OWLAnnotationProperty, List<String>>emptyMap(), m) {
            public String getShortForm(OWLEntity e) {
                String s = super.getShortForm(e);
                return s.matches("[A-Za-z0-9_]+") ? s : "'" + s + "'";
            }
        };
        BidirectionalShortFormProviderAdapter bidi = new BidirectionalShortFormProviderAdapter(m, Collections.singleton(o), labels);
        Reasoner r = new Reasoner(o);
        for (int i = 1; i < args.length; i++) {
            ManchesterOWLSyntaxEditorParser p = new ManchesterOWLSyntaxEditorParser(f, args[i]);
            p.setDefaultOntology(o);
            p.setOWLEntityChecker(new ShortFormEntityChecker(bidi));
            OWLClassExpression ce = p.parseClassExpression();
            Set<OWLNamedIndividual> found = r.getInstances(ce, false).getFlattened();
            TreeSet<String> names = new TreeSet<>();
            for (OWLNamedIndividual ind : found) names.add(labels.getShortForm(ind));
            System.out.println("QUERY\t" + args[i] + "\t" + names.size());
            for (String n : names) System.out.println("\t" + n);
        }
    }
}
