/*
 * A small Elasticsearch module of this project's own, built by scripts/elasticsearch/start.sh against
 * the jars of the distribution it runs with.
 *
 * Why it exists: the only Elasticsearch 8.x distribution that Maven Central holds is the stripped
 * "integ-test-zip" one, whose modules are only transport-netty4, x-pack-core, x-pack-security and apm.
 * It lacks the analysis-common module (edge_ngram, ngram, lowercase, asciifolding, html_strip ...)
 * and the rest-root module (GET / and HEAD /, used by clients' info() and ping()). This module adds
 * those pieces, written here on top of Lucene's own analysis classes; everything else (indexing,
 * queries, mappings, templates, aliases, versioning) is the real server's.
 *
 * Written for the configuration options documented in Elasticsearch's reference; not a copy of
 * Elasticsearch's analysis-common sources.
 */
package local.es.extras;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.AnalyzerScope;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.io.Reader;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

public class ExtrasPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private final AtomicReference<ClusterService> clusterService = new AtomicReference<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    // ---------------------------------------------------------------- tokenizers

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> m = new TreeMap<>();
        m.put("edge_ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            Predicate<Integer> tokenChar = tokenChars(s);
            return TokenizerFactory.newFactory(name, () -> tokenChar == null
                ? new EdgeNGramTokenizer(min, max)
                : new EdgeNGramTokenizer(min, max) {
                    @Override
                    protected boolean isTokenChar(int c) {
                        return tokenChar.test(c);
                    }
                });
        });
        m.put("ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            checkNgramDiff(idx, min, max, "ngram tokenizer");
            Predicate<Integer> tokenChar = tokenChars(s);
            return TokenizerFactory.newFactory(name, () -> tokenChar == null
                ? new NGramTokenizer(min, max)
                : new NGramTokenizer(min, max) {
                    @Override
                    protected boolean isTokenChar(int c) {
                        return tokenChar.test(c);
                    }
                });
        });
        m.put("keyword", (idx, env, name, s) -> {
            int buffer = s.getAsInt("buffer_size", 256);
            return TokenizerFactory.newFactory(name, () -> new KeywordTokenizer(buffer));
        });
        m.put("whitespace", (idx, env, name, s) -> {
            int maxLen = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> new WhitespaceTokenizer(
                org.apache.lucene.analysis.TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, maxLen));
        });
        m.put("letter", (idx, env, name, s) -> TokenizerFactory.newFactory(name, LetterTokenizer::new));
        m.put("classic", (idx, env, name, s) -> {
            int maxLen = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> {
                ClassicTokenizer t = new ClassicTokenizer();
                t.setMaxTokenLength(maxLen);
                return t;
            });
        });
        m.put("uax_url_email", (idx, env, name, s) -> {
            int maxLen = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> {
                UAX29URLEmailTokenizer t = new UAX29URLEmailTokenizer();
                t.setMaxTokenLength(maxLen);
                return t;
            });
        });
        m.put("pattern", (idx, env, name, s) -> {
            Pattern p = Pattern.compile(s.get("pattern", "\\W+"), regexFlags(s.get("flags")));
            int group = s.getAsInt("group", -1);
            return TokenizerFactory.newFactory(name, () -> new PatternTokenizer(p, group));
        });
        return m;
    }

    /** token_chars / custom_token_chars as documented for the ngram and edge_ngram tokenizers; null = all. */
    private static Predicate<Integer> tokenChars(Settings s) {
        List<String> classes = s.getAsList("token_chars", List.of());
        if (classes.isEmpty()) {
            return null;
        }
        String custom = s.get("custom_token_chars", "");
        Set<Integer> customSet = new HashSet<>();
        custom.codePoints().forEach(customSet::add);
        Predicate<Integer> p = c -> false;
        for (String cls : classes) {
            Predicate<Integer> q = switch (cls.toLowerCase(Locale.ROOT)) {
                case "letter" -> Character::isLetter;
                case "digit" -> Character::isDigit;
                case "whitespace" -> Character::isWhitespace;
                case "punctuation" -> c -> switch (Character.getType(c)) {
                    case Character.START_PUNCTUATION, Character.END_PUNCTUATION, Character.OTHER_PUNCTUATION,
                        Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                        Character.FINAL_QUOTE_PUNCTUATION -> true;
                    default -> false;
                };
                case "symbol" -> c -> switch (Character.getType(c)) {
                    case Character.CURRENCY_SYMBOL, Character.MATH_SYMBOL, Character.OTHER_SYMBOL,
                        Character.MODIFIER_SYMBOL -> true;
                    default -> false;
                };
                case "custom" -> {
                    if (customSet.isEmpty()) {
                        throw new IllegalArgumentException("Token type: [custom] requires setting [custom_token_chars]");
                    }
                    yield customSet::contains;
                }
                default -> throw new IllegalArgumentException("Unknown token type: '" + cls
                    + "', must be one of [letter, digit, whitespace, punctuation, symbol, custom]");
            };
            p = p.or(q);
        }
        return p;
    }

    private static void checkNgramDiff(IndexSettings idx, int min, int max, String what) {
        if (idx == null) {
            return;
        }
        int allowed = idx.getMaxNgramDiff();
        if (max - min > allowed) {
            throw new IllegalArgumentException("The difference between max_gram and min_gram in NGram "
                + "Tokenizer must be less than or equal to: [" + allowed + "] but was [" + (max - min)
                + "]. This limit can be set by changing the [" + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey()
                + "] index level setting. (" + what + ")");
        }
    }

    private static int regexFlags(String flags) {
        int f = 0;
        if (flags == null || flags.isBlank()) {
            return f;
        }
        for (String part : flags.split("\\|")) {
            switch (part.trim().toUpperCase(Locale.ROOT)) {
                case "CASE_INSENSITIVE" -> f |= Pattern.CASE_INSENSITIVE;
                case "MULTILINE" -> f |= Pattern.MULTILINE;
                case "DOTALL" -> f |= Pattern.DOTALL;
                case "UNICODE_CASE" -> f |= Pattern.UNICODE_CASE;
                case "UNICODE_CHARACTER_CLASS" -> f |= Pattern.UNICODE_CHARACTER_CLASS;
                case "COMMENTS" -> f |= Pattern.COMMENTS;
                case "LITERAL" -> f |= Pattern.LITERAL;
                case "CANON_EQ" -> f |= Pattern.CANON_EQ;
                case "UNIX_LINES" -> f |= Pattern.UNIX_LINES;
                case "" -> { }
                default -> throw new IllegalArgumentException("Unknown regex flag [" + part + "]");
            }
        }
        return f;
    }

    // ---------------------------------------------------------------- token filters

    interface Filter extends java.util.function.Function<TokenStream, TokenStream> { }

    private static TokenFilterFactory filter(String name, Filter f) {
        return new TokenFilterFactory() {
            @Override public String name() { return name; }
            @Override public TokenStream create(TokenStream ts) { return f.apply(ts); }
        };
    }

    /** A filter that may also be used in keyword normalizers. */
    private static TokenFilterFactory normalizing(String name, Filter f) {
        return new NormalizingTokenFilterFactory() {
            @Override public String name() { return name; }
            @Override public TokenStream create(TokenStream ts) { return f.apply(ts); }
        };
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new TreeMap<>();
        m.put("lowercase", (idx, env, name, s) -> {
            String lang = s.get("language");
            if (lang == null) {
                return normalizing(name, LowerCaseFilter::new);
            }
            return switch (lang.toLowerCase(Locale.ROOT)) {
                case "greek" -> normalizing(name, GreekLowerCaseFilter::new);
                case "irish" -> normalizing(name, IrishLowerCaseFilter::new);
                case "turkish" -> normalizing(name, TurkishLowerCaseFilter::new);
                default -> throw new IllegalArgumentException("language [" + lang + "] not supported for lowercase filter");
            };
        });
        m.put("uppercase", (idx, env, name, s) -> normalizing(name, UpperCaseFilter::new));
        m.put("asciifolding", (idx, env, name, s) -> {
            boolean preserve = s.getAsBoolean("preserve_original", false);
            return new NormalizingTokenFilterFactory() {
                @Override public String name() { return name; }
                @Override public TokenStream create(TokenStream ts) { return new ASCIIFoldingFilter(ts, preserve); }
                @Override public TokenStream normalize(TokenStream ts) { return new ASCIIFoldingFilter(ts, false); }
            };
        });
        m.put("edge_ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            boolean preserve = s.getAsBoolean("preserve_original", false);
            String side = s.get("side", "front");
            if ("back".equalsIgnoreCase(side)) {
                return filter(name, ts -> new ReverseStringFilter(
                    new EdgeNGramTokenFilter(new ReverseStringFilter(ts), min, max, preserve)));
            }
            return filter(name, ts -> new EdgeNGramTokenFilter(ts, min, max, preserve));
        });
        m.put("ngram", (idx, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            checkNgramDiff(idx, min, max, "ngram filter");
            boolean preserve = s.getAsBoolean("preserve_original", false);
            return filter(name, ts -> new NGramTokenFilter(ts, min, max, preserve));
        });
        m.put("trim", (idx, env, name, s) -> normalizing(name, TrimFilter::new));
        m.put("truncate", (idx, env, name, s) -> {
            int len = s.getAsInt("length", 10);
            return normalizing(name, ts -> new TruncateTokenFilter(ts, len));
        });
        m.put("reverse", (idx, env, name, s) -> filter(name, ReverseStringFilter::new));
        m.put("length", (idx, env, name, s) -> {
            int min = s.getAsInt("min", 0);
            int max = s.getAsInt("max", Integer.MAX_VALUE);
            return filter(name, ts -> new LengthFilter(ts, min, max));
        });
        m.put("unique", (idx, env, name, s) -> {
            boolean samePosition = s.getAsBoolean("only_on_same_position", false);
            return filter(name, ts -> samePosition ? new RemoveDuplicatesTokenFilter(ts) : new UniqueFilter(ts));
        });
        m.put("porter_stem", (idx, env, name, s) -> filter(name, PorterStemFilter::new));
        m.put("kstem", (idx, env, name, s) -> filter(name, KStemFilter::new));
        m.put("stemmer", (idx, env, name, s) -> {
            String lang = s.get("language", s.get("name", "english")).toLowerCase(Locale.ROOT);
            return switch (lang) {
                case "english", "porter" -> filter(name, PorterStemFilter::new);
                case "light_english", "kstem" -> filter(name, KStemFilter::new);
                case "minimal_english" -> filter(name, org.apache.lucene.analysis.en.EnglishMinimalStemFilter::new);
                case "possessive_english" -> filter(name, org.apache.lucene.analysis.en.EnglishPossessiveFilter::new);
                default -> throw new IllegalArgumentException("stemmer language [" + lang + "] is not supported here");
            };
        });
        return m;
    }

    /** Drops every token whose text was already seen in the stream (the documented "unique" filter). */
    static final class UniqueFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueFilter(TokenStream in) {
            super(in);
        }

        @Override
        public boolean incrementToken() throws IOException {
            int skipped = 0;
            while (input.incrementToken()) {
                if (seen.contains(term.buffer(), 0, term.length())) {
                    skipped += posInc.getPositionIncrement();
                    continue;
                }
                char[] copy = new char[term.length()];
                System.arraycopy(term.buffer(), 0, copy, 0, term.length());
                seen.add(copy);
                posInc.setPositionIncrement(posInc.getPositionIncrement() + skipped);
                return true;
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }

    // ---------------------------------------------------------------- char filters

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> m = new TreeMap<>();
        m.put("html_strip", (idx, env, name, s) -> {
            Set<String> escaped = new HashSet<>(s.getAsList("escaped_tags", List.of()));
            return new CharFilterFactory() {
                @Override public String name() { return name; }
                @Override public Reader create(Reader r) {
                    return escaped.isEmpty() ? new HTMLStripCharFilter(r) : new HTMLStripCharFilter(r, escaped);
                }
            };
        });
        m.put("mapping", AnalysisPlugin.requiresAnalysisSettings((idx, env, name, s) -> {
            NormalizeCharMap.Builder b = new NormalizeCharMap.Builder();
            for (String rule : s.getAsList("mappings", List.of())) {
                int arrow = rule.indexOf("=>");
                if (arrow < 0) {
                    throw new IllegalArgumentException("Invalid mapping rule : [" + rule + "]");
                }
                b.add(unescape(rule.substring(0, arrow).trim()), unescape(rule.substring(arrow + 2).trim()));
            }
            NormalizeCharMap map = b.build();
            return new NormalizingCharFilterFactory() {
                @Override public String name() { return name; }
                @Override public Reader create(Reader r) { return new MappingCharFilter(map, r); }
            };
        }));
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((idx, env, name, s) -> {
            Pattern p = Pattern.compile(s.get("pattern"), regexFlags(s.get("flags")));
            String replacement = s.get("replacement", "");
            return new NormalizingCharFilterFactory() {
                @Override public String name() { return name; }
                @Override public Reader create(Reader r) { return new PatternReplaceCharFilter(p, replacement, r); }
            };
        }));
        return m;
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(n);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- analyzers

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", (idx, env, name, s) -> {
            EnglishAnalyzer analyzer = new EnglishAnalyzer();
            return new AnalyzerProvider<EnglishAnalyzer>() {
                @Override public String name() { return name; }
                @Override public AnalyzerScope scope() { return AnalyzerScope.INDEX; }
                @Override public EnglishAnalyzer get() { return analyzer; }
            };
        });
    }

    // ---------------------------------------------------------------- GET / and HEAD /

    @Override
    public Collection<RestHandler> getRestHandlers(Settings settings, NamedWriteableRegistry registry,
            RestController controller, ClusterSettings clusterSettings, IndexScopedSettings indexScopedSettings,
            SettingsFilter settingsFilter, IndexNameExpressionResolver resolver, Supplier<DiscoveryNodes> nodes,
            Predicate<NodeFeature> clusterSupportsFeature) {
        return List.of(new RootHandler(settings));
    }

    final class RootHandler implements RestHandler {
        private final Settings settings;

        RootHandler(Settings settings) {
            this.settings = settings;
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        public boolean canTripCircuitBreaker() {
            return false;
        }

        @Override
        public void handleRequest(RestRequest request, RestChannel channel, NodeClient client) throws Exception {
            if (request.method() == RestRequest.Method.HEAD) {
                channel.sendResponse(new RestResponse(RestStatus.OK, "application/json", ""));
                return;
            }
            ClusterService cs = clusterService.get();
            Build build = Build.current();
            XContentBuilder b = channel.newBuilder();
            b.startObject();
            b.field("name", cs != null ? cs.getNodeName() : settings.get("node.name"));
            b.field("cluster_name", cs != null ? cs.getClusterName().value() : settings.get("cluster.name"));
            b.field("cluster_uuid", cs != null ? cs.state().metadata().clusterUUID() : "_na_");
            b.startObject("version");
            b.field("number", build.qualifiedVersion());
            b.field("build_flavor", build.flavor());
            b.field("build_type", build.type().displayName());
            b.field("build_hash", build.hash());
            b.field("build_date", build.date());
            b.field("build_snapshot", build.isSnapshot());
            b.field("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
            b.field("minimum_wire_compatibility_version", build.minWireCompatVersion());
            b.field("minimum_index_compatibility_version", build.minIndexCompatVersion());
            b.endObject();
            b.field("tagline", "You Know, for Search");
            b.endObject();
            channel.sendResponse(new RestResponse(RestStatus.OK, b));
        }
    }
}
