// The gRPC service through generated client stubs against an in-process server on loopback.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "api/grpc/grpc_server.h"
#include "api/proto/stela/v1/stela.grpc.pb.h"
#include "api/rest/node.h"
#include "engine/testing/temp_dir.h"

namespace stela::api {
namespace {

namespace pb = ::stela::v1;

class GrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::move(analyzers::Registry::CreateBuiltin()).value();
    NodeOptions o;
    o.data_dir = dir_.Sub("data");
    node_ = std::move(Node::Open(o, *registry_)).value();
    rest_ = std::make_unique<RestHandler>(*node_, RestOptions{});
    auto server = GrpcServer::Start("127.0.0.1", 0, *rest_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                       grpc::InsecureChannelCredentials());
    stub_ = pb::Stela::NewStub(channel);
  }
  void TearDown() override {
    server_->Stop();
    server_.reset();
    rest_.reset();
    node_.reset();
  }

  stela::testing::TempDir dir_;
  std::unique_ptr<analyzers::Registry> registry_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<RestHandler> rest_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<pb::Stela::Stub> stub_;
};

TEST_F(GrpcTest, AdminDocumentsBulkAndSearch) {
  grpc::ClientContext c1;
  pb::CreateIndexRequest create;
  create.set_index("docs");
  create.set_body_json(R"({"settings": {"number_of_replicas": 0},
      "mappings": {"properties": {"title": {"type": "text"}, "n": {"type": "long"}}}})");
  pb::CreateIndexResponse created;
  ASSERT_TRUE(stub_->CreateIndex(&c1, create, &created).ok());
  EXPECT_TRUE(created.acknowledged());
  grpc::ClientContext c1b;
  EXPECT_EQ(stub_->CreateIndex(&c1b, create, &created).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  // Client-streaming bulk: 2,500 documents (three internal batches), one bad.
  grpc::ClientContext c2;
  pb::BulkResponse bulk;
  auto writer = stub_->Bulk(&c2, &bulk);
  for (int i = 0; i < 2500; ++i) {
    pb::BulkItem item;
    item.set_index("docs");
    item.set_id("d" + std::to_string(i));
    item.set_document_json(R"({"title": "stream number )" + std::to_string(i) + R"(", "n": )" +
                           std::to_string(i) + "}");
    ASSERT_TRUE(writer->Write(item));
  }
  pb::BulkItem bad;
  bad.set_index("docs");
  bad.set_id("bad");
  bad.set_document_json(R"({"n": "not a number"})");
  ASSERT_TRUE(writer->Write(bad));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(bulk.items_size(), 2501);
  EXPECT_TRUE(bulk.errors());
  EXPECT_EQ(bulk.items(0).status(), 201);
  EXPECT_EQ(bulk.items(2500).status(), 400);
  EXPECT_EQ(bulk.items(2500).error_type(), "mapper_parsing_exception");

  grpc::ClientContext c3;
  pb::RefreshRequest refresh;
  refresh.set_index("docs");
  pb::RefreshResponse refreshed;
  ASSERT_TRUE(stub_->Refresh(&c3, refresh, &refreshed).ok());

  grpc::ClientContext c4;
  // A deadline becomes the search's timeout (less a margin); a generous one changes nothing.
  c4.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  pb::SearchRequest search;
  search.set_index("docs");
  search.set_body_json(R"({"query": {"range": {"n": {"gte": 2490}}}, "sort": [{"n": "desc"}],
                           "size": 3, "aggs": {"m": {"max": {"field": "n"}}}})");
  pb::SearchResponse found;
  ASSERT_TRUE(stub_->Search(&c4, search, &found).ok());
  EXPECT_EQ(found.total(), 10u);
  EXPECT_FALSE(found.timed_out());
  ASSERT_EQ(found.hits_size(), 3);
  EXPECT_EQ(found.hits(0).id(), "d2499");
  EXPECT_EQ(found.hits(0).sort_json(), "[2499]");
  EXPECT_NE(found.aggregations_json().find(R"("m":{"value":2499)"), std::string::npos);

  grpc::ClientContext c5;
  pb::GetDocumentRequest get;
  get.set_index("docs");
  get.set_id("d7");
  pb::Document doc;
  ASSERT_TRUE(stub_->GetDocument(&c5, get, &doc).ok());
  EXPECT_EQ(doc.source_json(), R"({"title":"stream number 7","n":7})");

  // Optimistic concurrency: a stale seq_no is ABORTED.
  grpc::ClientContext c6;
  pb::IndexDocumentRequest put;
  put.set_index("docs");
  put.set_id("d7");
  put.set_source_json(R"({"title": "changed"})");
  put.mutable_conditions()->set_if_seq_no(doc.seq_no() + 100);
  put.mutable_conditions()->set_if_primary_term(doc.primary_term());
  pb::WriteResult written;
  EXPECT_EQ(stub_->IndexDocument(&c6, put, &written).error_code(), grpc::StatusCode::ABORTED);

  grpc::ClientContext c7;
  pb::DeleteDocumentRequest del;
  del.set_index("docs");
  del.set_id("d7");
  ASSERT_TRUE(stub_->DeleteDocument(&c7, del, &written).ok());
  EXPECT_EQ(written.result(), "deleted");
  grpc::ClientContext c8;
  EXPECT_EQ(stub_->GetDocument(&c8, get, &doc).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext c9;
  search.set_index("missing");
  EXPECT_EQ(stub_->Search(&c9, search, &found).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext c10;
  search.set_index("docs");
  search.set_body_json(R"({"query": {"nope": {}}})");
  const grpc::Status bad_query = stub_->Search(&c10, search, &found);
  EXPECT_EQ(bad_query.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad_query.error_message().find("parsing_exception"), std::string::npos);

  grpc::ClientContext c11;
  pb::HealthResponse health;
  ASSERT_TRUE(stub_->Health(&c11, pb::HealthRequest(), &health).ok());
  EXPECT_EQ(health.status(), "green");
  EXPECT_EQ(health.number_of_indices(), 1);
}

}  // namespace
}  // namespace stela::api
