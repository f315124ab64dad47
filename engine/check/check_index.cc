#include "engine/check/check_index.h"

#include <roaring/roaring.hh>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "engine/codec/doc_values.h"
#include "engine/codec/postings.h"
#include "engine/common/coding.h"
#include "engine/index/keys.h"
#include "engine/index/mapping.h"
#include "engine/index/records.h"
#include "engine/store/store.h"

namespace stela::engine {

namespace {

using store::Cf;

struct SegmentCheck {
  index::SegmentInfo info;
  Roaring live;
  std::map<std::uint16_t, FieldStats> postings_stats;  // from the postings: docs seen, ttf
  std::map<std::uint16_t, std::vector<std::uint32_t>> norms;
};

// log2(n choose k), through lgamma (exact enough for a size report).
double Log2Choose(std::uint64_t n, std::uint64_t k) {
  if (k == 0 || k >= n) return 0;
  const double nats = std::lgamma(static_cast<double>(n) + 1) -
                      std::lgamma(static_cast<double>(k) + 1) -
                      std::lgamma(static_cast<double>(n - k) + 1);
  return nats / std::log(2.0);
}

}  // namespace

std::string CheckReport::Summary() const {
  std::string out = "segments " + std::to_string(segments) + ", live docs " +
                    std::to_string(live_docs) + ", terms " + std::to_string(terms) +
                    ", postings " + std::to_string(postings) + ", doc value columns " +
                    std::to_string(doc_value_columns) + ", operations to replay " +
                    std::to_string(pending_ops) + "\n";
  if (postings > 0) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "postings bits: %.2f per doc id, %.2f per frequency; positions %.2f MB, "
                  "headers and skip data %.2f MB\n",
                  8.0 * doc_bytes / postings, 8.0 * freq_bytes / postings,
                  position_bytes / 1e6, header_bytes / 1e6);
    out += line;
    std::snprintf(line, sizeof line,
                  "doc id floor for unordered docs: %.2f bits per doc id (log2 of max_doc "
                  "choose doc_freq per list)\n",
                  doc_id_entropy_bits / postings);
    out += line;
  }
  out += "disk: " + std::to_string(index_disk_bytes) + " bytes index, " +
         std::to_string(stored_disk_bytes) + " bytes stored documents\n";
  out += problems.empty() ? "OK: no problems found\n"
                          : std::to_string(problems.size()) + " problem(s):\n";
  for (const std::string& p : problems) out += "  " + p + "\n";
  return out;
}

StatusOr<CheckReport> CheckIndex(const std::string& path) {
  store::StoreOptions opts;
  opts.create_if_missing = false;
  STELA_ASSIGN_OR_RETURN(auto st, store::Store::Open(path, opts));
  CheckReport report;
  auto problem = [&report](std::string p) {
    if (report.problems.size() < 1000) report.problems.push_back(std::move(p));
  };

  std::string value;
  index::CommitRecord commit;
  if (Status s = st->Get(Cf::kMeta, index::keys::kCommitKey, &value); !s.ok()) {
    problem("no commit record: " + s.ToString());
    return report;
  }
  if (Status s = index::DecodeCommit(value, &commit); !s.ok()) {
    problem("commit record: " + s.ToString());
    return report;
  }
  std::unique_ptr<index::Mappings> mappings;
  if (Status s = st->Get(Cf::kMeta, index::keys::kMappingsKey, &value); !s.ok()) {
    problem("no mappings: " + s.ToString());
  } else if (auto m = index::Mappings::Parse(value, 1u << 20); !m.ok()) {
    problem("mappings: " + m.status().ToString());
  } else {
    mappings = std::move(m).value();
  }

  std::map<std::uint32_t, SegmentCheck> segs;
  for (std::uint32_t id : commit.segments) {
    SegmentCheck& sc = segs[id];
    if (Status s = st->Get(Cf::kSegments, index::keys::Segment(id, index::keys::kSegmentInfo),
                           &value);
        !s.ok()) {
      problem("segment " + std::to_string(id) + ": no info: " + s.ToString());
      continue;
    }
    if (Status s = index::DecodeSegmentInfo(value, &sc.info); !s.ok() || sc.info.id != id) {
      problem("segment " + std::to_string(id) + ": bad info: " + s.ToString());
      continue;
    }
    Status ls = st->Get(Cf::kSegments, index::keys::Segment(id, index::keys::kLiveDocs), &value);
    if (ls.ok()) {
      try {
        sc.live = Roaring::readSafe(value.data(), value.size());
      } catch (const std::exception& e) {
        problem("segment " + std::to_string(id) + ": live docs unreadable: " + e.what());
      }
      if (!sc.live.isEmpty() && sc.live.maximum() >= sc.info.max_doc) {
        problem("segment " + std::to_string(id) + ": live doc beyond max_doc");
      }
    } else {
      sc.live.addRange(0, sc.info.max_doc);
    }
    report.live_docs += sc.live.cardinality();
    // Norms agree with the field statistics.
    for (const auto& [field, stats] : sc.info.fields) {
      std::vector<std::uint32_t> lengths;
      if (Status s = st->Get(Cf::kSegments, index::keys::Norms(id, field), &value); !s.ok()) {
        problem("segment " + std::to_string(id) + " field " + std::to_string(field) +
                ": no norms");
        continue;
      }
      if (Status s = index::DecodeNorms(value, sc.info.max_doc, &lengths); !s.ok()) {
        problem("segment " + std::to_string(id) + ": norms: " + s.ToString());
        continue;
      }
      const FieldStats from_norms = index::StatsFromNorms(lengths);
      sc.norms[field] = std::move(lengths);
      if (from_norms.doc_count != stats.doc_count || from_norms.sum_length != stats.sum_length) {
        problem("segment " + std::to_string(id) + " field " + std::to_string(field) +
                ": statistics disagree with norms");
      }
    }
  }
  report.segments = segs.size();

  // Doc values: decodable, sized to the segment, one value per indexed value (the norms of a
  // non-text field count its values).
  for (const auto& [id, sc] : segs) {
    auto dv = st->NewIterator(Cf::kSegments);
    const std::string prefix = index::keys::Segment(id, index::keys::kDocValues);
    for (dv->Seek(prefix); dv->Valid() && dv->key().starts_with(prefix); dv->Next()) {
      if (dv->key().size() != prefix.size() + 2) {
        problem("segment " + std::to_string(id) + ": malformed doc values key");
        continue;
      }
      const std::uint16_t field = DecodeFixed16BE(dv->key().data() + prefix.size());
      codec::DocValuesColumn c;
      if (Status s = codec::DocValuesColumn::Decode(dv->value(), &c); !s.ok()) {
        problem("segment " + std::to_string(id) + " field " + std::to_string(field) +
                ": doc values: " + s.ToString());
        continue;
      }
      if (c.max_doc() != sc.info.max_doc) {
        problem("segment " + std::to_string(id) + ": doc values sized for another segment");
        continue;
      }
      ++report.doc_value_columns;
      auto n = sc.norms.find(field);
      if (n == sc.norms.end()) {
        problem("segment " + std::to_string(id) + " field " + std::to_string(field) +
                ": doc values without norms");
        continue;
      }
      for (std::uint32_t d = 0; d < c.max_doc(); ++d) {
        if (c.count(d) != n->second[d]) {
          problem("segment " + std::to_string(id) + " field " + std::to_string(field) +
                  ": doc " + std::to_string(d) + " has " + std::to_string(c.count(d)) +
                  " doc values but " + std::to_string(n->second[d]) + " indexed values");
          break;
        }
      }
    }
  }

  // Postings: every key in a committed segment and a mapped field; every list decodes, docs
  // increase below max_doc, counts add up.
  auto it = st->NewIterator(Cf::kTerms);
  codec::PostingsIterator pi;
  codec::PostingsSizes sizes;
  std::vector<std::uint32_t> positions;
  std::string prev_key;
  for (it->Seek(""); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    if (key.size() < 6) {
      problem("malformed term key");
      continue;
    }
    const std::uint32_t seg = DecodeFixed32BE(key.data());
    const std::uint16_t field = DecodeFixed16BE(key.data() + 4);
    auto sit = segs.find(seg);
    if (sit == segs.end()) {
      problem("postings of uncommitted segment " + std::to_string(seg));
      it->Seek(index::keys::SegmentEnd(seg));
      if (!it->Valid()) break;
      continue;
    }
    if (mappings != nullptr && mappings->ById(field) == nullptr) {
      problem("postings of unknown field " + std::to_string(field));
    }
    ++report.terms;
    if (Status s = pi.Init(it->value()); !s.ok()) {
      problem("term in segment " + std::to_string(seg) + ": " + s.ToString());
      continue;
    }
    if (Status s = pi.AddSizes(&sizes); !s.ok()) problem("postings sizes: " + s.ToString());
    std::uint64_t count = 0, ttf = 0;
    for (; pi.doc() != codec::kNoMoreDocs; pi.Next()) {
      if (pi.doc() >= sit->second.info.max_doc) {
        problem("segment " + std::to_string(seg) + ": posting beyond max_doc");
        break;
      }
      ++count;
      ttf += pi.freq();
      if (pi.has_positions()) {
        if (Status s = pi.Positions(&positions); !s.ok()) {
          problem("positions: " + s.ToString());
          break;
        }
      }
    }
    if (!pi.status().ok()) problem("postings: " + pi.status().ToString());
    if (count != pi.doc_freq() || ttf != pi.total_term_freq()) {
      problem("segment " + std::to_string(seg) + ": postings counts disagree with their header");
    }
    report.postings += count;
    report.doc_id_entropy_bits += Log2Choose(sit->second.info.max_doc, pi.doc_freq());
    FieldStats& fs = sit->second.postings_stats[field];
    fs.sum_length += ttf;
  }
  if (Status s = it->status(); !s.ok()) problem("reading postings: " + s.ToString());
  report.stored_disk_bytes = st->SstBytes(Cf::kDocs);
  for (Cf cf : {Cf::kMeta, Cf::kOps, Cf::kTerms, Cf::kSegments, Cf::kIds}) {
    report.index_disk_bytes += st->SstBytes(cf);
  }
  report.doc_bytes = sizes.doc_bytes;
  report.freq_bytes = sizes.freq_bytes;
  report.position_bytes = sizes.position_bytes;
  report.header_bytes = sizes.header_bytes;
  for (const auto& [id, sc] : segs) {
    for (const auto& [field, stats] : sc.info.fields) {
      auto p = sc.postings_stats.find(field);
      const std::uint64_t from_postings = p == sc.postings_stats.end() ? 0 : p->second.sum_length;
      // Lengths count positions; a position holds one token, or two where a word is stacked
      // with its stem (the auto analyzer), so the frequencies lie in [length, 2 * length].
      if (from_postings < stats.sum_length || from_postings > 2 * stats.sum_length) {
        problem("segment " + std::to_string(id) + " field " + std::to_string(field) +
                ": term frequencies add up to " + std::to_string(from_postings) +
                ", the field length statistic says " + std::to_string(stats.sum_length));
      }
    }
  }

  // Stored documents of live docs, and the id map pointing at exactly those.
  // Only what the id map is checked against: holding whole sources would cost the corpus size.
  struct DocKey {
    std::string id;
    std::uint64_t seq_no, version;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, DocKey> live_docs;
  auto dit = st->NewIterator(Cf::kDocs);
  for (dit->Seek(""); dit->Valid(); dit->Next()) {
    if (dit->key().size() != 8) {
      problem("malformed document key");
      continue;
    }
    const std::uint32_t seg = DecodeFixed32BE(dit->key().data());
    const std::uint32_t docno = DecodeFixed32BE(dit->key().data() + 4);
    auto sit = segs.find(seg);
    if (sit == segs.end()) {
      problem("stored document of uncommitted segment " + std::to_string(seg));
      continue;
    }
    if (!sit->second.live.contains(docno)) continue;
    StoredDocument d;
    if (Status s = index::DecodeStoredDocument(dit->value(), &d); !s.ok()) {
      problem("stored document: " + s.ToString());
      continue;
    }
    live_docs[{seg, docno}] = DocKey{std::move(d.id), d.seq_no, d.version};
  }
  if (live_docs.size() != report.live_docs) {
    problem("live docs without a stored document: " +
            std::to_string(report.live_docs - live_docs.size()));
  }
  std::uint64_t ids = 0;
  auto iit = st->NewIterator(Cf::kIds);
  for (iit->Seek(""); iit->Valid(); iit->Next()) {
    ++ids;
    index::IdLocation loc;
    if (Status s = index::DecodeIdLocation(iit->value(), &loc); !s.ok()) {
      problem("id location: " + s.ToString());
      continue;
    }
    auto d = live_docs.find({loc.segment, loc.docno});
    if (d == live_docs.end()) {
      problem("id [" + std::string(iit->key()) + "] points at a missing or deleted doc");
    } else if (d->second.id != iit->key() || d->second.seq_no != loc.seq_no ||
               d->second.version != loc.version) {
      problem("id [" + std::string(iit->key()) + "] disagrees with its stored document");
    }
  }
  if (ids != live_docs.size()) {
    problem(std::to_string(live_docs.size()) + " live docs but " + std::to_string(ids) +
            " ids mapped");
  }

  // The operation log above the commit point decodes, in order.
  auto oit = st->NewIterator(Cf::kOps);
  for (oit->Seek(index::keys::Op(commit.committed_seq_no + 1)); oit->Valid(); oit->Next()) {
    index::Operation op;
    if (Status s = index::DecodeOperation(oit->value(), &op); !s.ok()) {
      problem("operation: " + s.ToString());
    } else if (oit->key() != index::keys::Op(op.seq_no)) {
      problem("operation " + std::to_string(op.seq_no) + " stored under another key");
    }
    ++report.pending_ops;
  }
  return report;
}

}  // namespace stela::engine
