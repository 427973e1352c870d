#include "skiff/api/labels.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "skiff/api/field_error.h"
#include "skiff/api/go_repr.h"
#include "skiff/api/text.h"
#include "skiff/api/validation.h"

namespace skiff::api {

namespace json = boost::json;

namespace {

using Op = LabelSelector::Op;

// ---- Requirement construction with Kubernetes' checks (labels.NewRequirement). ----

std::string AggregateMessage(const FieldErrors& errs) {
  std::vector<std::string> msgs;
  for (const auto& e : errs) {
    std::string m = e.field.empty() ? "<nil>: " + e.message : e.ToString();
    if (std::find(msgs.begin(), msgs.end(), m) == msgs.end()) msgs.push_back(std::move(m));
  }
  if (msgs.size() == 1) return msgs[0];
  return "[" + Join(msgs, ", ") + "]";
}

std::string ValuesRepr(const std::vector<std::string>& values, bool nil_when_empty) {
  if (values.empty() && nil_when_empty) return "[]string(nil)";
  json::array arr;
  for (const auto& v : values) arr.emplace_back(v);
  json::value v = std::move(arr);
  return GoStringSlice(&v);
}

absl::StatusOr<LabelSelector::Requirement> NewRequirement(std::string key, Op op,
                                                          std::vector<std::string> values) {
  FieldErrors errs;
  if (auto msgs = IsQualifiedName(key); !msgs.empty()) {
    errs.push_back(Invalid("key", GoQuote(key), Join(msgs, "; ")));
  }
  switch (op) {
    case Op::kIn:
    case Op::kNotIn:
      if (values.empty()) {
        errs.push_back(Invalid("values", ValuesRepr(values, true),
                               "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case Op::kEquals:
    case Op::kDoubleEquals:
    case Op::kNotEquals:
      if (values.size() != 1) {
        errs.push_back(Invalid("values", ValuesRepr(values, true),
                               "exact-match compatibility requires one single value"));
      }
      break;
    case Op::kExists:
    case Op::kDoesNotExist:
      if (!values.empty()) {
        errs.push_back(Invalid("values", ValuesRepr(values, true),
                               "values set must be empty for exists and does not exist"));
      }
      break;
    case Op::kGreaterThan:
    case Op::kLessThan:
      if (values.size() != 1) {
        errs.push_back(Invalid("values", ValuesRepr(values, true),
                               "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        int64_t n;
        if (!ParseInt64(values[i], &n)) {
          errs.push_back(Invalid(IndexPath("values", i), GoQuote(values[i]),
                                 "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (auto msgs = IsValidLabelValue(values[i]); !msgs.empty()) {
      errs.push_back(
          Invalid(KeyPath(IndexPath("values", i), key), GoQuote(values[i]), Join(msgs, "; ")));
    }
  }
  if (!errs.empty()) return absl::InvalidArgumentError(AggregateMessage(errs));
  return LabelSelector::Requirement{std::move(key), op, std::move(values)};
}

// ---- The string syntax: a lexer and a recursive-descent parser, as in Kubernetes. ----

enum class Tok {
  kError,
  kEnd,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Tok tok;
  std::string literal;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

bool SymbolToken(std::string_view s, Tok* tok) {
  static constexpr std::pair<std::string_view, Tok> kSymbols[] = {
      {")", Tok::kClosedPar},     {",", Tok::kComma},      {"!", Tok::kDoesNotExist},
      {"==", Tok::kDoubleEquals}, {"=", Tok::kEquals},     {">", Tok::kGreaterThan},
      {"<", Tok::kLessThan},      {"!=", Tok::kNotEquals}, {"(", Tok::kOpenPar},
      {"in", Tok::kIn},           {"notin", Tok::kNotIn}};
  for (const auto& [text, t] : kSymbols) {
    if (text == s) {
      *tok = t;
      return true;
    }
  }
  return false;
}

std::vector<Item> Lex(std::string_view s) {
  std::vector<Item> items;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsWhitespace(s[pos])) ++pos;
    if (pos >= s.size()) {
      items.push_back({Tok::kEnd, ""});
      return items;
    }
    if (IsSpecial(s[pos])) {
      std::string buffer;
      Item last{Tok::kError, ""};
      while (pos < s.size() && IsSpecial(s[pos])) {
        buffer.push_back(s[pos]);
        Tok t;
        if (SymbolToken(buffer, &t)) {
          last = {t, buffer};
          ++pos;
        } else if (last.tok != Tok::kError) {
          break;
        } else {
          ++pos;
        }
      }
      if (last.tok == Tok::kError) last.literal = "error expected: keyword found '" + buffer + "'";
      items.push_back(std::move(last));
      continue;
    }
    size_t start = pos;
    while (pos < s.size() && !IsSpecial(s[pos]) && !IsWhitespace(s[pos])) ++pos;
    std::string word(s.substr(start, pos - start));
    Tok t = Tok::kIdentifier;
    if (word == "in") t = Tok::kIn;
    if (word == "notin") t = Tok::kNotIn;
    items.push_back({t, std::move(word)});
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(Lex(text)) {}

  absl::StatusOr<std::vector<LabelSelector::Requirement>> Parse() {
    std::vector<LabelSelector::Requirement> reqs;
    while (true) {
      Item it = Peek(true);
      switch (it.tok) {
        case Tok::kIdentifier:
        case Tok::kDoesNotExist: {
          auto r = ParseRequirement();
          if (!r.ok()) {
            return absl::InvalidArgumentError(
                Cat("unable to parse requirement: ", std::string(r.status().message())));
          }
          reqs.push_back(*std::move(r));
          Item next = Next(true);
          if (next.tok == Tok::kEnd) return reqs;
          if (next.tok == Tok::kComma) {
            Item after = Peek(true);
            if (after.tok != Tok::kIdentifier && after.tok != Tok::kDoesNotExist) {
              return Error("found '", after.literal, "', expected: identifier after ','");
            }
            break;
          }
          return Error("found '", next.literal, "', expected: ',' or 'end of string'");
        }
        case Tok::kEnd:
          return reqs;
        default:
          return Error("found '", it.literal, "', expected: !, identifier, or 'end of string'");
      }
    }
  }

 private:
  template <typename... Args>
  static absl::Status Error(const Args&... args) {
    return absl::InvalidArgumentError(Cat(args...));
  }

  // In a values context the keywords `in` and `notin` are plain identifiers.
  static Item AsValue(Item it) {
    if (it.tok == Tok::kIn || it.tok == Tok::kNotIn) it.tok = Tok::kIdentifier;
    return it;
  }
  Item Peek(bool values) const { return values ? AsValue(items_[pos_]) : items_[pos_]; }
  Item Next(bool values) {
    Item it = Peek(values);
    if (pos_ + 1 < items_.size()) ++pos_;
    return it;
  }

  absl::StatusOr<LabelSelector::Requirement> ParseRequirement() {
    Op op = Op::kExists;
    bool negated = false;
    Item it = Next(true);
    if (it.tok == Tok::kDoesNotExist) {
      negated = true;
      it = Next(true);
    }
    if (it.tok != Tok::kIdentifier) return Error("found '", it.literal, "', expected: identifier");
    if (auto msgs = IsQualifiedName(it.literal); !msgs.empty()) {
      return Error("<nil>: Invalid value: ", GoQuote(it.literal), ": ", Join(msgs, "; "));
    }
    std::string key = it.literal;
    Tok after = Peek(true).tok;
    if (negated) return NewRequirement(key, Op::kDoesNotExist, {});
    if (after == Tok::kEnd || after == Tok::kComma) return NewRequirement(key, Op::kExists, {});

    Item op_item = Next(false);
    switch (op_item.tok) {
      case Tok::kIn:
        op = Op::kIn;
        break;
      case Tok::kNotIn:
        op = Op::kNotIn;
        break;
      case Tok::kEquals:
        op = Op::kEquals;
        break;
      case Tok::kDoubleEquals:
        op = Op::kDoubleEquals;
        break;
      case Tok::kNotEquals:
        op = Op::kNotEquals;
        break;
      case Tok::kGreaterThan:
        op = Op::kGreaterThan;
        break;
      case Tok::kLessThan:
        op = Op::kLessThan;
        break;
      default:
        return Error("found '", op_item.literal, "', expected: in, notin, =, ==, !=, gt, lt");
    }
    std::set<std::string> values;
    absl::Status st =
        (op == Op::kIn || op == Op::kNotIn) ? ParseValues(&values) : ParseExactValue(&values);
    if (!st.ok()) return st;
    return NewRequirement(key, op, std::vector<std::string>(values.begin(), values.end()));
  }

  absl::Status ParseValues(std::set<std::string>* values) {
    Item open = Next(true);
    if (open.tok != Tok::kOpenPar) return Error("found '", open.literal, "' expected: '('");
    Item first = Peek(true);
    switch (first.tok) {
      case Tok::kIdentifier:
      case Tok::kComma: {
        absl::Status st = ParseIdentifiers(values);
        if (!st.ok()) return st;
        if (Next(true).tok != Tok::kClosedPar) {
          return Error("found '", first.literal, "', expected: ')'");
        }
        return absl::OkStatus();
      }
      case Tok::kClosedPar:
        Next(true);
        values->insert("");
        return absl::OkStatus();
      default:
        return Error("found '", first.literal, "', expected: ',', ')' or identifier");
    }
  }

  absl::Status ParseIdentifiers(std::set<std::string>* values) {
    while (true) {
      Item it = Next(true);
      if (it.tok == Tok::kIdentifier) {
        values->insert(it.literal);
        Item after = Peek(true);
        if (after.tok == Tok::kComma) continue;
        if (after.tok == Tok::kClosedPar) return absl::OkStatus();
        return Error("found '", after.literal, "', expected: ',' or ')'");
      }
      if (it.tok == Tok::kComma) {
        if (values->empty()) values->insert("");
        Tok after = Peek(true).tok;
        if (after == Tok::kClosedPar) {
          values->insert("");
          return absl::OkStatus();
        }
        if (after == Tok::kComma) values->insert("");
        continue;
      }
      return Error("found '", it.literal, "', expected: ',', or identifier");
    }
  }

  absl::Status ParseExactValue(std::set<std::string>* values) {
    Tok t = Peek(true).tok;
    if (t == Tok::kEnd || t == Tok::kComma) {
      values->insert("");
      return absl::OkStatus();
    }
    Item it = Next(true);
    if (it.tok != Tok::kIdentifier) return Error("found '", it.literal, "', expected: identifier");
    values->insert(it.literal);
    return absl::OkStatus();
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

std::string StringOf(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : json::serialize(v);
}

void SortByKey(std::vector<LabelSelector::Requirement>& reqs) {
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
}

}  // namespace

bool LabelSelector::Requirement::Matches(const json::object* labels) const {
  const json::value* v = nullptr;
  if (labels != nullptr) {
    auto it = labels->find(key);
    if (it != labels->end()) v = &it->value();
  }
  auto has_value = [&](const std::string& s) {
    return std::find(values.begin(), values.end(), s) != values.end();
  };
  switch (op) {
    case Op::kIn:
    case Op::kEquals:
    case Op::kDoubleEquals:
      return v != nullptr && has_value(StringOf(*v));
    case Op::kNotIn:
    case Op::kNotEquals:
      return v == nullptr || !has_value(StringOf(*v));
    case Op::kExists:
      return v != nullptr;
    case Op::kDoesNotExist:
      return v == nullptr;
    case Op::kGreaterThan:
    case Op::kLessThan: {
      int64_t have, want;
      if (v == nullptr || values.size() != 1 || !ParseInt64(StringOf(*v), &have) ||
          !ParseInt64(values[0], &want)) {
        return false;
      }
      return op == Op::kGreaterThan ? have > want : have < want;
    }
  }
  return false;
}

std::string LabelSelector::Requirement::String() const {
  std::string out = op == Op::kDoesNotExist ? "!" + key : key;
  switch (op) {
    case Op::kExists:
    case Op::kDoesNotExist:
      return out;
    case Op::kEquals:
      out += "=";
      break;
    case Op::kDoubleEquals:
      out += "==";
      break;
    case Op::kNotEquals:
      out += "!=";
      break;
    case Op::kIn:
      out += " in ";
      break;
    case Op::kNotIn:
      out += " notin ";
      break;
    case Op::kGreaterThan:
      out += ">";
      break;
    case Op::kLessThan:
      out += "<";
      break;
  }
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  bool set = op == Op::kIn || op == Op::kNotIn;
  if (set) out += "(";
  out += Join(sorted, ",");
  if (set) out += ")";
  return out;
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

absl::StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  auto reqs = Parser(text).Parse();
  if (!reqs.ok()) return reqs.status();
  LabelSelector s;
  s.requirements_ = *std::move(reqs);
  SortByKey(s.requirements_);
  return s;
}

absl::StatusOr<LabelSelector> LabelSelector::FromJson(const json::value* selector) {
  if (selector == nullptr) return Nothing();
  return FromJson(*selector);
}

absl::StatusOr<LabelSelector> LabelSelector::FromJson(const json::value& selector) {
  if (selector.is_null()) return Nothing();
  if (!selector.is_object()) {
    return absl::InvalidArgumentError("a label selector must be a JSON object");
  }
  const json::object& obj = selector.get_object();
  LabelSelector s;
  if (auto it = obj.find("matchLabels"); it != obj.end() && it->value().is_object()) {
    for (const auto& kv : it->value().get_object()) {
      auto r = NewRequirement(std::string(kv.key()), Op::kEquals, {StringOf(kv.value())});
      if (!r.ok()) return r.status();
      s.requirements_.push_back(*std::move(r));
    }
  }
  if (auto it = obj.find("matchExpressions"); it != obj.end() && it->value().is_array()) {
    for (const auto& e : it->value().get_array()) {
      const json::object* expr = e.if_object();
      auto str = [&](std::string_view k) -> std::string {
        if (expr == nullptr) return "";
        auto f = expr->find(k);
        return f == expr->end() ? "" : StringOf(f->value());
      };
      std::string op_name = str("operator");
      Op op;
      if (op_name == "In") {
        op = Op::kIn;
      } else if (op_name == "NotIn") {
        op = Op::kNotIn;
      } else if (op_name == "Exists") {
        op = Op::kExists;
      } else if (op_name == "DoesNotExist") {
        op = Op::kDoesNotExist;
      } else {
        return absl::InvalidArgumentError(
            Cat(GoQuote(op_name), " is not a valid label selector operator"));
      }
      std::vector<std::string> values;
      if (expr != nullptr) {
        if (auto f = expr->find("values"); f != expr->end() && f->value().is_array()) {
          for (const auto& v : f->value().get_array()) values.push_back(StringOf(v));
        }
      }
      auto r = NewRequirement(str("key"), op, std::move(values));
      if (!r.ok()) return r.status();
      s.requirements_.push_back(*std::move(r));
    }
  }
  SortByKey(s.requirements_);
  return s;
}

LabelSelector LabelSelector::FromMap(const json::value* labels) {
  LabelSelector s;
  if (labels == nullptr || !labels->is_object()) return s;
  for (const auto& kv : labels->get_object()) {
    s.requirements_.push_back({std::string(kv.key()), Op::kEquals, {StringOf(kv.value())}});
  }
  SortByKey(s.requirements_);
  return s;
}

bool LabelSelector::Matches(const json::object* labels) const {
  if (nothing_) return false;
  for (const auto& r : requirements_)
    if (!r.Matches(labels)) return false;
  return true;
}

bool LabelSelector::MatchesObject(const json::value& obj) const {
  const json::object* labels = nullptr;
  if (const json::object* o = obj.if_object()) {
    if (auto m = o->find("metadata"); m != o->end() && m->value().is_object()) {
      const json::object& meta = m->value().get_object();
      if (auto l = meta.find("labels"); l != meta.end()) labels = l->value().if_object();
    }
  }
  return Matches(labels);
}

std::string LabelSelector::String() const {
  if (nothing_) return "";
  std::vector<std::string> parts;
  for (const auto& r : requirements_) parts.push_back(r.String());
  return Join(parts, ",");
}

bool SelectorMatchesLabels(const json::value* selector, const json::object* labels) {
  auto s = LabelSelector::FromJson(selector);
  return s.ok() && s->Matches(labels);
}

}  // namespace skiff::api
