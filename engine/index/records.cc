#include "engine/index/records.h"

#include "engine/common/coding.h"

namespace stela::engine::index {

namespace {

Status CheckVersion(Decoder* d, const char* what) {
  std::uint8_t v = 0;
  STELA_RETURN_IF_ERROR(d->GetByte(&v));
  if (v != kRecordVersion) {
    return Status::Corruption(std::string("unknown ") + what + " record version " +
                              std::to_string(v));
  }
  return Status::OK();
}

Status ExpectEnd(const Decoder& d, const char* what) {
  if (!d.empty()) return Status::Corruption(std::string("trailing bytes in ") + what + " record");
  return Status::OK();
}

}  // namespace

std::string EncodeCommit(const CommitRecord& c) {
  std::string out(1, static_cast<char>(kRecordVersion));
  PutFixed64BE(&out, c.committed_seq_no);
  PutFixed32BE(&out, c.next_segment);
  PutVarint32(&out, static_cast<std::uint32_t>(c.segments.size()));
  for (std::uint32_t s : c.segments) PutFixed32BE(&out, s);
  return out;
}

Status DecodeCommit(std::string_view in, CommitRecord* c) {
  Decoder d(in);
  STELA_RETURN_IF_ERROR(CheckVersion(&d, "commit"));
  STELA_RETURN_IF_ERROR(d.GetFixed64BE(&c->committed_seq_no));
  STELA_RETURN_IF_ERROR(d.GetFixed32BE(&c->next_segment));
  std::uint32_t n = 0;
  STELA_RETURN_IF_ERROR(d.GetVarint32(&n));
  if (n > d.remaining() / 4) return Status::Corruption("commit lists more segments than bytes");
  c->segments.resize(n);
  for (std::uint32_t& s : c->segments) {
    STELA_RETURN_IF_ERROR(d.GetFixed32BE(&s));
    if (s == 0 || s >= c->next_segment) return Status::Corruption("segment id out of range");
  }
  return ExpectEnd(d, "commit");
}

std::string EncodeSegmentInfo(const SegmentInfo& s) {
  std::string out(1, static_cast<char>(kRecordVersion));
  PutFixed32BE(&out, s.id);
  PutVarint32(&out, s.max_doc);
  PutVarint32(&out, static_cast<std::uint32_t>(s.fields.size()));
  for (const auto& [field, stats] : s.fields) {
    PutVarint32(&out, field);
    PutVarint64(&out, stats.doc_count);
    PutVarint64(&out, stats.sum_length);
  }
  return out;
}

Status DecodeSegmentInfo(std::string_view in, SegmentInfo* s) {
  Decoder d(in);
  STELA_RETURN_IF_ERROR(CheckVersion(&d, "segment"));
  STELA_RETURN_IF_ERROR(d.GetFixed32BE(&s->id));
  STELA_RETURN_IF_ERROR(d.GetVarint32(&s->max_doc));
  std::uint32_t n = 0;
  STELA_RETURN_IF_ERROR(d.GetVarint32(&n));
  s->fields.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t field = 0;
    FieldStats st;
    STELA_RETURN_IF_ERROR(d.GetVarint32(&field));
    STELA_RETURN_IF_ERROR(d.GetVarint64(&st.doc_count));
    STELA_RETURN_IF_ERROR(d.GetVarint64(&st.sum_length));
    if (field > 0xFFFF) return Status::Corruption("field id out of range");
    if (st.doc_count > s->max_doc) return Status::Corruption("field in more docs than exist");
    s->fields[static_cast<std::uint16_t>(field)] = st;
  }
  return ExpectEnd(d, "segment");
}

std::string EncodeStoredDocument(const StoredDocument& doc) {
  std::string out(1, static_cast<char>(kRecordVersion));
  PutLengthPrefixed(&out, doc.id);
  PutVarint64(&out, doc.version);
  PutVarint64(&out, doc.seq_no);
  PutVarint64(&out, doc.primary_term);
  out.append(doc.source);
  return out;
}

Status DecodeStoredDocument(std::string_view in, StoredDocument* doc) {
  Decoder d(in);
  STELA_RETURN_IF_ERROR(CheckVersion(&d, "document"));
  std::string_view id, source;
  STELA_RETURN_IF_ERROR(d.GetLengthPrefixed(&id));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&doc->version));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&doc->seq_no));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&doc->primary_term));
  STELA_RETURN_IF_ERROR(d.GetBytes(d.remaining(), &source));
  doc->id.assign(id);
  doc->source.assign(source);
  return Status::OK();
}

std::string EncodeOperation(const Operation& op) {
  std::string out(1, static_cast<char>(kRecordVersion));
  out.push_back(static_cast<char>(op.type));
  PutFixed64BE(&out, op.seq_no);
  PutVarint64(&out, op.primary_term);
  PutVarint64(&out, op.version);
  PutLengthPrefixed(&out, op.id);
  out.append(op.source);
  return out;
}

Status DecodeOperation(std::string_view in, Operation* op) {
  Decoder d(in);
  STELA_RETURN_IF_ERROR(CheckVersion(&d, "operation"));
  std::uint8_t type = 0;
  STELA_RETURN_IF_ERROR(d.GetByte(&type));
  if (type != 1 && type != 2) return Status::Corruption("unknown operation type");
  op->type = static_cast<OpType>(type);
  std::string_view id, source;
  STELA_RETURN_IF_ERROR(d.GetFixed64BE(&op->seq_no));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&op->primary_term));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&op->version));
  STELA_RETURN_IF_ERROR(d.GetLengthPrefixed(&id));
  STELA_RETURN_IF_ERROR(d.GetBytes(d.remaining(), &source));
  op->id.assign(id);
  op->source.assign(source);
  return Status::OK();
}

std::string EncodeIdLocation(const IdLocation& l) {
  std::string out(1, static_cast<char>(kRecordVersion));
  PutFixed32BE(&out, l.segment);
  PutFixed32BE(&out, l.docno);
  PutVarint64(&out, l.seq_no);
  PutVarint64(&out, l.version);
  PutVarint64(&out, l.primary_term);
  return out;
}

Status DecodeIdLocation(std::string_view in, IdLocation* l) {
  Decoder d(in);
  STELA_RETURN_IF_ERROR(CheckVersion(&d, "id location"));
  STELA_RETURN_IF_ERROR(d.GetFixed32BE(&l->segment));
  STELA_RETURN_IF_ERROR(d.GetFixed32BE(&l->docno));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&l->seq_no));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&l->version));
  STELA_RETURN_IF_ERROR(d.GetVarint64(&l->primary_term));
  return ExpectEnd(d, "id location");
}

FieldStats StatsFromNorms(const std::vector<std::uint32_t>& lengths) {
  FieldStats st;
  for (std::uint32_t l : lengths) {
    st.doc_count += l > 0;
    st.sum_length += l;
  }
  return st;
}

std::string EncodeNorms(const std::vector<std::uint32_t>& lengths) {
  std::string out(1, static_cast<char>(kRecordVersion));
  for (std::uint32_t l : lengths) PutVarint32(&out, l);
  return out;
}

Status DecodeNorms(std::string_view in, std::uint32_t max_doc, std::vector<std::uint32_t>* lengths) {
  Decoder d(in);
  STELA_RETURN_IF_ERROR(CheckVersion(&d, "norms"));
  lengths->resize(max_doc);
  for (std::uint32_t& l : *lengths) STELA_RETURN_IF_ERROR(d.GetVarint32(&l));
  return ExpectEnd(d, "norms");
}

}  // namespace stela::engine::index
