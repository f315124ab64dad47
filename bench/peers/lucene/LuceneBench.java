// The Lucene baseline: indexes the same JSON-lines corpus and runs the same queries as Stela's
// embedded benchmarks, single-threaded, with Debian's Lucene 8 (liblucene8-java) and BM25.
//
//   java -cp CLASSPATH LuceneBench index CORPUS.jsonl DIR
//   java -cp CLASSPATH LuceneBench search DIR QUERIES.jsonl RESULTS.tsv [REPS]
//
// Documents are {"id", "lang", "title", "body", ...}: title and body are text fields analysed
// with UAX #29 word segmentation and ICU NFKC case folding (close to the best configuration of
// the corpus README, see IcuFoldingAnalyzer), the
// whole line is stored as _source, "lang" is a keyword. Queries are {"qid", "text", ...}: the
// words of "text" OR-ed per field, the two fields combined as dis_max (Elasticsearch's
// multi_match best_fields), top 10. Prints one JSON object of measurements on stdout.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.icu.ICUNormalizer2Filter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DisjunctionMaxQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

public final class LuceneBench {
  private LuceneBench() {}

  static final class IcuFoldingAnalyzer extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String field) {
      // UAX #29 words. (Debian's ICUTokenizer fails to load its break rules with Debian's icu4j,
      // so the standard tokenizer stands in: same rules for alphabetic scripts, CJK as single
      // ideographs, Thai not split.)
      Tokenizer tokenizer = new StandardTokenizer();
      TokenStream folded = new ICUNormalizer2Filter(tokenizer);  // NFKC case folding
      return new TokenStreamComponents(tokenizer, folded);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("index")) {
      index(Paths.get(args[1]), Paths.get(args[2]));
    } else if (args.length >= 4 && args[0].equals("search")) {
      search(Paths.get(args[1]), Paths.get(args[2]), Paths.get(args[3]),
             args.length > 4 ? Integer.parseInt(args[4]) : 1);
    } else {
      System.err.println("usage: LuceneBench index CORPUS DIR | search DIR QUERIES RESULTS [REPS]");
      System.exit(2);
    }
  }

  static void index(Path corpus, Path dir) throws IOException {
    IndexWriterConfig config = new IndexWriterConfig(new IcuFoldingAnalyzer());
    config.setRAMBufferSizeMB(64);
    long bytes = 0;
    long docs = 0;
    long start = System.nanoTime();
    try (IndexWriter writer = new IndexWriter(FSDirectory.open(dir), config);
         BufferedReader in = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        Map<String, String> f = Json.flatStrings(line);
        Document doc = new Document();
        doc.add(new StringField("_id", f.getOrDefault("id", Long.toString(docs)), Field.Store.YES));
        doc.add(new StringField("lang", f.getOrDefault("lang", ""), Field.Store.NO));
        doc.add(new TextField("title", f.getOrDefault("title", ""), Field.Store.NO));
        doc.add(new TextField("body", f.getOrDefault("body", ""), Field.Store.NO));
        doc.add(new StoredField("_source", line));
        writer.addDocument(doc);
        bytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
        if (++docs % 20000 == 0) {
          System.err.printf("\rlucene: %d docs, %.0f docs/s", docs, docs / ((System.nanoTime() - start) / 1e9));
        }
      }
      writer.commit();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long size;
    try (Stream<Path> files = Files.walk(dir)) {
      size = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    System.err.println();
    System.out.printf("{\"engine\":\"lucene\",\"docs\":%d,\"seconds\":%.3f,\"docs_per_s\":%.1f,"
        + "\"mb_per_s\":%.2f,\"index_bytes\":%d,\"input_bytes\":%d}%n",
        docs, seconds, docs / seconds, bytes / 1e6 / seconds, size, bytes);
  }

  static List<String> analyze(Analyzer analyzer, String field, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) out.add(term.toString());
      ts.end();
    }
    return out;
  }

  static void search(Path dir, Path queries, Path results, int reps) throws IOException {
    Analyzer analyzer = new IcuFoldingAnalyzer();
    List<Map<String, String>> qs = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(queries, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isEmpty()) qs.add(Json.flatStrings(line));
      }
    }
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir));
         PrintWriter out = new PrintWriter(Files.newBufferedWriter(results, StandardCharsets.UTF_8))) {
      IndexSearcher searcher = new IndexSearcher(reader);
      double[] latencies = new double[qs.size() * reps];
      Map<String, List<Double>> byClass = new java.util.TreeMap<>();
      double rr = 0;
      int found = 0;
      int n = 0;
      for (int rep = 0; rep < reps; ++rep) {
        for (int i = 0; i < qs.size(); ++i) {
          Map<String, String> q = qs.get(i);
          long t0 = System.nanoTime();
          String cls = q.get("class");
          Query query;
          if (cls != null) {
            // Generated query classes, on the body field.
            List<String> terms = analyze(analyzer, "body", q.getOrDefault("text", ""));
            if (cls.equals("phrase")) {
              PhraseQuery.Builder pb = new PhraseQuery.Builder();
              for (String t : terms) pb.add(new Term("body", t));
              query = pb.build();
            } else if (terms.size() == 1) {
              query = new TermQuery(new Term("body", terms.get(0)));
            } else {
              BooleanQuery.Builder b = new BooleanQuery.Builder();
              for (String t : terms) {
                b.add(new TermQuery(new Term("body", t)),
                      cls.equals("and") ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD);
              }
              query = b.build();
            }
          } else {
            List<Query> perField = new ArrayList<>();
            for (String field : new String[] {"title", "body"}) {
              BooleanQuery.Builder b = new BooleanQuery.Builder();
              for (String t : analyze(analyzer, field, q.getOrDefault("text", ""))) {
                b.add(new TermQuery(new Term(field, t)), BooleanClause.Occur.SHOULD);
              }
              perField.add(b.build());
            }
            query = new DisjunctionMaxQuery(perField, 0.0f);
          }
          TopDocs top = searcher.search(query, 10);
          List<String> ids = new ArrayList<>();
          for (ScoreDoc sd : top.scoreDocs) ids.add(searcher.doc(sd.doc).get("_id"));
          latencies[n++] = (System.nanoTime() - t0) / 1e6;
          byClass.computeIfAbsent(cls == null ? "known-item" : cls, c -> new ArrayList<>())
              .add(latencies[n - 1]);
          if (rep > 0) continue;
          String target = q.get("target_id");
          int rank = target == null ? -1 : ids.indexOf(target);
          if (rank >= 0) {
            rr += 1.0 / (rank + 1);
            found++;
          }
          out.println(q.getOrDefault("qid", Integer.toString(i)) + "\t" + String.join("\u0001", ids));
        }
      }
      Arrays.sort(latencies, 0, n);
      for (Map.Entry<String, List<Double>> e : byClass.entrySet()) {
        List<Double> l = e.getValue();
        java.util.Collections.sort(l);
        System.out.printf("class %-10s queries %d  p50 %.3f ms  p99 %.3f ms%n", e.getKey(), l.size(),
            l.get(l.size() / 2), l.get(Math.min(l.size() - 1, (int) (l.size() * 0.99))));
      }
      System.out.printf("{\"engine\":\"lucene\",\"queries\":%d,\"mrr10\":%.4f,\"success10\":%.4f,"
          + "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f}%n",
          qs.size(), rr / qs.size(), (double) found / qs.size(),
          latencies[n / 2], latencies[(int) (n * 0.9)], latencies[Math.min(n - 1, (int) (n * 0.99))]);
    }
  }

  // Just enough JSON for flat objects: string values (escapes decoded), other values skipped.
  static final class Json {
    static Map<String, String> flatStrings(String s) {
      Map<String, String> out = new HashMap<>();
      int[] pos = {0};
      skipWs(s, pos);
      if (pos[0] >= s.length() || s.charAt(pos[0]) != '{') return out;
      pos[0]++;
      while (true) {
        skipWs(s, pos);
        if (pos[0] >= s.length() || s.charAt(pos[0]) == '}') break;
        String key = string(s, pos);
        skipWs(s, pos);
        pos[0]++;  // ':'
        skipWs(s, pos);
        if (s.charAt(pos[0]) == '"') {
          out.put(key, string(s, pos));
        } else {
          skipValue(s, pos);
        }
        skipWs(s, pos);
        if (pos[0] < s.length() && s.charAt(pos[0]) == ',') pos[0]++;
      }
      return out;
    }

    static void skipWs(String s, int[] pos) {
      while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) pos[0]++;
    }

    static String string(String s, int[] pos) {
      StringBuilder b = new StringBuilder();
      pos[0]++;  // opening quote
      while (pos[0] < s.length()) {
        char c = s.charAt(pos[0]++);
        if (c == '"') break;
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(pos[0]++);
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'u': b.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16)); pos[0] += 4; break;
          default: b.append(e);
        }
      }
      return b.toString();
    }

    static void skipValue(String s, int[] pos) {
      int depth = 0;
      boolean inString = false;
      while (pos[0] < s.length()) {
        char c = s.charAt(pos[0]);
        if (inString) {
          if (c == '\\') pos[0]++;
          else if (c == '"') inString = false;
        } else if (c == '"') {
          inString = true;
        } else if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          if (depth == 0) return;
          depth--;
        } else if (c == ',' && depth == 0) {
          return;
        }
        pos[0]++;
      }
    }
  }
}
