#include "skiff/api/protobuf/message_table.h"

#include <deque>
#include <functional>
#include <map>
#include <utility>

#include "skiff/api/protobuf/message_text.h"
#include "skiff/api/text.h"
#include "skiff/base/strings.h"

namespace skiff::api::protobuf::internal {
namespace {

struct PendingField {
  size_t message_index = 0;
  size_t field_index = 0;
  std::string type_name;
  std::string area;
  int line = 0;
};

// Splits on runs of spaces.
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool ScalarKind(std::string_view name, ValueKind* kind) {
  static const std::map<std::string_view, ValueKind> kKinds = {
      {"string", ValueKind::kString},
      {"bool", ValueKind::kBool},
      {"int32", ValueKind::kInt32},
      {"int64", ValueKind::kInt64},
      {"bytes", ValueKind::kBytes},
      {"double", ValueKind::kDouble},
      {"Time", ValueKind::kTime},
      {"MicroTime", ValueKind::kMicroTime},
      {"Duration", ValueKind::kDuration},
      {"Quantity", ValueKind::kQuantity},
      {"IntOrString", ValueKind::kIntOrString},
      {"RawExtension", ValueKind::kRawExtension},
      {"FieldsV1", ValueKind::kFieldsV1},
  };
  auto it = kKinds.find(name);
  if (it == kKinds.end()) return false;
  *kind = it->second;
  return true;
}

class Table {
 public:
  Table() { Build(); }

  absl::Status status;
  std::map<std::string, const Message*, std::less<>> by_name;
  std::map<std::string, const Message*, std::less<>> roots;  // "apps/v1/Deployment"

 private:
  void Build();
  void Parse(std::string_view area, std::string_view text);
  bool ParseField(std::string_view area, int line, std::string_view rest);
  void Fail(std::string_view area, int line, std::string_view what);

  std::deque<Message> storage_;  // stable addresses
  std::vector<PendingField> pending_;
};

void Table::Fail(std::string_view area, int line, std::string_view what) {
  if (status.ok()) {
    status =
        absl::InternalError(base::Absl(Cat("protobuf table ", area, " line ", line, ": ", what)));
  }
}

bool Table::ParseField(std::string_view area, int line, std::string_view rest) {
  if (storage_.empty()) {
    Fail(area, line, "field before the first message");
    return false;
  }
  std::vector<std::string_view> w = Words(rest);
  if (w.size() != 3) {
    Fail(area, line, "want '<number> <json name> <type>'");
    return false;
  }
  Message& m = storage_.back();
  Field f;
  uint64_t number = 0;
  for (char c : w[0]) {
    if (c < '0' || c > '9' || number > 100000) {
      Fail(area, line, Cat("bad field number '", w[0], "'"));
      return false;
    }
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  if (number == 0 || number > 1000) {
    Fail(area, line, Cat("field number out of range: ", w[0]));
    return false;
  }
  f.number = static_cast<uint32_t>(number);
  if (w[1] != "-") f.json_name = std::string(w[1]);
  std::string_view type = w[2];
  if (type.ends_with('!')) {
    f.keep_zero = true;
    type.remove_suffix(1);
  }
  if (ConsumePrefix(type, "[]")) {
    f.cardinality = Cardinality::kRepeated;
  } else if (ConsumePrefix(type, "{}")) {
    f.cardinality = Cardinality::kMap;
  }
  if (f.inlined() && f.cardinality != Cardinality::kSingle) {
    Fail(area, line, "an inlined field cannot be repeated or a map");
    return false;
  }
  if (!ScalarKind(type, &f.kind)) {
    f.kind = ValueKind::kMessage;
    pending_.push_back(PendingField{storage_.size() - 1, m.fields.size(), std::string(type),
                                    std::string(area), line});
  }
  if (f.inlined() && f.kind != ValueKind::kMessage) {
    Fail(area, line, "only messages can be inlined");
    return false;
  }
  for (const Field& other : m.fields) {
    if (other.number == f.number) {
      Fail(area, line, Cat("duplicate field number ", f.number, " in ", m.name));
      return false;
    }
  }
  if (m.by_number.size() <= f.number) m.by_number.resize(f.number + 1, -1);
  m.by_number[f.number] = static_cast<int16_t>(m.fields.size());
  m.fields.push_back(std::move(f));
  return true;
}

void Table::Parse(std::string_view area, std::string_view text) {
  int line_no = 0;
  while (!text.empty() && status.ok()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.find_first_not_of(' ') == std::string_view::npos) continue;
    std::string_view rest = line;
    if (ConsumePrefix(rest, "  ")) {
      ParseField(area, line_no, rest);
      continue;
    }
    std::vector<std::string_view> w = Words(line);
    if (w.size() < 2 || w[0] != "message") {
      Fail(area, line_no, "want 'message <Name> [<apiVersion>/<Kind>...]'");
      return;
    }
    if (by_name.contains(w[1])) {
      Fail(area, line_no, Cat("duplicate message ", w[1]));
      return;
    }
    Message& m = storage_.emplace_back();
    m.name = std::string(w[1]);
    by_name.emplace(m.name, &m);
    for (size_t i = 2; i < w.size(); ++i) {
      size_t slash = w[i].rfind('/');
      if (slash == std::string_view::npos || slash == 0 || slash + 1 == w[i].size()) {
        Fail(area, line_no, Cat("bad root '", w[i], "'"));
        return;
      }
      if (!roots.emplace(std::string(w[i]), &m).second) {
        Fail(area, line_no, Cat("duplicate root ", w[i]));
        return;
      }
    }
  }
}

void Table::Build() {
  const std::pair<std::string_view, std::string_view> areas[] = {
      {"core volumes", CoreVolumeMessageText()},
      {"core pod", CorePodMessageText()},
      {"core other", CoreOtherMessageText()},
      {"groups", GroupsMessageText()},
      {"meta", MetaMessageText()},
  };
  for (const auto& [area, text] : areas) Parse(area, text);
  for (const PendingField& p : pending_) {
    if (!status.ok()) break;
    auto it = by_name.find(p.type_name);
    if (it == by_name.end()) {
      Fail(p.area, p.line, Cat("unknown type ", p.type_name));
      break;
    }
    storage_[p.message_index].fields[p.field_index].message = it->second;
  }
  if (!status.ok()) {
    by_name.clear();
    roots.clear();
  }
}

const Table& GetTable() {
  static const Table* table = new Table();
  return *table;
}

}  // namespace

const Message* FindRoot(std::string_view api_version, std::string_view kind) {
  const Table& t = GetTable();
  auto it = t.roots.find(Cat(api_version, "/", kind));
  if (it == t.roots.end()) it = t.roots.find(Cat("*/", kind));
  return it == t.roots.end() ? nullptr : it->second;
}

const Message* FindMessage(std::string_view name) {
  const Table& t = GetTable();
  auto it = t.by_name.find(name);
  return it == t.by_name.end() ? nullptr : it->second;
}

absl::Status TableStatus() { return GetTable().status; }

}  // namespace skiff::api::protobuf::internal
