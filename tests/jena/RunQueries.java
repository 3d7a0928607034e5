// Runs SPARQL 1.1 SELECT queries with Apache Jena ARQ over one N-Triples file, in one JVM.
//   java -cp <jena jars> RunQueries.java DATA.nt OUT_DIR QUERY.rq…
// writes OUT_DIR/<query file name>.srj (SPARQL results in JSON), or <query file name>.error
// with the message when Jena refuses or fails the query, and goes on with the next one.
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.Syntax;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.RDFDataMgr;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        Model model = RDFDataMgr.loadModel(args[0]);
        Path out = Path.of(args[1]);
        for (int i = 2; i < args.length; i++) {
            Path file = Path.of(args[i]);
            String name = file.getFileName().toString();
            try {
                // Standard SPARQL 1.1 only: no ARQ extensions, as other engines would refuse them.
                Query query = QueryFactory.create(Files.readString(file), Syntax.syntaxSPARQL_11);
                try (QueryExecution execution = QueryExecutionFactory.create(query, model);
                     OutputStream results = Files.newOutputStream(out.resolve(name + ".srj"))) {
                    ResultSetFormatter.outputAsJSON(results, execution.execSelect());
                }
            } catch (Exception err) {
                Files.writeString(out.resolve(name + ".error"), err.toString());
            }
        }
    }
}
