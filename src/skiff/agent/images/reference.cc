#include "skiff/agent/images/reference.h"

#include "skiff/api/text.h"

namespace skiff::agent::images {

namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr size_t kMaxNameLength = 255;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool ValidPathComponent(std::string_view c) {
  size_t i = 0;
  auto alnum_run = [&] {
    size_t start = i;
    while (i < c.size() && IsLowerAlnum(c[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < c.size()) {
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      ++i;
      if (i < c.size() && c[i] == '_') ++i;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

// A DNS-ish host (labels of [A-Za-z0-9-], not starting or ending with '-') and an optional
// ":port".
bool ValidDomain(std::string_view d) {
  std::string_view host = d;
  size_t colon = d.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty()) return false;
    for (char c : port)
      if (c < '0' || c > '9') return false;
    host = d.substr(0, colon);
  }
  if (host.empty()) return false;
  for (std::string_view label : api::Split(host, '.')) {
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// [\w][\w.-]{0,127}
bool ValidTag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return IsAlnum(c) || c == '_'; };
  if (!word(t[0])) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

bool HasUpper(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return true;
  return false;
}

absl::Status Invalid(std::string_view why) {
  std::string msg = api::Cat("invalid reference format", why.empty() ? "" : ": ", why);
  return absl::InvalidArgumentError(msg);
}

}  // namespace

bool IsDigest(std::string_view s) {
  if (!s.starts_with("sha256:") || s.size() != 7 + 64) return false;
  for (char c : s.substr(7))
    if (!IsHex(c)) return false;
  return true;
}

std::string Reference::String() const {
  std::string out = Name();
  if (!tag.empty()) api::AppendCat(&out, ":", tag);
  if (!digest.empty()) api::AppendCat(&out, "@", digest);
  return out;
}

std::string Reference::FamiliarName() const {
  if (domain != kDefaultDomain) return Name();
  if (path.starts_with("library/") && path.find('/', 8) == std::string::npos) {
    return path.substr(8);
  }
  return path;
}

absl::StatusOr<Reference> ParseReference(std::string_view ref) {
  if (ref.empty()) return Invalid("empty reference");
  Reference out;
  std::string_view rest = ref;
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    out.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!IsDigest(out.digest)) return Invalid(api::Cat("invalid digest \"", out.digest, "\""));
  }
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    out.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!ValidTag(out.tag)) return Invalid(api::Cat("invalid tag \"", out.tag, "\""));
  }
  if (rest.empty()) return Invalid("empty repository name");

  // The first component is a registry when it looks like a host: it has a dot or a port, is
  // "localhost", or has upper case (which a repository path may not).
  std::string_view path = rest;
  size_t first = rest.find('/');
  if (first != std::string_view::npos) {
    std::string_view head = rest.substr(0, first);
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost" ||
        HasUpper(head)) {
      out.domain = std::string(head);
      path = rest.substr(first + 1);
    }
  }
  if (out.domain.empty() || out.domain == "index.docker.io") out.domain = kDefaultDomain;
  if (!ValidDomain(out.domain)) return Invalid(api::Cat("invalid registry \"", out.domain, "\""));
  if (HasUpper(path)) return Invalid("repository name must be lowercase");
  out.path = std::string(path);
  if (out.domain == kDefaultDomain && out.path.find('/') == std::string::npos) {
    out.path = "library/" + out.path;
  }
  for (std::string_view c : api::Split(path, '/')) {
    if (!ValidPathComponent(c)) {
      return Invalid(api::Cat("invalid repository path component \"", c, "\""));
    }
  }
  if (out.Name().size() > kMaxNameLength) {
    return Invalid("repository name must not be more than 255 characters");
  }
  if (out.tag.empty() && out.digest.empty()) out.tag = "latest";
  return out;
}

}  // namespace skiff::agent::images
