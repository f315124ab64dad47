#include "analyzers/langdata/languages.h"

#include <algorithm>
#include <array>
#include <utility>

namespace stela::analyzers::langdata {

namespace {

// Articles and pronouns written with elision, from each language's grammar.
constexpr std::string_view kFrenchElision[] = {"l", "m", "t", "qu", "n", "s", "j", "d", "c",
                                               "jusqu", "quoiqu", "lorsqu", "puisqu"};
constexpr std::string_view kItalianElision[] = {
    "c", "l", "all", "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl",
    "dagl", "degl", "negl", "sugl", "un", "m", "t", "s", "v", "d"};
constexpr std::string_view kCatalanElision[] = {"d", "l", "m", "n", "s", "t"};
constexpr std::string_view kIrishElision[] = {"d", "m", "b"};

// Sorted by code. Languages that Elasticsearch names but libstemmer has no stemmer for get the
// ICU chain without stemming (bg, bn, cs, et, fa, gl, lv, ckb); cjk and thai segment specially.
constexpr LanguageInfo kLanguages[] = {
    {"ar", "arabic", "arabic", "", {}},
    {"bg", "bulgarian", "", "", {}},
    {"bn", "bengali", "", "", {}},
    {"ca", "catalan", "catalan", "", kCatalanElision},
    {"ckb", "sorani", "", "", {}},
    {"cs", "czech", "", "", {}},
    {"da", "danish", "danish", "da", {}},
    {"de", "german", "german", "de", {}},
    {"el", "greek", "greek", "", {}},
    {"en", "english", "english", "en", {}, /*english_possessive=*/true},
    {"es", "spanish", "spanish", "es", {}},
    {"et", "estonian", "", "", {}},
    {"eu", "basque", "basque", "", {}},
    {"fa", "persian", "", "", {}},
    {"fi", "finnish", "finnish", "fi", {}},
    {"fr", "french", "french", "fr", kFrenchElision},
    {"ga", "irish", "irish", "", kIrishElision},
    {"gl", "galician", "", "", {}},
    {"hi", "hindi", "hindi", "", {}},
    {"hu", "hungarian", "hungarian", "", {}},
    {"hy", "armenian", "armenian", "", {}},
    {"id", "indonesian", "indonesian", "", {}},
    {"it", "italian", "italian", "it", kItalianElision},
    {"lt", "lithuanian", "lithuanian", "", {}},
    {"lv", "latvian", "", "", {}},
    {"ne", "nepali", "nepali", "", {}},
    {"nl", "dutch", "dutch", "nl", {}},
    {"no", "norwegian", "norwegian", "no", {}},
    {"pt", "portuguese", "portuguese", "pt", {}},
    {"ro", "romanian", "romanian", "", {}},
    {"ru", "russian", "russian", "ru", {}},
    {"sr", "serbian", "serbian", "", {}},
    {"sv", "swedish", "swedish", "sv", {}},
    {"ta", "tamil", "tamil", "", {}},
    {"th", "thai", "", "", {}},
    {"tr", "turkish", "turkish", "", {}, false, /*turkish_lowercase=*/true},
    {"yi", "yiddish", "yiddish", "", {}},
};

// Stop lists: the most frequent function words of each language (articles, pronouns,
// prepositions, conjunctions, auxiliaries), written in NFKC_Casefold form. English is the
// 33-word list that Elasticsearch's `_english_` names.
constexpr std::string_view kEnglish[] = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with"};
constexpr std::string_view kGerman[] = {
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "andere",
    "anderen", "auch", "auf", "aus", "bei", "bin", "bis", "bist", "da", "damit", "dann", "das",
    "dass", "dein", "deine", "dem", "den", "denn", "der", "des", "dich", "die", "dir", "doch",
    "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "er", "es", "euch",
    "euer", "für", "habe", "haben", "hat", "hatte", "ich", "ihm", "ihn", "ihnen", "ihr", "ihre",
    "im", "in", "ist", "jede", "jedem", "jeden", "jeder", "jedes", "kann", "kein", "keine", "man",
    "mein", "meine", "mich", "mir", "mit", "nach", "nicht", "noch", "nun", "nur", "ob", "oder",
    "ohne", "sehr", "sein", "seine", "sich", "sie", "sind", "so", "soll", "um", "und", "uns",
    "unser", "unter", "vom", "von", "vor", "war", "waren", "was", "weil", "welche", "wenn", "wer",
    "werde", "werden", "wie", "wir", "wird", "wo", "zu", "zum", "zur", "über"};
constexpr std::string_view kFrench[] = {
    "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "en",
    "et", "eux", "il", "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "même",
    "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu",
    "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un",
    "une", "vos", "votre", "vous", "à", "y", "est", "sont", "été", "être"};
constexpr std::string_view kSpanish[] = {
    "a", "al", "algo", "ante", "como", "con", "contra", "cual", "cuando", "de", "del", "desde",
    "donde", "durante", "e", "el", "ella", "ellos", "en", "entre", "era", "es", "esa", "ese",
    "eso", "esta", "este", "esto", "estos", "fue", "ha", "hasta", "hay", "la", "las", "le", "les",
    "lo", "los", "me", "mi", "muy", "más", "ni", "no", "nos", "o", "otra", "otro", "para", "pero",
    "por", "porque", "que", "qué", "se", "sin", "sobre", "son", "su", "sus", "también", "te",
    "todo", "todos", "tu", "un", "una", "uno", "unos", "y", "ya", "yo", "él"};
constexpr std::string_view kItalian[] = {
    "a", "ad", "agli", "ai", "al", "alla", "alle", "allo", "anche", "che", "chi", "ci", "come",
    "con", "cui", "da", "dai", "dal", "dalla", "dalle", "dallo", "degli", "dei", "del", "della",
    "delle", "dello", "di", "dove", "e", "ed", "gli", "i", "il", "in", "io", "la", "le", "lei",
    "li", "lo", "loro", "lui", "ma", "mi", "ne", "negli", "nei", "nel", "nella", "nelle", "nello",
    "noi", "non", "o", "per", "più", "quale", "quella", "quello", "questa", "questo", "se", "si",
    "su", "sua", "sui", "sul", "sulla", "suo", "ti", "tra", "tu", "un", "una", "uno", "vi", "voi",
    "è"};
constexpr std::string_view kPortuguese[] = {
    "a", "ao", "aos", "as", "até", "com", "como", "da", "das", "de", "dela", "dele", "do", "dos",
    "e", "ela", "ele", "eles", "em", "entre", "era", "essa", "esse", "esta", "este", "eu", "foi",
    "há", "isso", "isto", "já", "lhe", "mais", "mas", "me", "mesmo", "muito", "na", "nas", "nem",
    "no", "nos", "não", "o", "os", "ou", "para", "pela", "pelo", "por", "qual", "quando", "que",
    "quem", "se", "sem", "seu", "seus", "sua", "suas", "também", "te", "tem", "um", "uma", "à",
    "às", "é"};
constexpr std::string_view kDutch[] = {
    "aan", "al", "als", "bij", "dan", "dat", "de", "der", "deze", "die", "dit", "door", "een",
    "en", "er", "geen", "haar", "had", "heb", "hebben", "heeft", "hem", "het", "hij", "hoe", "hun",
    "ik", "in", "is", "je", "kan", "maar", "me", "meer", "men", "met", "mij", "mijn", "na", "naar",
    "niet", "nog", "nu", "of", "om", "omdat", "ons", "ook", "op", "over", "te", "tegen", "toch",
    "toen", "tot", "u", "uit", "van", "veel", "voor", "want", "was", "wat", "werd", "wie", "wij",
    "wordt", "zal", "ze", "zich", "zij", "zijn", "zo", "zou"};
constexpr std::string_view kRussian[] = {
    "а", "без", "бы", "был", "была", "были", "было", "быть", "в", "вам", "вас", "во", "вот", "все",
    "всё", "вы", "где", "да", "для", "до", "его", "ее", "её", "если", "есть", "еще", "ещё", "же",
    "за", "и", "из", "или", "им", "их", "к", "как", "когда", "кто", "ли", "мы", "на", "над", "не",
    "нет", "ни", "но", "о", "об", "он", "она", "они", "от", "по", "под", "при", "с", "со", "так",
    "также", "то", "тоже", "только", "у", "уже", "что", "чтобы", "это", "этот", "я"};
constexpr std::string_view kSwedish[] = {
    "alla", "allt", "att", "av", "blev", "bli", "de", "dem", "den", "denna", "deras", "dess",
    "det", "detta", "du", "där", "då", "efter", "eller", "en", "er", "ett", "från", "för", "ha",
    "hade", "han", "hans", "har", "hon", "hur", "här", "i", "inte", "jag", "kan", "man", "med",
    "men", "mig", "min", "mot", "ni", "nu", "när", "och", "om", "oss", "på", "sig", "sin", "sina",
    "ska", "skulle", "som", "så", "till", "under", "upp", "ut", "utan", "var", "vad", "vara",
    "vi", "vid", "än", "är", "åt", "över"};
constexpr std::string_view kDanish[] = {
    "af", "alle", "alt", "at", "blev", "da", "de", "dem", "den", "denne", "der", "deres", "det",
    "dette", "dig", "din", "du", "efter", "eller", "en", "er", "et", "for", "fra", "han", "hans",
    "har", "havde", "have", "hende", "her", "hun", "hvad", "hvis", "hvor", "i", "ikke", "ind",
    "jeg", "kan", "man", "med", "meget", "men", "mig", "min", "mod", "når", "og", "også", "om",
    "op", "os", "over", "på", "sig", "sin", "sine", "skal", "som", "til", "ud", "under", "var",
    "vi", "vil", "være"};
constexpr std::string_view kNorwegian[] = {
    "alle", "av", "bare", "ble", "bli", "da", "de", "dem", "den", "denne", "der", "deres", "det",
    "dette", "deg", "din", "du", "eller", "en", "enn", "er", "et", "etter", "for", "fra", "før",
    "han", "hans", "har", "hun", "hva", "hvis", "hvor", "i", "ikke", "jeg", "kan", "man", "med",
    "meg", "men", "min", "mot", "nå", "når", "og", "også", "om", "opp", "oss", "på", "seg", "sin",
    "skal", "som", "så", "til", "ut", "var", "vi", "vil", "være", "å"};
constexpr std::string_view kFinnish[] = {
    "ei", "eivät", "emme", "en", "et", "ette", "että", "he", "hän", "ja", "joka", "jos", "jotka",
    "kanssa", "koska", "kuin", "kun", "me", "minä", "mikä", "mutta", "ne", "niin", "nuo", "nyt",
    "nämä", "oli", "olla", "olen", "olet", "olivat", "on", "ovat", "se", "sekä", "sillä", "sinä",
    "tai", "te", "tämä", "tuo", "vaan", "vai", "vaikka"};

struct StopList {
  std::string_view code;
  std::span<const std::string_view> words;
};
constexpr StopList kStopLists[] = {
    {"da", kDanish},  {"de", kGerman},     {"en", kEnglish}, {"es", kSpanish},
    {"fi", kFinnish}, {"fr", kFrench},     {"it", kItalian}, {"nl", kDutch},
    {"no", kNorwegian}, {"pt", kPortuguese}, {"ru", kRussian}, {"sv", kSwedish},
};

// Serbian, Croatian and Bosnian are standard varieties of one language (Snowball's Serbian
// stemmer reads both scripts); Malay and Indonesian share their affix system.
constexpr std::pair<std::string_view, std::string_view> kChainAliases[] = {
    {"bs", "sr"}, {"hr", "sr"}, {"sh", "sr"}, {"ms", "id"}};

}  // namespace

std::string_view ChainLanguage(std::string_view code) {
  for (const auto& [alias, target] : kChainAliases) {
    if (alias == code) return target;
  }
  return code;
}

std::span<const LanguageInfo> Languages() { return kLanguages; }

const LanguageInfo* FindLanguage(std::string_view code) {
  for (const LanguageInfo& info : kLanguages) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

std::span<const std::string_view> StopWords(std::string_view code) {
  for (const StopList& list : kStopLists) {
    if (list.code == code) return list.words;
  }
  return {};
}

bool HasStopWords(std::string_view code) { return !StopWords(code).empty(); }

}  // namespace stela::analyzers::langdata
