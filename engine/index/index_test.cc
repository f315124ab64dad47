#include "stela/engine/index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "engine/codec/postings.h"
#include "engine/index/document.h"
#include "engine/index/keys.h"
#include "engine/index/records.h"
#include "engine/index/snapshot_reader.h"
#include "engine/index/testing_hooks.h"
#include "engine/store/store.h"
#include "engine/testing/temp_dir.h"

namespace stela::engine {
namespace {

using Ids = std::vector<std::string>;

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = analyzers::Registry::CreateBuiltin();
    ASSERT_TRUE(r.ok());
    registry_ = std::move(r).value();
    Open();
  }
  // Periodic refresh off: the tests decide when writes become searchable.
  static IndexOptions Quiet() {
    IndexOptions o;
    o.refresh_interval_ms = 0;
    return o;
  }
  void Open(IndexOptions options = Quiet()) {
    index_.reset();
    if (options.mappings_json == "{}") options.mappings_json = kMappings;
    auto idx = Index::Open(dir_.Sub("shard"), options, *registry_);
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(idx).value();
  }
  WriteResult Put(std::string_view id, std::string_view json, WriteOptions o = {}) {
    auto r = index_->IndexDocument(id, json, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : WriteResult{};
  }
  Ids Match(std::string_view field, std::string_view term) {
    auto ids = index_->AcquireSnapshot()->MatchingIds(field, term);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    Ids out = ids.ok() ? *ids : Ids{};
    std::sort(out.begin(), out.end());
    return out;
  }

  static constexpr char kMappings[] = R"({"properties": {
      "title": {"type": "text", "language": "en", "fields": {"raw": {"type": "keyword"}}},
      "body": {"type": "text"},
      "tag": {"type": "keyword"},
      "views": {"type": "long"},
      "price": {"type": "double"},
      "published": {"type": "date"},
      "public": {"type": "boolean"},
      "author": {"properties": {"name": {"type": "keyword"}}}}})";

  stela::testing::TempDir dir_;
  std::unique_ptr<analyzers::Registry> registry_;
  std::unique_ptr<Index> index_;
};

TEST_F(IndexTest, IndexedDocumentsBecomeSearchableOnRefresh) {
  WriteResult r = Put("1", R"({"title": "Running dogs", "tag": "pets", "views": 12})");
  EXPECT_EQ(r.seq_no, 1u);
  EXPECT_EQ(r.version, 1u);
  EXPECT_TRUE(r.created);
  Put("2", R"({"title": "A dog runs", "tag": ["pets", "news"], "author": {"name": "Ana"}})");
  EXPECT_EQ(Match("title", "dog"), Ids{});  // not refreshed yet
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("title", "dog"), (Ids{"1", "2"}));
  EXPECT_EQ(Match("title", "run"), (Ids{"1", "2"}));  // stemmed as English
  EXPECT_EQ(Match("title.raw", "Running dogs"), Ids{"1"});
  EXPECT_EQ(Match("tag", "news"), Ids{"2"});
  EXPECT_EQ(Match("author.name", "Ana"), Ids{"2"});
  EXPECT_EQ(Match("views", index::EncodeLongTerm(12)), Ids{"1"});
  auto snap = index_->AcquireSnapshot();
  EXPECT_EQ(snap->doc_count(), 2u);
  EXPECT_EQ(snap->Stats("title").doc_count, 2u);
  EXPECT_EQ(snap->Stats("title").sum_length, 4u);  // "running dogs" + "dog runs" ("a": stop word)
  EXPECT_EQ(*snap->DocFreq("title", "dog"), 2u);
}

TEST_F(IndexTest, GetIsRealtimeAndReportsVersions) {
  Put("a", R"({"title": "first"})");
  auto got = index_->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->source, R"({"title": "first"})");
  WriteResult r = Put("a", R"({"title": "second"})");
  EXPECT_FALSE(r.created);
  EXPECT_EQ(r.version, 2u);
  ASSERT_TRUE(index_->Refresh().ok());
  got = index_->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->source, R"({"title": "second"})");
  EXPECT_EQ(got->version, 2u);
  EXPECT_EQ(got->seq_no, 2u);
  EXPECT_EQ(Match("title", "first"), Ids{});
  EXPECT_EQ(Match("title", "second"), Ids{"a"});
  EXPECT_TRUE(index_->Get("missing").status().IsNotFound());
}

TEST_F(IndexTest, DeletesHideDocumentsFromNewSnapshotsOnly) {
  Put("1", R"({"tag": "x"})");
  Put("2", R"({"tag": "x"})");
  ASSERT_TRUE(index_->Refresh().ok());
  auto before = index_->AcquireSnapshot();
  auto del = index_->DeleteDocument("1");
  ASSERT_TRUE(del.ok());
  EXPECT_TRUE(del->found);
  EXPECT_TRUE(index_->Get("1").status().IsNotFound());
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("tag", "x"), Ids{"2"});
  auto old_ids = before->MatchingIds("tag", "x");
  ASSERT_TRUE(old_ids.ok());
  EXPECT_EQ(old_ids->size(), 2u);  // the old snapshot keeps its view
  EXPECT_EQ(index_->AcquireSnapshot()->doc_count(), 1u);
  auto again = index_->DeleteDocument("1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->found);
}

TEST_F(IndexTest, PartialUpdatesMergeAndUpsertCreates) {
  Put("1", R"({"title": "old title", "author": {"name": "Ana"}, "views": 1})");
  auto u = index_->UpdateDocument("1", R"({"views": 2, "author": {"name": "Bo"}})", false);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->version, 2u);
  auto got = index_->Get("1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->source, R"({"title":"old title","author":{"name":"Bo"},"views":2})");
  EXPECT_TRUE(index_->UpdateDocument("nope", R"({"a": 1})", false).status().IsNotFound());
  auto up = index_->UpdateDocument("new", R"({"tag": "t"})", true);
  ASSERT_TRUE(up.ok());
  EXPECT_TRUE(up->created);
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("author.name", "Bo"), Ids{"1"});
  EXPECT_EQ(Match("tag", "t"), Ids{"new"});
}

TEST_F(IndexTest, OptimisticConcurrencyConflictsAreAborted) {
  WriteResult r = Put("1", R"({"tag": "a"})");
  WriteOptions stale;
  stale.if_seq_no = r.seq_no + 5;
  stale.if_primary_term = 1;
  auto s = index_->IndexDocument("1", R"({"tag": "b"})", stale);
  EXPECT_EQ(s.status().code(), Status::Code::kAborted);
  EXPECT_NE(s.status().message().find("version_conflict_engine_exception"), std::string::npos);
  WriteOptions ok;
  ok.if_seq_no = r.seq_no;
  ok.if_primary_term = r.primary_term;
  EXPECT_TRUE(index_->IndexDocument("1", R"({"tag": "b"})", ok).ok());
  WriteOptions create;
  create.create_only = true;
  EXPECT_EQ(index_->IndexDocument("1", "{}", create).status().code(), Status::Code::kAborted);
  WriteOptions external;
  external.external_version = 10;
  auto e = index_->IndexDocument("1", "{}", external);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->version, 10u);
  external.external_version = 9;
  EXPECT_EQ(index_->IndexDocument("1", "{}", external).status().code(), Status::Code::kAborted);
}

TEST_F(IndexTest, BadDocumentsGetClearErrorsAndChangeNothing) {
  for (std::string_view bad : {"{", "[1,2]", "\"str\"", R"({"views": "many"})",
                               R"({"public": "maybe"})", R"({"published": "yesterday"})",
                               R"({"views": 1.5})"}) {
    auto r = index_->IndexDocument("x", bad);
    EXPECT_TRUE(r.status().IsInvalidArgument()) << bad << " -> " << r.status().ToString();
    EXPECT_NE(r.status().message().find("mapper_parsing_exception"), std::string::npos) << bad;
  }
  EXPECT_TRUE(index_->IndexDocument("", "{}").status().IsInvalidArgument());
  EXPECT_TRUE(index_->IndexDocument(std::string(513, 'i'), "{}").status().IsInvalidArgument());
  EXPECT_EQ(index_->Stats().max_seq_no, 0u);
  EXPECT_TRUE(index_->Get("x").status().IsNotFound());
}

TEST_F(IndexTest, NumbersDatesAndBooleansIndexAsSortableTerms) {
  Put("1", R"({"views": "42", "price": 9.5, "published": "2024-05-01T10:00:00Z", "public": true})");
  Put("2", R"({"views": -3, "price": "-0.0", "published": 1714557600000, "public": "false"})");
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("views", index::EncodeLongTerm(42)), Ids{"1"});
  EXPECT_EQ(Match("views", index::EncodeLongTerm(-3)), Ids{"2"});
  EXPECT_EQ(Match("price", index::EncodeDoubleTerm(0.0)), Ids{"2"});
  EXPECT_EQ(Match("published", index::EncodeLongTerm(1714557600000)), (Ids{"1", "2"}));
  EXPECT_EQ(Match("public", "T"), Ids{"1"});
  EXPECT_LT(index::EncodeLongTerm(-3), index::EncodeLongTerm(42));
  EXPECT_LT(index::EncodeDoubleTerm(-1.5), index::EncodeDoubleTerm(-0.5));
  EXPECT_LT(index::EncodeDoubleTerm(-0.5), index::EncodeDoubleTerm(2.0));
  EXPECT_EQ(*index::ParseDateMillis("1970-01-02"), 86400000);
  EXPECT_EQ(*index::ParseDateMillis("2000-03-01T00:00:00.5+01:00"), 951865200500);
  EXPECT_FALSE(index::ParseDateMillis("2000-13-01").ok());
}

TEST_F(IndexTest, DocValuesHoldEveryValueAndSurviveMerges) {
  Put("1", R"({"tag": ["b", "a"], "views": 7, "price": -2.5, "published": "1970-01-02",
               "public": true, "title": "not a column"})");
  Put("2", R"({"tag": "c", "views": [3, -9]})");
  ASSERT_TRUE(index_->Refresh().ok());
  Put("3", R"({"views": 1})");
  ASSERT_TRUE(index_->DeleteDocument("2").ok());
  ASSERT_TRUE(index_->Refresh().ok());
  auto check = [&] {
    auto snap = index_->AcquireSnapshot();
    auto tags = snap->DocValuesById("tag");
    ASSERT_TRUE(tags.ok());
    EXPECT_EQ(*tags, (std::map<std::string, std::vector<std::string>>{{"1", {"a", "b"}}}));
    auto views = snap->DocValuesById("views");
    ASSERT_TRUE(views.ok());
    EXPECT_EQ(*views,
              (std::map<std::string, std::vector<std::string>>{{"1", {"7"}}, {"3", {"1"}}}));
    EXPECT_EQ(snap->DocValuesById("price")->at("1"), std::vector<std::string>{"-2.5"});
    EXPECT_EQ(snap->DocValuesById("published")->at("1"), std::vector<std::string>{"86400000"});
    EXPECT_EQ(snap->DocValuesById("public")->at("1"), std::vector<std::string>{"1"});
    EXPECT_TRUE(snap->DocValuesById("title")->empty());  // text has no doc values
  };
  check();
  ASSERT_TRUE(index_->ForceMerge(1).ok());
  check();
}

TEST_F(IndexTest, DynamicMappingAddsTextWithKeywordAndRespectsTheFieldLimit) {
  Put("1", R"({"note": "Hello World", "count": 3, "score": 1.5, "flag": false,
               "when": "2023-01-02"})");
  ASSERT_TRUE(index_->Refresh().ok());
  const std::string m = index_->MappingsJson();
  EXPECT_NE(m.find(R"("note":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}})"),
            std::string::npos) << m;
  EXPECT_NE(m.find(R"("count":{"type":"long"})"), std::string::npos) << m;
  EXPECT_NE(m.find(R"("score":{"type":"float"})"), std::string::npos) << m;
  EXPECT_NE(m.find(R"("flag":{"type":"boolean"})"), std::string::npos) << m;
  EXPECT_NE(m.find(R"("when":{"type":"date"})"), std::string::npos) << m;
  EXPECT_EQ(Match("note", "hello"), Ids{"1"});
  EXPECT_EQ(Match("note.keyword", "Hello World"), Ids{"1"});

  IndexOptions small = Quiet();
  small.max_fields = 17;  // the 15 mapped so far (9 declared, 6 dynamic) plus 2
  Open(small);
  Put("2", R"({"extra1": 1, "extra2": 2, "extra3": 3, "extra4": "text"})");
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("extra2", index::EncodeLongTerm(2)), Ids{"2"});
  EXPECT_EQ(Match("extra3", index::EncodeLongTerm(3)), Ids{});  // over the limit: not indexed
  EXPECT_GE(index_->Stats().unmapped_fields, 2u);
  auto got = index_->Get("2");
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->source.find("extra4"), std::string::npos);  // but kept in _source
}

TEST_F(IndexTest, ReopenReplaysTheOperationLogAndKeepsSegments) {
  IndexOptions no_merges = Quiet();  // a merge would purge the segment whose only doc is deleted
  no_merges.background_merges = false;
  Open(no_merges);
  Put("1", R"({"tag": "committed"})");
  ASSERT_TRUE(index_->Refresh().ok());
  Put("2", R"({"tag": "logged"})");
  ASSERT_TRUE(index_->DeleteDocument("1").ok());
  Put("3", R"({"tag": "logged", "body": "fresh words"})");
  Open(no_merges);  // without a refresh: 2, the delete and 3 are only in the operation log
  EXPECT_TRUE(index_->Get("1").status().IsNotFound());
  ASSERT_TRUE(index_->Get("2").ok());
  EXPECT_EQ(index_->Stats().max_seq_no, 4u);
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("tag", "logged"), (Ids{"2", "3"}));
  EXPECT_EQ(Match("tag", "committed"), Ids{});
  EXPECT_EQ(Match("body", "fresh"), Ids{"3"});
  WriteResult r = Put("4", "{}");
  EXPECT_EQ(r.seq_no, 5u);
  Open(no_merges);
  EXPECT_EQ(index_->AcquireSnapshot()->doc_count(), 2u);  // 4 is buffered, not refreshed
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(index_->AcquireSnapshot()->doc_count(), 3u);
  EXPECT_EQ(index_->Stats().segments, 3u);  // one per refresh that had documents
}

TEST_F(IndexTest, MultilingualValuesAreAnalysedInTheirOwnLanguage) {
  Put("de", R"({"body": "Die Kinder spielten in den großen Gärten hinter den Häusern."})");
  Put("fr", R"({"body": "Les enfants jouaient dans les jardins pendant que leurs parents."})");
  Put("ja", R"({"body": "子供たちは庭で遊んでいました。"})");
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("body", "haus"), Ids{"de"});
  EXPECT_EQ(Match("body", "jardin"), Ids{"fr"});
  EXPECT_EQ(Match("body", "子供"), Ids{"ja"});
}

}  // namespace
}  // namespace stela::engine

namespace stela::engine {
namespace {

class MergeTest : public IndexTest {
 protected:
  // A force merge that reorders 213 docs of two interleaved vocabularies: every doc whole
  // afterwards (and after a reopen), its docs grouped.
  void CheckReorderingMerge();
};

TEST_F(MergeTest, ForceMergePurgesDeletesAndKeepsEveryLiveDocument) {
  for (int seg = 0; seg < 6; ++seg) {
    for (int i = 0; i < 50; ++i) {
      const int n = seg * 50 + i;
      Put("d" + std::to_string(n), R"({"tag": "t)" + std::to_string(n % 3) +
                                       R"(", "body": "word)" + std::to_string(n % 11) + " common\"}");
    }
    ASSERT_TRUE(index_->Refresh().ok());
  }
  for (int n = 0; n < 300; n += 7) ASSERT_TRUE(index_->DeleteDocument("d" + std::to_string(n)).ok());
  Put("d1", R"({"tag": "replaced"})");
  ASSERT_TRUE(index_->Refresh().ok());
  auto before = index_->AcquireSnapshot();
  const Ids t0_before = Match("tag", "t0");
  ASSERT_TRUE(index_->ForceMerge(1).ok());
  EXPECT_EQ(index_->Stats().segments, 1u);
  EXPECT_GE(index_->Stats().merges, 1u);
  auto snap = index_->AcquireSnapshot();
  EXPECT_EQ(snap->doc_count(), 300u - 43u);
  EXPECT_EQ(Match("tag", "t0"), t0_before);
  EXPECT_EQ(Match("tag", "replaced"), Ids{"d1"});
  EXPECT_EQ(Match("body", "common").size(), 300u - 43u - 1u);
  EXPECT_EQ(snap->Stats("body").doc_count, 300u - 43u - 1u);  // deleted docs' lengths are gone
  // The snapshot from before the merge still reads its (now dropped) segments.
  auto old = before->MatchingIds("tag", "t1");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->size(), Match("tag", "t1").size());
  for (int n = 0; n < 300; ++n) {
    const std::string id = "d" + std::to_string(n);
    auto got = index_->Get(id);
    EXPECT_EQ(got.ok(), n % 7 != 0) << id;
  }
  // Writes after the merge find the merged copies.
  ASSERT_TRUE(index_->DeleteDocument("d2").ok());
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(index_->AcquireSnapshot()->doc_count(), 300u - 44u);
  before.reset();  // snapshots must not outlive their index
  snap.reset();
  Open();
  EXPECT_EQ(index_->AcquireSnapshot()->doc_count(), 300u - 44u);
  EXPECT_TRUE(index_->Get("d3").ok());
}

void MergeTest::CheckReorderingMerge() {
  IndexOptions o = Quiet();
  o.force_merge_reorder_min_docs = 100;
  Open(o);
  // Two vocabularies interleaved, so that reordering moves docs; numbers, keywords and sources
  // must follow their docs to their new places.
  std::map<std::string, std::string> sources;
  std::map<std::string, std::vector<std::string>> views;
  for (int seg = 0; seg < 4; ++seg) {
    for (int i = 0; i < 60; ++i) {
      const int n = seg * 60 + i;
      const std::string id = "d" + std::to_string(n);
      const std::string words = n % 2 == 0 ? "apple banana cherry" : "xenon yttrium zinc";
      sources[id] = R"({"body": ")" + words + " w" + std::to_string(n % 13) + R"(", "tag": "t)" +
                    std::to_string(n % 5) + R"(", "views": )" + std::to_string(n * 3) + "}";
      views[id] = {std::to_string(n * 3)};
      Put(id, sources[id]);
    }
    ASSERT_TRUE(index_->Refresh().ok());
  }
  for (int n = 0; n < 240; n += 9) {
    const std::string id = "d" + std::to_string(n);
    ASSERT_TRUE(index_->DeleteDocument(id).ok());
    sources.erase(id);
    views.erase(id);
  }
  ASSERT_TRUE(index_->Refresh().ok());
  const Ids apple = Match("body", "apple"), w7 = Match("body", "w7"), t3 = Match("tag", "t3");
  ASSERT_TRUE(index_->ForceMerge(1).ok());
  EXPECT_EQ(index_->Stats().segments, 1u);
  const auto check = [&] {
    auto snap = index_->AcquireSnapshot();
    EXPECT_EQ(snap->doc_count(), sources.size());
    EXPECT_EQ(Match("body", "apple"), apple);
    EXPECT_EQ(Match("body", "w7"), w7);
    EXPECT_EQ(Match("tag", "t3"), t3);
    auto got_views = snap->DocValuesById("views");
    ASSERT_TRUE(got_views.ok());
    EXPECT_EQ(*got_views, views);
    for (const auto& [id, source] : sources) {
      auto got = index_->Get(id);
      ASSERT_TRUE(got.ok()) << id;
      EXPECT_EQ(got->source, source) << id;
    }
  };
  check();
  // The merged docs are grouped: one vocabulary's docs hold a few runs of docnos.
  {
    auto snap = index_->AcquireSnapshot();
    std::vector<std::uint32_t> docnos;
    for (const auto& [id, source] : sources) {
      if (source.find("apple") == std::string::npos) continue;
      auto at = snap->reader().Locate(id);
      ASSERT_TRUE(at.ok() && at->has_value()) << id;
      docnos.push_back((*at)->second);
    }
    ASSERT_FALSE(docnos.empty());
    std::sort(docnos.begin(), docnos.end());
    std::size_t runs = 1;
    for (std::size_t i = 1; i < docnos.size(); ++i) runs += docnos[i] != docnos[i - 1] + 1;
    EXPECT_LE(runs, 4u) << docnos.size() << " docs";  // interleaved as indexed: about 100 runs
  }
  Open(o);
  check();
}

TEST_F(MergeTest, ReorderingMergeKeepsEveryDocumentWhole) { CheckReorderingMerge(); }

TEST_F(MergeTest, ReorderingMergeWithoutSpillFileReadsDocsInMergedOrder) {
  stela::testing::FailSpillFiles(true);
  CheckReorderingMerge();
  stela::testing::FailSpillFiles(false);
}

TEST_F(MergeTest, MergedAwaySegmentsAreReclaimedOnceNoSnapshotReadsThem) {
  auto load = [&](const std::string& prefix) {
    for (int seg = 0; seg < 4; ++seg) {
      for (int i = 0; i < 200; ++i) {
        std::string body;
        for (int w = 0; w < 30; ++w) body += "w" + std::to_string((seg * 7919 + i * 31 + w) % 5000) + " ";
        Put(prefix + std::to_string(seg * 200 + i), R"({"body": ")" + body + "\"}");
      }
      ASSERT_TRUE(index_->Refresh().ok());
    }
  };
  load("a");
  auto held = index_->AcquireSnapshot();
  const std::uint64_t four_segments = index_->Stats().disk_bytes;
  ASSERT_TRUE(index_->ForceMerge(1).ok());
  // The held snapshot still reads the merged-away segments, so their files stay.
  const std::uint64_t while_held = index_->Stats().disk_bytes;
  EXPECT_GT(while_held, four_segments);
  std::printf("disk: 4 segments %llu, merged while held %llu\n",
              static_cast<unsigned long long>(four_segments),
              static_cast<unsigned long long>(while_held));
  auto got = held->MatchingIds("body", "w7");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->empty());
  held.reset();
  // The next merge reclaims them, its own sources too.
  load("b");
  ASSERT_TRUE(index_->ForceMerge(1).ok());
  const std::uint64_t after = index_->Stats().disk_bytes;
  EXPECT_LT(after, while_held);
  std::printf("disk after the second merge %llu\n", static_cast<unsigned long long>(after));
  EXPECT_EQ(index_->AcquireSnapshot()->doc_count(), 1600u);
}

// A crash between a segment's ingestion and its commit leaves keys under an uncommitted id.
// Reopening drops them and never reuses their ids, so later segments neither show the leftover
// terms nor fall under the leftovers' range deletes.
TEST_F(IndexTest, SegmentsLeftBeforeTheirCommitAreDroppedAndTheirIdsNotReused) {
  Put("a", R"({"tag": "kept"})");
  ASSERT_TRUE(index_->Refresh().ok());
  index_.reset();
  {
    auto store = store::Store::Open(dir_.Sub("shard"), store::StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    codec::PostingsWriter writer(false);
    ASSERT_TRUE(writer.Add(0, 1, nullptr, 1).ok());
    std::string postings;
    writer.Finish(&postings);
    auto sst = (*store)->NewSstBuilder(store::Cf::kTerms);
    ASSERT_TRUE(sst.ok());
    std::string value;
    ASSERT_TRUE((*store)->Get(store::Cf::kMeta, index::keys::kCommitKey, &value).ok());
    index::CommitRecord commit;
    ASSERT_TRUE(index::DecodeCommit(value, &commit).ok());
    // Uncommitted ids a new segment could take soon, under every field id the mappings use.
    for (std::uint32_t seg = commit.next_segment; seg < commit.next_segment + 40; ++seg) {
      for (std::uint16_t field = 0; field < 32; ++field) {
        ASSERT_TRUE((*sst)->Add(index::keys::Term(seg, field, "zzorphan"), postings).ok());
      }
    }
    std::vector<std::unique_ptr<store::SstBuilder>> builders;
    builders.push_back(std::move(*sst));
    ASSERT_TRUE(builders[0]->Finish().ok());
    ASSERT_TRUE((*store)->Ingest(builders).ok());
  }
  Open();
  EXPECT_EQ(Match("tag", "kept"), Ids{"a"});
  EXPECT_TRUE(Match("tag", "zzorphan").empty());
  Put("b", R"({"tag": "after"})");
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("tag", "after"), Ids{"b"});
  EXPECT_TRUE(Match("tag", "zzorphan").empty());
  Open();  // and again after a clean reopen
  EXPECT_EQ(Match("tag", "after"), Ids{"b"});
  EXPECT_EQ(Match("tag", "kept"), Ids{"a"});
}

TEST_F(IndexTest, PeriodicRefreshAndWaitFor) {
  IndexOptions periodic;
  periodic.refresh_interval_ms = 20;
  Open(periodic);
  WriteResult r = Put("p", R"({"tag": "soon"})");
  ASSERT_TRUE(index_->WaitForRefresh(r.seq_no).ok());
  EXPECT_EQ(Match("tag", "soon"), Ids{"p"});
  Open();  // refresh off: wait_for refreshes itself
  r = Put("q", R"({"tag": "now"})");
  EXPECT_EQ(Match("tag", "now"), Ids{});
  ASSERT_TRUE(index_->WaitForRefresh(r.seq_no).ok());
  EXPECT_EQ(Match("tag", "now"), Ids{"q"});
}

TEST_F(MergeTest, WritersWaitWhenMergesFallBehind) {
  IndexOptions o = Quiet();
  o.merge_factor = 2;  // writers wait while a level holds more than 6 segments
  Open(o);
  for (int i = 0; i < 40; ++i) {
    Put("w" + std::to_string(i), R"({"tag": "y"})");
    ASSERT_TRUE(index_->Refresh().ok());
    ASSERT_LE(index_->Stats().segments, 7u) << "after write " << i;
  }
  EXPECT_EQ(Match("tag", "y").size(), 40u);
}

TEST_F(MergeTest, WritersSlowDownBeforeMergesFallFarBehind) {
  IndexOptions o = Quiet();
  o.merge_factor = 2;  // writes idle past 4 segments in a level, wait outright past 6
  Open(o);
  testing::HoldMerges(*index_, true);
  for (int i = 0; i < 5; ++i) {
    Put("s" + std::to_string(i), R"({"tag": "z"})");
    ASSERT_TRUE(index_->Refresh().ok());
    EXPECT_EQ(index_->Stats().throttled, i == 4) << "after segment " << i + 1;
  }
  EXPECT_EQ(index_->Stats().throttled_writes, 0u);
  // Five one-doc segments on level 0: one over the soft limit.
  EXPECT_TRUE(index_->Stats().throttled);
  Put("s5", R"({"tag": "z"})");
  EXPECT_EQ(index_->Stats().throttled_writes, 1u);
  ASSERT_TRUE(index_->Refresh().ok());
  Put("s6", R"({"tag": "z"})");  // six segments: still below the outright wait
  EXPECT_EQ(index_->Stats().throttled_writes, 2u);
  testing::HoldMerges(*index_, false);
  for (int wait = 0; wait < 500 && index_->Stats().throttled; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(index_->Stats().throttled);
  Put("s7", R"({"tag": "z"})");
  EXPECT_EQ(index_->Stats().throttled_writes, 2u);
  ASSERT_TRUE(index_->Refresh().ok());
  EXPECT_EQ(Match("tag", "z").size(), 8u);
}

TEST_F(MergeTest, BackgroundMergesKeepTheSegmentCountBounded) {
  IndexOptions o = Quiet();
  o.merge_factor = 3;  // one-doc segments are all on level 0: merged three at a time
  Open(o);
  for (int seg = 0; seg < 20; ++seg) {
    Put("k" + std::to_string(seg), R"({"tag": "x"})");
    ASSERT_TRUE(index_->Refresh().ok());
  }
  for (int wait = 0; wait < 500 && index_->Stats().segments > 3; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(index_->Stats().segments, 3u);
  EXPECT_GT(index_->Stats().merges, 0u);
  EXPECT_EQ(Match("tag", "x").size(), 20u);
}

TEST_F(MergeTest, MergesStayWithinALevelAndUnderTheMaximum) {
  IndexOptions o = Quiet();
  o.merge_factor = 3;
  o.floor_segment_docs = 4;       // levels: up to 12 docs, up to 36, ...
  o.max_merged_segment_docs = 20;  // segments over 10 docs merge no further
  Open(o);
  // Twelve 4-doc segments: level 0 merges three at a time into 12-doc segments (level 1, over
  // the maximum's half: they stay); never one segment with everything.
  int n = 0;
  for (int seg = 0; seg < 12; ++seg) {
    for (int d = 0; d < 4; ++d) Put("m" + std::to_string(n++), R"({"tag": "z"})");
    ASSERT_TRUE(index_->Refresh().ok());
  }
  for (int wait = 0; wait < 500 && index_->Stats().segments > 4; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // no further merge may start
  const IndexStats st = index_->Stats();
  EXPECT_EQ(st.segments, 4u);
  EXPECT_EQ(st.merges, 4u);
  EXPECT_EQ(st.merged_docs, 48u);  // every doc rewritten once, none twice
  EXPECT_EQ(Match("tag", "z").size(), 48u);
}

}  // namespace
}  // namespace stela::engine

